import ArgumentParser
import CutoverKit
import Foundation

struct NightlyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nightly",
        abstract: "The nightly batch: ingest what is new, re-correlate, write dated postmortems and a fleet index.",
        discussion: """
            Writes OUT/NIGHT/CLUSTER.md for every cluster (each with what changed since the last run), \
            OUT/NIGHT/index.md (one row per cluster) and the link OUT/latest. Files read before are skipped \
            (the manifest), so a night with nothing new only re-reads the manifest. --shard I/N (or \
            JOB_COMPLETION_INDEX with --shards N) takes the clusters of shard I by a stable hash of their id, \
            into a database of its own (DB with .shard-I-of-N before its extension); the shard that finds \
            every part there writes the index (or run cutover fleet-index). A second run on the same \
            database waits --wait seconds, then gives up.
            Exit codes: 0 every cluster converged and the inputs were clean; 3 nodes still to reimage; 2 \
            some input had errors (nothing still to reimage); 1 could not run.
            Example:
              cutover nightly --input /exports/aks --out /reports --keep-days 30
              cutover nightly --input /exports --out /reports --shards 4
            """)

    @Option(name: .long, parsing: .singleValue, help: "A file or directory of exports (repeat for more).", completion: .directory)
    var input: [String] = []
    @Option(name: .long, help: "Where the dated reports go.", completion: .directory) var out: String
    @Option(name: .long, help: "The database (default: OUT/cutover.sqlite).", completion: .file(extensions: ["sqlite"]))
    var db: String?
    @Option(name: .long, help: ArgumentHelp("The night, as a UTC date (default: today).", valueName: "YYYY-MM-DD"))
    var night: String?
    @Option(name: .long, help: ArgumentHelp("This run is shard I of N.", valueName: "I/N")) var shard: String?
    @Option(name: .long, help: ArgumentHelp("The number of shards; the index is JOB_COMPLETION_INDEX.", valueName: "N"))
    var shards: Int?
    @Option(name: .long, help: ArgumentHelp("Prune events older than N days that no result rests on.", valueName: "N"))
    var keepDays: Int?
    @OptionGroup var lock: LockOption
    @Flag(name: .long, help: "No progress line.") var quiet = false

    func validate() throws {
        guard !input.isEmpty else { throw ValidationError("give the exports with --input DIR (repeat for more)") }
        if let night { guard Self.isDate(night) else { throw ValidationError("--night \(night): expected YYYY-MM-DD") } }
        if let keepDays { guard keepDays >= 1 else { throw ValidationError("--keep-days must be 1 or more") } }
        _ = try resolvedShard()
    }

    static func isDate(_ text: String) -> Bool {
        (try? Timestamp.parse(text + "T00:00:00Z")) != nil && text.utf8.count == 10
    }

    func resolvedShard() throws -> Nightly.Shard {
        if let shard {
            guard let s = Nightly.Shard(shard) else { throw ValidationError("--shard \(shard): expected I/N with 0 ≤ I < N") }
            return s
        }
        guard let shards else { return Nightly.Shard(index: 0, count: 1) }
        let env = ProcessInfo.processInfo.environment["JOB_COMPLETION_INDEX"] ?? ""
        guard shards >= 1, let index = Int(env), let s = Nightly.Shard("\(index)/\(shards)") else {
            throw ValidationError("--shards \(shards) needs JOB_COMPLETION_INDEX (0 to \(shards - 1)) in the environment")
        }
        return s
    }

    func run() throws {
        let shard = try resolvedShard()
        var path = db ?? (out as NSString).appendingPathComponent("cutover.sqlite")
        if shard.count > 1 {
            let ext = (path as NSString).pathExtension
            path = (path as NSString).deletingPathExtension + ".shard-\(shard.index)-of-\(shard.count)" + (ext.isEmpty ? "" : "." + ext)
        }
        let today = Timestamp(millis: Int64(Date().timeIntervalSince1970 * 1000)).description.prefix(10)
        var options = Nightly.Options(inputs: input, out: out, db: path, night: night ?? String(today))
        options.shard = shard
        options.keepDays = keepDays
        options.lockTimeout = lock.wait
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let result: Nightly.Result
        do {
            result = try Nightly(options: options).run()
        } catch let error as StoreError {
            throw CommandError("nightly could not run: \(error)")
        }
        printError(
            "nightly \(result.night), shard \(shard): \(result.clusters) cluster(s), \(result.unconvergedNodes) node(s) to reimage, "
                + "\(result.inputErrors.count) input(s) with errors, \(result.pruned) event(s) pruned; "
                + (result.wroteIndex ? "index.md written" : "index.md waits for the other shards"))
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }
}

struct FleetIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet-index",
        abstract: "Write a night's index.md from the index parts its shards wrote.",
        discussion: """
            Exit code 1 when a shard's part is missing (that shard has not finished, or failed).
            Example:
              cutover fleet-index /reports/2026-11-03 --shards 4
            """)

    @Argument(help: "The night's folder (OUT/NIGHT).", completion: .directory) var directory: String
    @Option(name: .long, help: ArgumentHelp("How many shards wrote parts.", valueName: "N")) var shards: Int = 1

    func run() throws {
        guard try NightlyIndex.writeIfComplete(directory: directory, shards: shards) else {
            throw CommandError("\(directory) does not hold the parts of all \(shards) shards yet")
        }
        printError("index.md written to \(directory)")
    }
}
