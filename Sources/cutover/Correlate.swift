import ArgumentParser
import CutoverKit

struct Correlate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recompute milestones, node bootstraps and failure attributions from the database.",
        discussion: """
            Example:
              cutover correlate --db incident.sqlite --milestone 2=2026-11-03T11:42:10Z
              cutover correlate --db incident.sqlite --playbook current-docs
            """)

    @OptionGroup var database: DatabaseOption
    @OptionGroup var correlation: CorrelateOptions

    func run() throws {
        let result = try Pipeline.correlate(dbPath: database.db, playbook: try correlation.loadPlaybook(), given: try correlation.given())
        let missed = result.attributions.filter { $0.verdict == .missedRound }.count
        printError("correlated \(result.attributions.count) failure(s) on \(result.nodes.count) node(s): \(missed) from missed rounds")
    }
}
