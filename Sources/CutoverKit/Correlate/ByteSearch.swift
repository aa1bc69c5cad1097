#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Substring search on UTF-8 bytes, for texts correlation reads once per failure or per event
/// (hundreds of thousands of them): `memchr` to each candidate first byte, `memcmp` for the rest,
/// no copy of either side. The byte loop it replaced (each phrase copied into an array first) and
/// Foundation's `String.contains` (which bridges to `NSString`) were about a fifth of `correlate`'s
/// samples on an incident of 60,000 failures.
enum ByteSearch {
    /// The offset in `haystack` where `needle` first occurs at or after `start`.
    static func firstOffset(of needle: String, in haystack: UnsafeBufferPointer<UInt8>, from start: Int = 0) -> Int? {
        var needle = needle
        return needle.withUTF8 { n -> Int? in
            guard let head = n.first, let base = haystack.baseAddress, start >= 0, haystack.count - start >= n.count else {
                return nil
            }
            let last = haystack.count - n.count  // the last offset where the needle still fits
            var at = start
            while at <= last, let hit = memchr(base + at, Int32(head), last - at + 1) {
                at = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base
                if n.count == 1 || memcmp(base + at + 1, n.baseAddress! + 1, n.count - 1) == 0 { return at }
                at += 1
            }
            return nil
        }
    }

    /// `text` lower-cased; `text` itself, not a copy, when it has nothing to lower (node names
    /// almost always).
    static func lowercased(_ text: String) -> String {
        text.utf8.contains { ($0 >= 0x41 && $0 <= 0x5A) || $0 >= 0x80 } ? text.lowercased() : text
    }

    /// Whether `text` contains `needle`, byte for byte (case-sensitive).
    static func contains(_ text: String, _ needle: String) -> Bool {
        var text = text
        return text.withUTF8 { firstOffset(of: needle, in: $0) != nil }
    }
}
