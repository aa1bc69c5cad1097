#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// SQLite's BINARY collation on Swift strings: their UTF-8 bytes compared with `memcmp`, the
/// shorter first on a tie, NULL (nil) before every value. Swift's own `<` orders by Unicode
/// scalars after normalisation, which is not the order an `ORDER BY` gives.
enum ByteOrder {
    /// A string as a key the way SQLite groups and joins on it: equal when its bytes are (Swift's
    /// `==` makes `é` and `e` + U+0301 one key).
    struct Key: Hashable {
        let text: String
        init(_ text: String) { self.text = text }
        static func == (a: Key, b: Key) -> Bool { ByteOrder.compare(a.text, b.text) == 0 }
        func hash(into hasher: inout Hasher) {
            if text.utf8.withContiguousStorageIfAvailable({ hasher.combine(bytes: UnsafeRawBufferPointer($0)) }) == nil {
                for byte in text.utf8 { hasher.combine(byte) }
            }
        }
    }

    static func compare(_ a: String?, _ b: String?) -> Int32 {
        guard let a else { return b == nil ? 0 : -1 }
        guard let b else { return 1 }
        return compare(a, b)
    }

    static func compare(_ a: String, _ b: String) -> Int32 {
        let contiguous = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y -> Int32 in
                let common = min(x.count, y.count)
                let c = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
                return c != 0 ? c : x.count == y.count ? 0 : x.count < y.count ? -1 : 1
            }
        }
        if let c = contiguous ?? nil { return c }
        // A string not stored as UTF-8 (bridged): byte by byte.
        return a.utf8.elementsEqual(b.utf8) ? 0 : a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
    }
}

/// Values made from byte strings, each made once: found by the bytes themselves (a keyed hash,
/// no `String` made to ask) and compared byte for byte. Correlation names a node per `Scheduled`
/// event, a few thousand names for hundreds of thousands of events.
struct BytesMemo<Value> {
    private var bytes: [UInt8] = []
    private var entries: [(start: Int, count: Int, hash: Int, value: Value)] = []
    /// Open addressing: an entry's position, or -1; never more than half full.
    private var slots = [Int32](repeating: -1, count: 64)

    mutating func value(_ key: UnsafeBufferPointer<UInt8>, make: (UnsafeBufferPointer<UInt8>) -> Value) -> Value {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(key))
        let hash = hasher.finalize()
        let mask = slots.count - 1
        var i = hash & mask
        while slots[i] >= 0 {
            let n = Int(slots[i])
            if entries[n].hash == hash && entries[n].count == key.count && same(entries[n].start, key) { return entries[n].value }
            i = (i + 1) & mask
        }
        let value = make(key)
        slots[i] = Int32(entries.count)
        entries.append((bytes.count, key.count, hash, value))
        bytes.append(contentsOf: key)
        if entries.count * 2 > slots.count { grow() }
        return value
    }

    private func same(_ start: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = key.baseAddress, !key.isEmpty else { return true }
        return bytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + start, base, key.count) == 0 }
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for n in entries.indices {
            var i = entries[n].hash & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = Int32(n)
        }
    }
}
