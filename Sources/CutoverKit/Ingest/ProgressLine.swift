import Foundation

/// A one-line progress display on stderr, redrawn at most five times a second.
/// Only created when stderr is a terminal, so logs and cron mails stay clean.
public final class ProgressLine {
    private var last = Date.distantPast
    private let started = Date()

    public init?() {
        guard isatty(2) == 1 else { return nil }
    }

    func update(file: String, bytes: Int64, records: Int) {
        let now = Date()
        guard now.timeIntervalSince(last) >= 0.2 else { return }
        last = now
        let seconds = max(now.timeIntervalSince(started), 0.001)
        let mb = Double(bytes) / 1_048_576
        let line = "\(file): \(Int(mb)) MB read, \(records) records, \(Int(Double(records) / seconds)) records/s"
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    func clear() {
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
