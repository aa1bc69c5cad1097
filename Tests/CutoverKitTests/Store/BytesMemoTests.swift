import Foundation
import Testing

@testable import CutoverKit

/// `BytesMemo` makes each value once per distinct byte string and gives it back for the same
/// bytes only: on generated keys – random bytes with invalid UTF-8 and NULs, both spellings of
/// `é`, the hostile corpus, prefixes of one another, the empty key – many times each, in an order
/// that repeats them, past the table's first growths.
@Suite("Values memoised by their bytes: made once, given back for the same bytes only")
struct BytesMemoTests {
    static func keys() -> [[UInt8]] {
        var rng = SeededGenerator(seed: 41)
        var keys: [[UInt8]] = [[], [0], [0, 0], Array("é".utf8), Array("e\u{301}".utf8), Array("aks-apps-1-vmss000001".utf8)]
        keys += HostileText.corpus().map { Array($0.utf8) }
        let base = Array("aks-nodepool1-12345678-vmss00000".utf8)
        for n in 0..<base.count { keys.append(Array(base.prefix(n))) }
        for _ in 0..<3_000 {
            let count = Int(rng.next() % 40)
            keys.append((0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        }
        // Distinct byte strings only: the oracle below numbers them by their bytes.
        var seen = Set<[UInt8]>()
        return keys.filter { seen.insert($0).inserted }
    }

    @Test func eachValueIsMadeOnceAndGivenBackForItsBytesOnly() {
        let keys = Self.keys()
        #expect(keys.count > 3_000)
        var memo = BytesMemo<Int>()
        var made: [[UInt8]] = []
        var rng = SeededGenerator(seed: 42)
        for round in 0..<4 {
            for _ in keys.indices {
                let key = keys[Int(rng.next() % UInt64(keys.count))]
                let value = key.withUnsafeBufferPointer { bytes in
                    memo.value(bytes) {
                        made.append(Array($0)); return made.count - 1
                    }
                }
                #expect(made[value] == key, "round \(round)")
            }
        }
        // Every key asked for was made once: no two values for the same bytes.
        #expect(Set(made).count == made.count)
        #expect(made.count > keys.count / 2)
    }
}
