import ArgumentParser
import CutoverKit

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the markdown postmortem of a correlated database (stdout by default).",
        discussion: """
            A database with several clusters gives one postmortem per cluster: name one with --cluster, \
            or give --out DIR for one file each and an index.md. --format json writes the same facts as \
            structured JSON (schema cutover.postmortem/1, docs/POSTMORTEM-JSON.md).
            Example:
              cutover report --db incident.sqlite --out postmortem.md
              cutover report --db fleet.sqlite --out postmortems/
              cutover report --db incident.sqlite --format json | jq .summary
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case markdown, json
    }

    @OptionGroup var database: DatabaseOption
    @Option(name: .long, help: "Write the postmortem to this file (or, with several clusters, this directory).", completion: .file())
    var out: String?
    @Option(name: .long, help: ArgumentHelp("The cluster to report on: its name or resource id.", valueName: "NAME"))
    var cluster: String?
    @Option(name: .long, help: "markdown (the postmortem) or json (the same facts, structured).") var format: Format = .markdown

    func run() throws {
        try writeReports(db: database.db, cluster: cluster, out: out, json: format == .json)
    }
}
