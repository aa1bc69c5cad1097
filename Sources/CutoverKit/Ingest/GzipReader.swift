import CZlib
import Foundation

/// Reads a file (or standard input) as a stream of decompressed byte chunks.
///
/// In: a path, or "-" for stdin. Out: chunks of at most `chunkSize` bytes.
/// zlib's `gzread` detects gzip from the magic bytes, inflates multi-member files (as
/// `cat a.gz b.gz` makes) and passes plain files through unchanged, so the name never
/// matters. Truncation is only visible through `gzerror` after the last read
/// (zlib manual, "gzread"): `finish()` reports it.
public final class GzipReader {
    private let file: gzFile
    public let path: String
    public let chunkSize: Int
    private var buffer: UnsafeMutableRawBufferPointer
    /// Decompressed bytes delivered so far.
    public private(set) var offset: Int64 = 0
    /// True when the input started with the gzip magic bytes.
    public let isCompressed: Bool
    /// The size on disk (0 for standard input).
    public let size: Int64

    public init(path: String, chunkSize: Int = 1 << 18) throws(IngestError) {
        let handle: gzFile?
        if path == "-" {
            handle = gzdopen(0, "rb")
        } else {
            handle = gzopen(path, "rb")
        }
        guard let handle else { throw IngestError.unreadable(path: path, reason: "cannot open the file") }
        gzbuffer(handle, 1 << 17)
        self.file = handle
        self.path = path
        self.chunkSize = chunkSize
        var info = stat()
        self.size = path != "-" && stat(path, &info) == 0 ? Int64(info.st_size) : 0
        self.buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        // gzdirect is only meaningful once a read has looked at the header; the byte is
        // pushed back rather than rewound, because standard input cannot seek.
        let first = gzgetc(handle)
        self.isCompressed = gzdirect(handle) == 0
        if first >= 0 { gzungetc(first, handle) }
    }

    deinit {
        gzclose(file)
        buffer.deallocate()
    }

    /// Bytes of the file on disk consumed so far (compressed bytes for gzip), for progress.
    public var diskOffset: Int64 { Int64(gzoffset(file)) }

    /// The next chunk, or nil at the end. The bytes are valid until the next call.
    public func next() throws(IngestError) -> UnsafeRawBufferPointer? {
        let n = gzread(file, buffer.baseAddress, UInt32(chunkSize))
        if n < 0 {
            throw IngestError.corrupt(path: path, offset: offset, reason: errorText())
        }
        if n == 0 {
            if let problem = endProblem() {
                throw IngestError.truncated(path: path, offset: offset, reason: problem)
            }
            return nil
        }
        offset += Int64(n)
        return UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(n))
    }

    private func endProblem() -> String? {
        var code: Int32 = 0
        let message = gzerror(file, &code)
        guard code != Z_OK else { return nil }
        return message.map { String(cString: $0) } ?? "zlib error \(code)"
    }

    private func errorText() -> String {
        var code: Int32 = 0
        return gzerror(file, &code).map { String(cString: $0) } ?? "zlib error \(code)"
    }
}
