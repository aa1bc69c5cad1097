import CZlib
import Foundation

/// Reads a file (or standard input) as a stream of decompressed byte chunks.
///
/// In: a path, or "-" for stdin. Out: chunks of at most `chunkSize` bytes. Gzip is detected
/// from the magic bytes (`1f 8b`), never the name; members follow one another (as `cat a.gz b.gz`
/// makes); anything else passes through unchanged. Built on zlib's `inflate` rather than
/// `gzread`, which returns nothing for a read whose data fails the CRC (zlib `gzread.c`) and
/// silently ignores what follows the last member: here every byte inflate produced is
/// delivered before the error (as `zcat` does), and plain bytes after a member are read as
/// they are (`trailingPlainBytes` says how many). A zip, bzip2, xz or zstd file is refused with
/// its name and the command that unpacks it.
public final class GzipReader {
    public let path: String
    public let chunkSize: Int
    /// Decompressed bytes delivered so far.
    public private(set) var offset: Int64 = 0
    /// True when the input started with the gzip magic bytes.
    public var isCompressed: Bool { compressed }
    private var compressed = false
    /// The size on disk (0 for standard input).
    public let size: Int64
    /// Plain bytes found after the last gzip member, passed through as data.
    public private(set) var trailingPlainBytes: Int64 = 0

    private let handle: FileHandle
    private var input: [UInt8] = []
    private var inputStart = 0
    private var inputEOF = false
    private var consumed: Int64 = 0
    private var output: UnsafeMutableRawBufferPointer
    private var stream = z_stream()
    private var inflating = false
    private var plain: Bool
    /// An error found while producing the chunk just delivered: thrown by the next call.
    private var pending: IngestError?
    private var finished = false
    private var lastMemberEnded = false

    static let inputChunk = 1 << 17

    public init(path: String, chunkSize: Int = 1 << 18) throws(IngestError) {
        self.path = path
        self.chunkSize = chunkSize
        if path == "-" {
            handle = FileHandle.standardInput
            size = 0
        } else {
            guard let h = FileHandle(forReadingAtPath: path) else {
                throw IngestError.unreadable(path: path, reason: "cannot open the file")
            }
            handle = h
            var info = stat()
            size = stat(path, &info) == 0 ? Int64(info.st_size) : 0
        }
        output = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        plain = true
        try fill(atLeast: 8)
        let head = Array(input.prefix(8))
        if let format = Self.otherCompression(head) {
            throw IngestError.unsupported(path: path, format: format.name, fix: format.fix)
        }
        if head.count >= 2 && head[0] == 0x1F && head[1] == 0x8B {
            plain = false
            compressed = true
            try startMember()
        }
    }

    deinit {
        if inflating { inflateEnd(&stream) }
        output.deallocate()
        if path != "-" { try? handle.close() }
    }

    /// Bytes of the file on disk consumed so far (compressed bytes for gzip), for progress.
    public var diskOffset: Int64 { consumed }

    /// The next chunk, or nil at the end. The bytes are valid until the next call.
    public func next() throws(IngestError) -> UnsafeRawBufferPointer? {
        if let pending {
            self.pending = nil
            finished = true
            throw pending
        }
        guard !finished else { return nil }
        let n = plain ? try readPlain() : try readInflated()
        if n == 0 {
            if let pending {
                self.pending = nil
                finished = true
                throw pending
            }
            finished = true
            return nil
        }
        offset += Int64(n)
        return UnsafeRawBufferPointer(start: output.baseAddress, count: n)
    }

    // MARK: Input

    private func available() -> Int { input.count - inputStart }

    /// Reads from the file until `count` bytes are buffered or it ends.
    private func fill(atLeast count: Int) throws(IngestError) {
        while available() < count && !inputEOF {
            if inputStart > 0 {
                input.removeFirst(inputStart)
                inputStart = 0
            }
            let data: Data
            do {
                data = try handle.read(upToCount: Self.inputChunk) ?? Data()
            } catch {
                throw IngestError.unreadable(path: path, reason: "read failed: \(error.localizedDescription)")
            }
            if data.isEmpty { inputEOF = true } else { input.append(contentsOf: data) }
        }
    }

