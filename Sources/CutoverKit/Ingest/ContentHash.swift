import Crypto
import Foundation

/// The SHA-256 of a file's bytes as stored on disk (compressed or not), as lower-case hex.
///
/// Keys the source manifest: the same export handed in twice, under any name, is recognised
/// and skipped; `cutover show` checks with it that the file still holds the bytes ingested.
/// (A database from before schema version 4 keeps the 16-digit FNV-1a 64 it was keyed on.)
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
        var hasher = SHA256()
        var size: Int64 = 0
        var prefixHash: String?
        if prefix == 0 { prefixHash = hex(hasher.finalize()) }
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
                if let prefix, prefix > size, prefix <= size + Int64(raw.count) {
                    let cut = Int(prefix - size)
                    hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: raw[..<cut]))
                    prefixHash = hex(hasher.finalize())
                    hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: raw[cut...]))
                } else {
                    hasher.update(bufferPointer: raw)
                }
            }
            size += Int64(data.count)
        }
        return (hex(hasher.finalize()), size, prefix.flatMap { $0 <= size ? prefixHash : nil })
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
