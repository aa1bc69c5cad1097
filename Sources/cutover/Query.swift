import ArgumentParser
import CutoverKit
import Foundation

struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a saved query from queries/ (by name) or inline SQL, read-only.",
        discussion: """
            Parameters (:node, @since, $x) are bound by name with --param NAME=VALUE; one left \
            unbound is an error that names it. Rows are written as they come, in every format. \
            A table fits the terminal (long cells end in …; --wide keeps them whole) and shows \
            NULL as NULL. csv puts a ' before a cell a spreadsheet would run as a formula.
            Example:
              cutover query --list
              cutover query nodes-that-missed-a-round
              cutover query node-history --param node=aks-apps-12345678-vmss000004
              cutover query --format csv "SELECT node, verdict FROM attributions"
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, csv, json, markdown
    }

    @OptionGroup var database: DatabaseOption
    @Option(name: .long, help: "Output format: table, csv, json or markdown.") var format: Format = .table
    @Option(name: .long, help: "Where the saved queries are.", completion: .directory) var queries: String = "queries"
    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("A parameter of the query, bound by name.", valueName: "NAME=VALUE"))
    var param: [String] = []
    @Flag(name: .long, help: "List the saved queries with the question each answers.") var list = false
    @Flag(name: .long, help: "Table cells whole, however wide.") var wide = false
    @Argument(
        help: "A saved query's name (queries/NAME.sql), a file of SQL, or SQL text.",
        completion: .custom { _, _, prefix in SavedQueries(directory: "queries").names().filter { $0.hasPrefix(prefix) } })
    var query: String?

    func validate() throws {
        guard list || query != nil else { throw ValidationError("give a saved query's name or SQL text, or --list") }
        _ = try parameters()
    }

    func parameters() throws -> [String: String] {
        var result: [String: String] = [:]
        for item in param {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ValidationError("--param \(item): expected NAME=VALUE, e.g. node=aks-apps-1-vmss000004")
            }
            result[
                parts[0].hasPrefix(":") || parts[0].hasPrefix("@") || parts[0].hasPrefix("$") ? String(parts[0].dropFirst()) : parts[0]] =
                parts[1]
        }
        return result
    }

    func run() throws {
        let saved = SavedQueries(directory: queries)
        if list {
            try StandardOutput.write(saved.listing())
            return
        }
        let sql = try saved.sql(for: query ?? "")
        let db = try Database.forQueries(path: database.db)
        let width = wide ? nil : (isatty(1) == 1 ? terminalColumns() : 120)
        // Rows are written as they come: an export of a whole table holds one row at a time.
        do {
            try QueryRunner(db: db).stream(sql, format: format.rawValue, parameters: try parameters(), width: width) {
                try StandardOutput.write($0)
            }
        } catch let error as SQLiteError {
            // A saved query of this version on a database of an older one: say how to fix it.
            let version = (try? db.int("PRAGMA user_version")) ?? Schema.version
            guard version < Schema.version else { throw error }
            throw StoreError.olderSchema(database.db, version: version, underlying: error.description)
        }
    }
}

/// The width of the terminal on standard output (80 when it cannot be asked).
func terminalColumns() -> Int {
    var size = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    return 80
}
