import Foundation

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
    /// The time span the file's records cover, and which bootstrap evidence it can hold.
    public var evidence = FileEvidence()

    public init(path: String) { self.path = path }
}

/// What one input file can testify to, and over which time (docs/DOMAIN.md §5): a reimage
/// inside the span shows up in a file with Normal events or node-resource-group records, and
/// cannot show up anywhere else.
public struct FileEvidence: Sendable, Equatable {
    /// The earliest and latest time of any record in the file.
    public var first: Timestamp?
    public var last: Timestamp?
    /// Kubernetes events of type Normal (the upgrader, `RegisteredNode`, `Scheduled`…); a
    /// Warnings-only export has none.
    public var normalEvents = 0
    /// Activity records about resources in an AKS node resource group (`MC_…`): Compute reimages
    /// and restarts.
    public var nodeGroupRecords = 0

    public init() {}

    mutating func widen(_ from: Timestamp, _ to: Timestamp) {
        first = min(first ?? from, from)
        last = max(last ?? to, to)
    }

    /// A Kubernetes event seen from `first` to `last`, of type Normal or not.
    mutating func add(first: Timestamp, last: Timestamp, normal: Bool) {
        widen(first, last)
        if normal { normalEvents += 1 }
    }

    mutating func add(_ record: ActivityRecord) {
        widen(record.time, record.time)
        if record.resourceKey.contains("/resourcegroups/mc_") { nodeGroupRecords += 1 }
    }
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
            "  \(formatted(mb)) MB decompressed in \(formatted(seconds)) s (\(rate) records/s)"
                + (peakMemoryMB.map { ", peak memory \($0) MB" } ?? ""),
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

extension IngestSummary {
    /// This process's peak resident memory so far, in MB: `VmHWM` of /proc/self/status (the
    /// memory of this program only; `getrusage` also counts what the process that started it had
    /// before exec). Nil where there is no /proc.
    public var peakMemoryMB: Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kb = Int(line.split(separator: " ").dropFirst().first { !$0.isEmpty } ?? "")
        else { return nil }
        return (kb + 1023) / 1024
    }
}
