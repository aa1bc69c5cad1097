/// A problem that ends the reading of one input file. The run goes on with the other files;
/// the summary and the exit code report it. Descriptions name the file and say what to do.
public enum IngestError: Error, CustomStringConvertible, Sendable {
    case unreadable(path: String, reason: String)
    case truncated(path: String, offset: Int64, reason: String)
    case corrupt(path: String, offset: Int64, reason: String)
    /// A compressed format cutover does not read (zip, bzip2, xz, zstd).
    case unsupported(path: String, format: String, fix: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): \(reason); check the path and its permissions"
        case .truncated(let path, let offset, let reason):
            return "\(path) ends mid-stream after \(offset) decompressed bytes (\(reason)): "
                + "the file is truncated; the records before that point were kept"
        case .corrupt(let path, let offset, let reason):
            return "\(path) is damaged at decompressed byte \(offset) (\(reason)): "
                + "the records before that point were kept"
        case .unsupported(let path, let format, let fix):
            return "\(path) is \(format), which cutover does not read: \(fix), then ingest what it holds"
        }
    }
}
