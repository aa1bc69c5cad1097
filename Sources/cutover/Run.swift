import ArgumentParser
import CutoverKit

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ingest, correlate and report in one go: the main job.",
        discussion: """
            One run is one incident: a --db that already holds other inputs is refused, unless --append says \
            these inputs belong to the same incident. Inputs with several clusters (a subscription's activity \
            log, a fleet's event stream) give one postmortem per cluster: --out DIR writes them and an index.md.
            Example:
              cutover run samples/logs --out postmortem.md
              cutover run --db incident.sqlite --milestone 1=2026-11-03T10:03:12Z exports/
              cutover run --db fleet.sqlite --out postmortems/ insights-activity-logs/ event-exporter/
            """)

    @OptionGroup var database: DatabaseOption
    @OptionGroup var lock: LockOption
    @OptionGroup var ingest: IngestOptions
    @OptionGroup var correlation: CorrelateOptions
    @Option(name: .long, help: "Write the postmortem to this file (or, with several clusters, this directory).", completion: .file())
    var out: String?
    @Flag(name: .long, help: "Add these inputs to a database that already holds the same incident's other inputs.")
    var append = false
    @Argument(help: "Files or directories to read.", completion: .file()) var paths: [String]

    func run() throws {
        let given = try correlation.given()
        let playbook = try correlation.loadPlaybook()
        if !append, let other = try Pipeline.otherInputs(dbPath: database.db, paths: paths) {
            throw CommandError(
                "\(database.db) already holds \(other.count) input file(s) of another run (such as \(TerminalText.safe(other.example))): "
                    + "one run is one incident. Use a new --db, or --append if these inputs belong to the same incident.")
        }
        var options = ingest.options
        if let out { options.excluding.insert(out) }
        options.lockTimeout = lock.wait
        let complete = try runIngest(paths, db: database.db, options: options, quiet: ingest.quiet)
        let result = try Pipeline.correlate(
            dbPath: database.db, playbook: playbook, given: given, cluster: ingest.cluster,
            playbookSource: correlation.playbookSource, lockTimeout: lock.wait)
        if result.clusters.count > 1 && out == nil && ingest.cluster == nil {
            throw CommandError(
                "the inputs hold \(result.clusters.count) clusters (\(result.clusters.map { TerminalText.safe($0.cluster.label) }.joined(separator: ", "))): "
                    + "give --out DIR for one postmortem each and an index.md, or --cluster NAME for one; "
                    + "`cutover report --db \(database.db) --out DIR` does it from this database without ingesting again")
        }
        // The reports read the database: the result is freed on the other core meanwhile.
        Lifetime.releaseInBackground(consume result)
        try writeReports(db: database.db, cluster: ingest.cluster, out: out)
        if !complete { throw ExitCode(damagedInputExit) }
    }
}
