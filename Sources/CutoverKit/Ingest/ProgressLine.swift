import Foundation

/// A one-line progress display on stderr, redrawn at most five times a second.
///
/// Only created when stderr is a terminal that can redraw a line (not `TERM=dumb`), so logs
/// and cron mails stay clean; `--quiet` turns it off. The line is cut to the terminal's width
/// (a longer one would wrap and leave stale lines behind), and file names from the disk are
/// shown with their control characters escaped (`TerminalText`).
public final class ProgressLine {
    private var last = Date.distantPast
    private var currentFile = ""
    private var fileStarted = Date()

    public init?() {
        guard isatty(2) == 1, ProcessInfo.processInfo.environment["TERM"] != "dumb" else { return nil }
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
        var line = "\(TerminalText.safe(file)): "
        if total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            line += "\(Int(fraction * 100))% of \(Self.grouped(Int(Double(total) / 1_048_576))) MB, "
            // The first second's rate is the page cache's, not the file's.
            if fraction > 0.01 && fraction < 1 && seconds >= 1 {
                line += "ETA \(Int(seconds * (1 - fraction) / fraction)) s, "
            } else if fraction >= 1 {
                line += "folding and indexing, "
            }
        }
        line += "\(Self.grouped(records)) records"
        if seconds >= 1 { line += ", \(Self.grouped(Int(Double(records) / seconds))) records/s" }
        draw(line)
    }

    /// Says what the ingest is doing after the last byte was read (folding, building indexes).
    func phase(_ what: String, file: String) {
        last = Date()
        draw("\(TerminalText.safe(file)): \(what)")
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
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}
