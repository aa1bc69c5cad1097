import ArgumentParser
import CutoverKit
import Foundation

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "During a cutover: which nodes still need a reimage, and whether the next step is safe.",
        discussion: """
            Recomputes the correlation from the database first. Exit code 0: safe (every node has \
            bootstrapped since every milestone that needs it); 3: not yet; 1: an error.
            Example:
              cutover ingest --db live.sqlite exports/ && cutover status --db live.sqlite
            """)

    @OptionGroup var database: DatabaseOption
    @OptionGroup var correlation: CorrelateOptions

    func run() throws {
        try Pipeline.correlate(dbPath: database.db, playbook: try correlation.loadPlaybook(), given: try correlation.given())
        let status = try CutoverStatus.read(try Database(path: database.db, readOnly: true))
        FileHandle.standardOutput.write(Data(status.text.utf8))
        if !status.isSafe { throw ExitCode(notSafeExit) }
    }
}
