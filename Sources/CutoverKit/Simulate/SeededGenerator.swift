/// SplitMix64: a small, fast generator whose output depends only on its seed, so a
/// simulated incident is the same on every machine and every run.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }

    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    /// Lower-case hex digits, for uids and ids.
    public mutating func hex(_ count: Int) -> String {
        var s = ""
        while s.count < count {
            let part = String(next(), radix: 16)
            s += String(repeating: "0", count: 16 - part.count) + part
        }
        return String(s.prefix(count))
    }

    public mutating func uuid() -> String {
        let h = hex(32)
        let c = Array(h)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-"
            + String(c[20..<32])
    }

    /// A Kubernetes-style random suffix (`7d9f8-x2k4q`), from the alphabet of `rand.String`.
    public mutating func podSuffix(_ count: Int) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<count).map { _ in alphabet[int(0...(alphabet.count - 1))] })
    }
}
