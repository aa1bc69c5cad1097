import Foundation

/// A 64-bit FNV-1a digest of a file's bytes as stored on disk (compressed or not).
///
/// Keys the source manifest: the same export handed in twice, under any name, is
/// recognised and skipped. Not a security hash; collisions need the same size too.
public enum ContentHash {
    public static func of(path: String) throws(IngestError) -> (hash: String, size: Int64) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw IngestError.unreadable(path: path, reason: "cannot open the file")
        }
        defer { try? handle.close() }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var size: Int64 = 0
        while true {
            let data: Data
            do {
                guard let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty else { break }
                data = chunk
            } catch {
                throw IngestError.unreadable(path: path, reason: "read failed: \(error.localizedDescription)")
            }
            size += Int64(data.count)
            data.withUnsafeBytes { raw in
                for byte in raw {
                    hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
                }
            }
        }
        let hex = String(hash, radix: 16)
        return (String(repeating: "0", count: 16 - hex.count) + hex, size)
    }
}
