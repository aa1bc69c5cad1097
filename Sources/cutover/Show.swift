import ArgumentParser
import CutoverKit
import Foundation

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a stored record as its input file has it, checked against the file's SHA-256.",
        discussion: """
            ROW is an event id (kube_events.event_id, attributions.event_id), activity:ID \
            (activity_records.record_id) or reject:ID (rejects.reject_id). The record is read again from its \
            file at its byte offset when the file is still there and unchanged; otherwise the database's \
            own copy is printed (the kube_events_json / activity_records_json view; a reject's first 200 \
            bytes) and stderr says why. On a terminal, control characters are shown escaped.
            Example:
              cutover show 4711
              cutover show activity:12 | jq .properties
            """)

    @OptionGroup var database: DatabaseOption
    @Argument(help: ArgumentHelp("The rows to print.", valueName: "ROW")) var rows: [String]

    func validate() throws {
        guard !rows.isEmpty else { throw ValidationError("give a row: an event id, activity:ID or reject:ID") }
        for row in rows { _ = try Self.parse(row) }
    }

    static func parse(_ row: String) throws -> (OriginalRecord.Table, Int64) {
        let parts = row.split(separator: ":", maxSplits: 1).map(String.init)
        let table = parts.count == 2 ? OriginalRecord.Table(rawValue: parts[0]) : .event
        guard let table, let id = Int64(parts.last ?? ""), id > 0 else {
            throw ValidationError("\(row): expected an event id (4711), activity:ID or reject:ID")
        }
        return (table, id)
    }

    func run() throws {
        let db = try Database.forQueries(path: database.db)
        let terminal = isatty(1) == 1
        for row in rows {
            let (table, id) = try Self.parse(row)
            let record = try OriginalRecord.find(db: db, table: table, id: id)
            if let reason = record.fallbackReason {
                FileHandle.standardError.write(Data("cutover: \(row): \(TerminalText.safe(reason)); printing the database's copy\n".utf8))
            }
            let text = String(decoding: record.bytes, as: UTF8.self)
            try StandardOutput.write((terminal ? TerminalText.safe(text) : text) + "\n")
        }
    }
}
