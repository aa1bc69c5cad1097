import ArgumentParser
import CutoverKit

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the markdown postmortem of a correlated database (stdout by default).",
        discussion: """
            A database with several clusters gives one postmortem per cluster: name one with --cluster, \
            or give --out DIR for one file each and an index.md.
            Example:
              cutover report --db incident.sqlite --out postmortem.md
              cutover report --db fleet.sqlite --out postmortems/
            """)

    @OptionGroup var database: DatabaseOption
    @Option(name: .long, help: "Write the postmortem to this file (or, with several clusters, this directory).", completion: .file())
    var out: String?
    @Option(name: .long, help: ArgumentHelp("The cluster to report on: its name or resource id.", valueName: "NAME"))
    var cluster: String?

    func run() throws {
        try writeReports(db: database.db, cluster: cluster, out: out)
    }
}
