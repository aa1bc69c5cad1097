import CZlib

/// Writes a gzip file (the simulator's output); the counterpart of `GzipReader`.
public final class GzipWriter {
    private let file: gzFile
    public let path: String
    private var closed = false

    public init(path: String) throws(IngestError) {
        guard let handle = gzopen(path, "wb6") else {
            throw IngestError.unreadable(path: path, reason: "cannot create the file")
        }
        file = handle
        self.path = path
    }

    public func write(_ text: String) throws(IngestError) {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return }
        let n = bytes.withUnsafeMutableBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
        guard n == Int32(bytes.count) else {
            throw IngestError.corrupt(path: path, offset: 0, reason: "gzwrite failed")
        }
        bytes.removeAll()
    }

    public func close() throws(IngestError) {
        guard !closed else { return }
        closed = true
        guard gzclose(file) == Z_OK else { throw IngestError.corrupt(path: path, offset: 0, reason: "gzclose failed") }
    }

    deinit { if !closed { gzclose(file) } }
}
