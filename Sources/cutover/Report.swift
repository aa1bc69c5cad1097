import ArgumentParser
import CutoverKit

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the markdown postmortem of a correlated database (stdout by default).",
        discussion: """
            Example:
              cutover report --db incident.sqlite --out postmortem.md
            """)

    @OptionGroup var database: DatabaseOption
    @Option(name: .long, help: "Write the postmortem to this file instead of stdout.") var out: String?
    @Option(name: .long, help: "Only this cluster's failures.") var cluster: String?

    func run() throws {
        try emit(try Pipeline.report(dbPath: database.db, cluster: cluster), to: out)
    }
}
