import ArgumentParser
import CutoverKit

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stream exported logs (plain or gzip, files or directories, - for stdin) into the database.",
        discussion: """
            Kubernetes events (kubectl -o json, watch streams, event-exporter, events.k8s.io/v1, KubeEvents as JSON \
            or CSV) and ARM activity logs (az monitor activity-log list, PT1H.json, Event Hubs records, AzureActivity \
            as JSON or CSV) are detected from the bytes, plain or gzip. Re-ingesting a file is a no-op; records that \
            cannot be read go to the rejects table. Progress is shown on stderr when it is a terminal.
            Example:
              cutover ingest --db incident.sqlite exports/events.json.gz insights-activity-logs/
            """)

    @OptionGroup var database: DatabaseOption
    @OptionGroup var lock: LockOption
    @OptionGroup var ingest: IngestOptions
    @Argument(help: "Files or directories to read.", completion: .file()) var paths: [String]

    func run() throws {
        var options = ingest.options
        options.lockTimeout = lock.wait
        if !(try runIngest(paths, db: database.db, options: options, quiet: ingest.quiet)) { throw ExitCode(damagedInputExit) }
    }
}
