import Foundation

/// A 64-bit FNV-1a digest of a file's bytes as stored on disk (compressed or not).
///
/// Keys the source manifest: the same export handed in twice, under any name, is
/// recognised and skipped. Not a security hash; collisions need the same size too.
public enum ContentHash {
    public static func of(path: String) throws(IngestError) -> (hash: String, size: Int64) {
        let (hash, size, _) = try of(path: path, prefix: nil)
        return (hash, size)
    }

    /// The digest of the whole file, and of its first `prefix` bytes when asked (in the same
    /// read): a file that grew by appending still starts with the bytes ingested before.
    public static func of(path: String, prefix: Int64?) throws(IngestError) -> (hash: String, size: Int64, prefixHash: String?) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw IngestError.unreadable(path: path, reason: "cannot open the file")
        }
        defer { try? handle.close() }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var size: Int64 = 0
        var prefixHash: UInt64?
        while true {
            let data: Data
            do {
                guard let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty else { break }
                data = chunk
            } catch {
                throw IngestError.unreadable(path: path, reason: "read failed: \(error.localizedDescription)")
            }
            data.withUnsafeBytes { raw in
                // Where the prefix ends inside this chunk, its digest is the hash so far.
                let cut = prefix.map { Int($0 - size) }.flatMap { (0..<raw.count).contains($0) ? $0 : nil }
                for (k, byte) in raw.enumerated() {
                    if k == cut { prefixHash = hash }
                    hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
                }
            }
            size += Int64(data.count)
        }
        if let prefix, size == prefix { prefixHash = hash }
        return (hex(hash), size, prefixHash.map(hex))
    }

    private static func hex(_ value: UInt64) -> String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
