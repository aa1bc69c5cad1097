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
    @OptionGroup var lock: LockOption
    @OptionGroup var correlation: CorrelateOptions
    @Option(
        name: .long, help: ArgumentHelp("The cluster the --milestone times are about (needed when there are several).", valueName: "NAME"))
    var cluster: String?

    func run() throws {
        let result = try Pipeline.correlate(
            dbPath: database.db, playbook: try correlation.loadPlaybook(), given: try correlation.given(), cluster: cluster,
            playbookSource: correlation.playbookSource, lockTimeout: lock.wait)
        printError(summary(result))
        Lifetime.keepUntilExit(consume result)
    }
}

/// "correlated 49 failure(s) on 19 node(s): 33 from missed rounds", per cluster when there are several.
func summary(_ result: FleetCorrelator.Result) -> String {
    // Counted in place: copying 98,000 attributions to count them took about a fifth of a second
    // (a filter, lazy or not, hands each element to its closure as a copy).
    func line(_ lists: [Attribution]..., nodes: Int) -> String {
        let count = lists.reduce(0) { $0 + $1.count }
        let missed = lists.reduce(0) { sum, list in sum + list.indices.reduce(0) { $0 + (list[$1].verdict == .missedRound ? 1 : 0) } }
        return "\(count) failure(s) on \(nodes) node(s): \(missed) from missed rounds"
    }
    guard result.clusters.count > 1 else {
        return "correlated " + line(result.clusters.first?.result.attributions ?? [], result.unassigned, nodes: result.nodeCount)
    }
    var lines = ["correlated \(result.clusters.count) clusters:"]
    for c in result.clusters {
        lines.append("  \(TerminalText.safe(c.cluster.label)): " + line(c.result.attributions, nodes: c.result.nodes.count))
    }
    if !result.unassigned.isEmpty {
        lines.append("  \(result.unassigned.count) failure(s) name no cluster and could be tied to none: ingest their files with --cluster")
    }
    if result.unassignedActivity > 0 {
        lines.append(
            "  \(result.unassignedActivity) activity record(s) are about resources of no cluster in the inputs: they decide nothing")
    }
    return lines.joined(separator: "\n")
}
