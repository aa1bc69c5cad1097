/// What happened to one input file.
public struct FileSummary: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// Every record read; bad ones are in the rejects table.
        case complete
        /// The same content was ingested before; nothing was read.
        case alreadyIngested = "already_ingested"
        /// The file ends mid-stream; the records before the damage were kept.
        case truncated
        /// The file could not be read at all.
        case failed
    }

    public var path: String
    public var status: Status = .complete
    public var problem: String?
    public var kubeEvents = 0
    public var activityRecords = 0
    public var duplicates = 0
    public var skipped = 0
    public var rejects = 0
    public var bytes: Int64 = 0

    public init(path: String) { self.path = path }
}

/// The outcome of one `ingest`: per file, and in total. Decides the exit code.
public struct IngestSummary: Sendable {
    public var files: [FileSummary] = []
    public var seconds: Double = 0

    public init() {}

    public var kubeEvents: Int { files.reduce(0) { $0 + $1.kubeEvents } }
    public var activityRecords: Int { files.reduce(0) { $0 + $1.activityRecords } }
    public var duplicates: Int { files.reduce(0) { $0 + $1.duplicates } }
    public var skipped: Int { files.reduce(0) { $0 + $1.skipped } }
    public var rejects: Int { files.reduce(0) { $0 + $1.rejects } }
    public var bytes: Int64 { files.reduce(0) { $0 + $1.bytes } }
    /// Files that could not be read to their end.
    public var damaged: [FileSummary] { files.filter { $0.status == .truncated || $0.status == .failed } }

    /// Human summary for stderr.
    public var text: String {
        let records = kubeEvents + activityRecords
        let rate = seconds > 0 ? Int(Double(records) / seconds) : records
        let mb = Double(bytes) / 1_048_576
        var lines = [
            "ingested \(files.count) file(s): \(kubeEvents) Kubernetes events, \(activityRecords) activity records, "
                + "\(duplicates) duplicates folded, \(skipped) exporter lines skipped, \(rejects) rejects",
            "  \(formatted(mb)) MB decompressed in \(formatted(seconds)) s (\(rate) records/s)",
        ]
        let already = files.filter { $0.status == .alreadyIngested }.count
        if already > 0 { lines.append("  \(already) file(s) already ingested, skipped") }
        for file in damaged { lines.append("  \(file.status.rawValue): \(file.problem ?? file.path)") }
        if rejects > 0 { lines.append("  see them with: cutover query rejects") }
        return lines.joined(separator: "\n")
    }

    private func formatted(_ v: Double) -> String {
        let scaled = (v * 10).rounded() / 10
        return String(scaled)
    }
}
