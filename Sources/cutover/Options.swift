import ArgumentParser
import CutoverKit
import Foundation

struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: "The SQLite database file.", completion: .file(extensions: ["sqlite", "db"]))
    var db: String = "cutover.sqlite"
}

struct LockOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("How long to wait while another cutover writes to the database before giving up.", valueName: "SECONDS"))
    var wait: Double = 300

    func validate() throws {
        guard wait >= 0 else { throw ValidationError("--wait must be 0 or more seconds") }
    }
}

struct IngestOptions: ParsableArguments {
    @Option(name: .long, help: "Largest record accepted, in bytes; a bigger one is kept as a reject.")
    var maxRecordBytes: Int = 16 << 20
    @Flag(
        name: .long,
        help: """
            For loads nobody reads during (a nightly batch): lock the database and write each page once \
            instead of through the WAL, about 12% faster on large loads; WAL again when the ingest ends.
            """)
    var exclusive = false
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The cluster of the events that name none (a kubectl get events dump): its name or resource id.",
            valueName: "NAME"))
    var cluster: String?
    @Flag(name: .long, help: "No progress line (it is shown only on a terminal anyway).") var quiet = false

    func validate() throws {
        guard maxRecordBytes >= 1024 else { throw ValidationError("--max-record-bytes must be at least 1024") }
    }

    var options: Ingester.Options {
        var options = Ingester.Options()
        options.maxRecordBytes = maxRecordBytes
        options.exclusive = exclusive
        options.cluster = cluster
        return options
    }
}

struct CorrelateOptions: ParsableArguments {
    @Option(
        name: .long, parsing: .singleValue,
        help: ArgumentHelp(
            "A milestone time the logs do not show, as N=TIME (UTC, RFC 3339); wins over a detected one.",
            valueName: "N=TIME"))
    var milestone: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Which rounds need a reimage: three-rounds (default), current-docs, or a playbook JSON file.",
            valueName: "NAME|FILE"),
        completion: .custom { _, _, prefix in Playbook.builtIn.map(\.name).filter { $0.hasPrefix(prefix) } + filesMatching(prefix) })
    var playbook: String?

    /// Whether the command line said anything about how to correlate.
    var isGiven: Bool { playbook != nil || !milestone.isEmpty }

    /// The playbook as named on the command line (the default when it names none).
    var playbookSource: String { playbook ?? Playbook.threeRounds.name }

    func loadPlaybook() throws -> Playbook {
        let loaded: Playbook
        do {
            loaded = try Playbook.load(playbookSource)
        } catch {
            throw ValidationError("--playbook: \(error)")
        }
        for round in try given().keys where loaded.round(round) == nil {
            throw ValidationError("--milestone \(round)=…: playbook \(loaded.name) has no round \(round)")
        }
        return loaded
    }

    func given() throws -> [Int: Timestamp] {
        var result: [Int: Timestamp] = [:]
        for item in milestone {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let round = Int(parts[0]), round >= 1 else {
                throw ValidationError("--milestone \(item): expected N=TIME with N a round number, e.g. 2=2026-11-03T14:05:00Z")
            }
            do {
                result[round] = try Timestamp.parse(parts[1])
            } catch {
                throw ValidationError("--milestone \(item): \(parts[1]) is not an RFC 3339 time with a zone, e.g. 2026-11-03T14:05:00Z")
            }
        }
        return result
    }
}

/// Writes text to a file, or to stdout when `path` is nil.
func emit(_ text: String, to path: String?) throws {
    if let path {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw ValidationError("cannot write \(path): \(error.localizedDescription)")
        }
    } else {
        try StandardOutput.write(text)
    }
}

/// A message on stderr; control characters from file names and logs are shown, not obeyed.
func printError(_ text: String) {
    let safe = text.split(separator: "\n", omittingEmptySubsequences: false).map { TerminalText.safe(String($0)) }
    FileHandle.standardError.write(Data((safe.joined(separator: "\n") + "\n").utf8))
}

/// Ingests and prints the summary on stderr; returns false when an input was damaged.
func runIngest(_ paths: [String], db: String, options: Ingester.Options, quiet: Bool = false) throws -> Bool {
    let summary = try Pipeline.ingest(paths: paths, dbPath: db, options: options, progress: quiet ? nil : ProgressLine())
    printError(summary.text)
    return summary.damaged.isEmpty
}

/// Writes one postmortem to a file (or stdout) when the database holds one cluster or
/// `cluster` names one; one file per cluster and an `index.md` into `out` when it holds several
/// and `out` is given (or `out` is a directory).
func writeReports(db: String, cluster: String?, out: String?, json: Bool = false) throws {
    var isDirectory: ObjCBool = false
    let outIsDirectory = out.map { FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue } ?? false
    let several = try ResultStore(path: db).clusters().count > 1
    guard let out, cluster == nil, several || outIsDirectory else {
        try emit(try Pipeline.report(dbPath: db, cluster: cluster, json: json), to: out)
        if let out { printError("postmortem written to \(out)") }
        return
    }
    do {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    } catch {
        throw ValidationError("cannot create the directory \(out): \(error.localizedDescription)")
    }
    let (postmortems, index) = try Pipeline.reports(dbPath: db, json: json)
    for p in postmortems { try emit(p.markdown, to: (out as NSString).appendingPathComponent(p.file)) }
    try emit(index, to: (out as NSString).appendingPathComponent("index.md"))
    printError("\(postmortems.count) postmortem(s) and index.md written to \(out)")
}

/// A problem that is not a usage error: printed as `Error: …`, exit code 1 (no usage text).
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Files and directories that complete `prefix`, for completions that mix names and paths.
func filesMatching(_ prefix: String) -> [String] {
    let dir = prefix.contains("/") ? String(prefix[..<(prefix.lastIndex(of: "/") ?? prefix.startIndex)]) + "/" : ""
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
    return names.map { dir + $0 }.filter { $0.hasPrefix(prefix) && !$0.hasPrefix(".") }.sorted()
}
