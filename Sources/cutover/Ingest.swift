import ArgumentParser
import CutoverKit

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stream exported logs (plain or gzip, files or directories, - for stdin) into the database.",
        discussion: """
            Kubernetes events (kubectl -o json, watch streams, event-exporter, events.k8s.io/v1) and ARM activity \
            logs (az monitor activity-log list, PT1H.json, Event Hubs records, AzureActivity) are detected from the bytes. \
            Re-ingesting a file is a no-op; records that cannot be read go to the rejects table.
            Example:
              cutover ingest --db incident.sqlite exports/events.json.gz insights-activity-logs/
            """)

    @OptionGroup var database: DatabaseOption
    @Argument(help: "Files or directories to read.") var paths: [String]

    func run() throws {
        if !(try runIngest(paths, db: database.db)) { throw ExitCode(damagedInputExit) }
    }
}
