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
