import CSQLite

/// An SQLite failure: the extended result code, SQLite's message and the SQL that failed.
///
/// The description is the user interface: it names the statement so that a failing
/// migration or query can be found without a debugger.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let message: String
    public let sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    init(code: Int32, db: OpaquePointer?, sql: String? = nil) {
        let text = db.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        self.init(code: code, message: text ?? String(cString: sqlite3_errstr(code)), sql: sql)
    }

    public var description: String {
        var text = "SQLite error \(code): \(message)"
        if let sql { text += " (in: \(sql.trimmingWhitespace()))" }
        return text
    }
}
