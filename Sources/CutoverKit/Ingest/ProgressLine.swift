import Foundation

/// A one-line progress display on stderr, redrawn at most five times a second.
///
/// Only created when stderr is a terminal that can redraw a line (not `TERM=dumb`), so logs
/// and cron mails stay clean; `--quiet` turns it off. The line is cut to the terminal's width
/// (a longer one would wrap and leave stale lines behind), and file names from the disk are
/// shown with their control characters escaped (`TerminalText`).
public final class ProgressLine {
    private var last = Date.distantPast
    private var started = Date()
    private var files = 0
    private var totalBytes: Int64 = 0
    /// Bytes on disk of the files finished before the current one.
    private var finishedBytes: Int64 = 0
    private var index = 0
    private var currentFile = ""
    private var currentSize: Int64 = 0

    public init?() {
        guard isatty(2) == 1, ProcessInfo.processInfo.environment["TERM"] != "dumb" else { return nil }
    }

    /// The whole ingest: how many files, and their size on disk.
    func begin(files: Int, bytes: Int64) {
        self.files = files
        totalBytes = bytes
        started = Date()
    }

    /// The next file starts (the one before it is done).
    func startFile(_ name: String, size: Int64) {
        finishedBytes += currentSize
        currentSize = size
        currentFile = name
        index += 1
    }

    /// Redraws `2/6 events.ndjson.gz: 41% of 94 MB · all: 23% of 410 MB, ETA 40 s · 412,000 records, 84,000 records/s`.
    func update(done: Int64, records: Int) {
        let now = Date()
        guard now.timeIntervalSince(last) >= 0.2 else { return }
        last = now
        let seconds = max(now.timeIntervalSince(started), 0.001)
        var line = "\(index)/\(max(files, index)) \(TerminalText.safe(currentFile)): "
        if currentSize > 0 {
            line += "\(Int(min(1, Double(done) / Double(currentSize)) * 100))% of \(Self.megabytes(currentSize))"
            if done >= currentSize { line += ", folding and indexing" }
        }
        if totalBytes > 0 && files > 1 {
            let fraction = min(1, Double(finishedBytes + done) / Double(totalBytes))
            line += " · all: \(Int(fraction * 100))% of \(Self.megabytes(totalBytes))"
            // The first second's rate is the page cache's, not the inputs'.
            if fraction > 0.01 && fraction < 1 && seconds >= 1 { line += ", ETA \(Int(seconds * (1 - fraction) / fraction)) s" }
        } else if currentSize > 0 && seconds >= 1 && done < currentSize && done > 0 {
            line += ", ETA \(Int(seconds * Double(currentSize - done) / Double(done))) s"
        }
        line += " · \(Self.grouped(records)) records"
        if seconds >= 1 { line += ", \(Self.grouped(Int(Double(records) / seconds))) records/s" }
        draw(line)
    }

    static func megabytes(_ bytes: Int64) -> String {
        bytes < 10 << 20 ? String(format: "%.1f MB", Double(bytes) / 1_048_576) : "\(grouped(Int(bytes >> 20))) MB"
    }

    /// Says what the ingest is doing after the last byte was read (folding, building indexes).
    func phase(_ what: String) {
        last = Date()
        draw("\(index)/\(max(files, index)) \(TerminalText.safe(currentFile)): \(what)")
    }

    func clear() {
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    private func draw(_ text: String) {
        let width = Self.columns()
        let line = text.count >= width ? String(text.prefix(max(1, width - 2))) + "…" : text
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    /// The terminal's width (80 when it cannot be asked).
    static func columns() -> Int {
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// `1,234,567`: thousands separated, whatever the locale.
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}
