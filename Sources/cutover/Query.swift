import ArgumentParser
import CutoverKit
import Foundation

struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a saved query from queries/ (by name) or inline SQL, read-only.",
        discussion: """
            Example:
              cutover query nodes-that-missed-a-round
              cutover query --format csv "SELECT node, verdict FROM attributions"
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json, markdown
    }

    @OptionGroup var database: DatabaseOption
    @Option(name: .long, help: "Output format: table, csv, json or markdown.") var format: Format = .table
    @Option(name: .long, help: "Where the saved queries are.", completion: .directory) var queries: String = "queries"
    @Argument(
        help: "A saved query's name (queries/NAME.sql) or SQL text.",
        completion: .custom { _, _, prefix in SavedQueries(directory: "queries").names().filter { $0.hasPrefix(prefix) } })
    var query: String

    func run() throws {
        let sql = try SavedQueries(directory: queries).sql(for: query)
        let db = try Database.forQueries(path: database.db)
        // Rows are written as they come: an export of a whole table holds one row at a time.
        try QueryRunner(db: db).stream(sql, format: format.rawValue) { try StandardOutput.write($0) }
    }
}
