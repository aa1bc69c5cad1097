import ArgumentParser
import CutoverKit

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ingest, correlate and report in one go: the main job.",
        discussion: """
            Example:
              cutover run samples/logs --out postmortem.md
              cutover run --db incident.sqlite --milestone 1=2026-11-03T10:03:12Z exports/
            """)

    @OptionGroup var database: DatabaseOption
    @OptionGroup var ingest: IngestOptions
    @OptionGroup var correlation: CorrelateOptions
    @Option(name: .long, help: "Write the postmortem to this file instead of stdout.") var out: String?
    @Argument(help: "Files or directories to read.") var paths: [String]

    func run() throws {
        let given = try correlation.given()
        let playbook = try correlation.loadPlaybook()
        let complete = try runIngest(paths, db: database.db, options: ingest.options)
        try Pipeline.correlate(dbPath: database.db, playbook: playbook, given: given)
        try emit(try Pipeline.report(dbPath: database.db), to: out)
        if let out { printError("postmortem written to \(out)") }
        if !complete { throw ExitCode(damagedInputExit) }
    }
}
