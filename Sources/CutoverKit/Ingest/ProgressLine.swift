import Foundation

/// A one-line progress display on stderr, redrawn at most five times a second.
/// Only created when stderr is a terminal, so logs and cron mails stay clean.
public final class ProgressLine {
    private var last = Date.distantPast
    private var currentFile = ""
    private var fileStarted = Date()

    public init?() {
        guard isatty(2) == 1 else { return nil }
    }

    /// Redraws `file: 41% of 94 MB, 412,000 records, 84,000 records/s, ETA 7 s`.
    func update(file: String, done: Int64, total: Int64, records: Int) {
        let now = Date()
        guard now.timeIntervalSince(last) >= 0.2 else { return }
        last = now
        if file != currentFile {
            currentFile = file
            fileStarted = now
        }
        let seconds = max(now.timeIntervalSince(fileStarted), 0.001)
        var line = "\(file): "
        if total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            line += "\(Int(fraction * 100))% of \(Int(Double(total) / 1_048_576)) MB, "
            if fraction > 0.01 {
                line += "ETA \(Int(seconds * (1 - fraction) / fraction)) s, "
            }
        }
        line += "\(records) records, \(Int(Double(records) / seconds)) records/s"
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    func clear() {
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