    private func readPlain() throws(IngestError) -> Int {
        try fill(atLeast: chunkSize)
        let n = min(available(), chunkSize)
        guard n > 0 else { return 0 }
        input.withUnsafeBytes { bytes in
            output.baseAddress?.copyMemory(from: bytes.baseAddress! + inputStart, byteCount: n)
        }
        inputStart += n
        consumed += Int64(n)
        if compressed { trailingPlainBytes += Int64(n) }
        return n
    }

    // MARK: Inflate

    private func startMember() throws(IngestError) {
        if inflating {
            inflateReset(&stream)
            return
        }
        stream = z_stream()
        // 15 + 16: a gzip wrapper, the largest window.
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw IngestError.corrupt(path: path, offset: 0, reason: "zlib could not start inflating")
        }
        inflating = true
    }

    /// Inflates into `output` until it is full, the input ends or an error comes; returns the
    /// bytes produced. Errors after some output are kept in `pending` for the next call.
    private func readInflated() throws(IngestError) -> Int {
        if lastMemberEnded { return 0 }
        var produced = 0
        while produced < chunkSize {
            try fill(atLeast: 1)
            if available() == 0 {
                // The input ended inside a member.
                pending = .truncated(path: path, offset: offset + Int64(produced), reason: "unexpected end of file")
                return produced
            }
            let before = available()
            var rc: Int32 = Z_OK
            input.withUnsafeMutableBytes { bytes in
                stream.next_in = bytes.baseAddress!.assumingMemoryBound(to: Bytef.self) + inputStart
                stream.avail_in = UInt32(before)
                stream.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self) + produced
                stream.avail_out = UInt32(chunkSize - produced)
                let outBefore = stream.avail_out
                rc = inflate(&stream, Z_NO_FLUSH)
                produced += Int(outBefore - stream.avail_out)
            }
            let used = before - Int(stream.avail_in)
            inputStart += used
            consumed += Int64(used)
            switch rc {
            case Z_OK, Z_BUF_ERROR:
                if rc == Z_BUF_ERROR && used == 0 && produced == 0 && inputEOF {
                    pending = .truncated(path: path, offset: offset, reason: "unexpected end of file")
                    return produced
                }
                continue
            case Z_STREAM_END:
                try fill(atLeast: 2)
                if available() == 0 {
                    lastMemberEnded = true  // the last member ended with the file
                    return produced
                }
                let magic = input.withUnsafeBytes { b in available() >= 2 && b[inputStart] == 0x1F && b[inputStart + 1] == 0x8B }
                if magic {
                    try startMember()
                    continue
                }
                // Plain bytes after the last member: read on as they are, not dropped.
                plain = true
                return produced + (try readPlainInto(at: produced))
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                pending = .corrupt(path: path, offset: offset + Int64(produced), reason: message)
                return produced
            }
        }
        return produced
    }

    /// Copies plain bytes after `at` in the output buffer, up to its end.
    private func readPlainInto(at: Int) throws(IngestError) -> Int {
        try fill(atLeast: chunkSize - at)
        let n = min(available(), chunkSize - at)
        input.withUnsafeBytes { bytes in
            (output.baseAddress! + at).copyMemory(from: bytes.baseAddress! + inputStart, byteCount: n)
        }
        inputStart += n
        consumed += Int64(n)
        trailingPlainBytes += Int64(n)
        return n
    }

    /// Compressed formats other than gzip, by their magic bytes, with the command that unpacks them.
    static func otherCompression(_ head: [UInt8]) -> (name: String, fix: String)? {
        func starts(_ magic: [UInt8]) -> Bool { head.count >= magic.count && Array(head.prefix(magic.count)) == magic }
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) { return ("a zip archive", "unzip it first") }
        if starts([0x42, 0x5A, 0x68]) { return ("bzip2", "decompress it first (bunzip2 -k FILE)") }
        if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return ("xz", "decompress it first (xz -dk FILE)") }
        if starts([0x28, 0xB5, 0x2F, 0xFD]) { return ("zstd", "decompress it first (zstd -d FILE)") }
        if starts([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) { return ("a 7-Zip archive", "extract it first (7z x FILE)") }
        if starts(Array("SQLite".utf8)) {
            return ("a SQLite database", "it is no export (query it with cutover query --db FILE); give the exports it was made from")
        }
        return nil
    }
}
