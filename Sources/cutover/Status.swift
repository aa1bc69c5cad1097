import ArgumentParser
import CutoverKit
import Foundation

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "During a cutover: which nodes still need a reimage, and whether the next step is safe.",
        discussion: """
            Reads the last correlation; when inputs were ingested since, it correlates again the way the last \
            `correlate` was asked (its playbook and milestones), or as --playbook and --milestone say. With several \
            clusters it reports each, and the step is safe only when it is for every one (or the one --cluster names). \
            Exit code 0: safe; 3: some node still needs a reimage; 4: unknown, the inputs cannot show it (no activity \
            log, no node, events of unknown cluster), which a gate must treat as not safe; 1: an error.
            Example:
              cutover ingest --db live.sqlite exports/ && cutover status --db live.sqlite
            """)

    @OptionGroup var database: DatabaseOption
    @OptionGroup var lock: LockOption
    @OptionGroup var correlation: CorrelateOptions
    @Option(name: .long, help: ArgumentHelp("Only this cluster: its name or resource id.", valueName: "NAME")) var cluster: String?

    func run() throws {
        let store = try ResultStore(path: database.db)
        let last = try store.lastCorrelation()
        if correlation.isGiven {
            try Pipeline.correlate(
                dbPath: database.db, playbook: try correlation.loadPlaybook(), given: try correlation.given(), cluster: cluster,
                playbookSource: correlation.playbookSource, lockTimeout: lock.wait)
        } else if let last, last.stale {
            // Inputs arrived since: correlate again as the user last asked, never with other defaults.
            try Pipeline.correlate(
                dbPath: database.db, playbook: try Playbook.load(last.playbook), given: last.given, cluster: last.cluster,
                playbookSource: last.playbook, lockTimeout: lock.wait)
        } else if last == nil, try store.clusters().isEmpty {
            // Never correlated (results kept from an older cutover are read as they are).
            try Pipeline.correlate(dbPath: database.db, lockTimeout: lock.wait)
        }
        let reader = try ResultStore(path: database.db)
        let clusters = try reader.clusters()
        let chosen = try cluster.map { [try Cluster.pick($0, from: clusters, hint: "")] } ?? (clusters.isEmpty ? [.unnamed] : clusters)
        var verdicts: [CutoverStatus.Verdict] = []
        for c in chosen {
            let status = try CutoverStatus.read(reader.db, cluster: c)
            let text = status.text.split(separator: "\n", omittingEmptySubsequences: false).map { TerminalText.safe(String($0)) }
            try StandardOutput.write(text.joined(separator: "\n"))
            verdicts.append(status.verdict)
        }
        if verdicts.contains(.notSafe) { throw ExitCode(notSafeExit) }
        if verdicts.contains(.unknown) { throw ExitCode(unknownSafetyExit) }
    }
}
