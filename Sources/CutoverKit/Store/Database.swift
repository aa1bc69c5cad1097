import CSQLite
import Foundation

/// One SQLite connection: opens the file, turns on extended result codes, runs SQL.
///
/// The only owner of a `sqlite3*` handle in cutover; statements borrow it.
public final class Database {
    let handle: OpaquePointer
    public let path: String

    /// Opens (and creates, unless `readOnly`) the database at `path`. `immutable` (read-only
    /// only) tells SQLite the file cannot change, so a WAL database in a directory nobody may
    /// write to can still be read.
    public init(path: String, readOnly: Bool = false, immutable: Bool = false) throws {
        var db: OpaquePointer?
        let flags =
            readOnly
            ? SQLITE_OPEN_READONLY
            : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        var name = path
        if readOnly && immutable {
            let escaped = path.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "?", with: "%3f")
                .replacingOccurrences(of: "#", with: "%23")
            name = "file:\(escaped)?immutable=1"
        }
        let rc = sqlite3_open_v2(name, &db, flags | SQLITE_OPEN_NOMUTEX | (immutable ? SQLITE_OPEN_URI : 0), nil)
        guard rc == SQLITE_OK, let db else {
            let error = SQLiteError(code: rc, db: db, sql: nil)
            sqlite3_close(db)
            throw SQLiteError(code: error.code, message: "cannot open \(path): \(error.message)")
        }
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 5_000)
        self.handle = db
        self.path = path
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(error)
            throw SQLiteError(code: rc, message: message, sql: sql)
        }
    }

    public func prepare(_ sql: String) throws -> Statement {
        try Statement(db: handle, sql: sql)
    }

    /// Runs a query and returns every row (small result sets: views, reports, tests).
    public func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [[SQLValue]] {
        let stmt = try prepare(sql)
        try stmt.bindAll(values)
        var result: [[SQLValue]] = []
        while try stmt.step() {
            result.append((0..<stmt.columnCount).map { stmt.value($0) })
        }
        return result
    }

    /// The first column of the first row, or nil.
    public func scalar(_ sql: String, _ values: [SQLValue] = []) throws -> SQLValue? {
        try rows(sql, values).first?.first
    }

    public func int(_ sql: String, _ values: [SQLValue] = []) throws -> Int {
        if case .integer(let v)? = try scalar(sql, values) { return Int(v) }
        return 0
    }

    /// Runs `body` in one transaction; rolls back if it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try inTransaction("BEGIN IMMEDIATE", body)
    }

    /// Runs `body` in one read transaction: every query in it sees the database as it was at
    /// the first one, whatever commits meanwhile (a report is never half old results, half new).
    /// Inside a transaction already open, `body` runs in that one.
    public func readTransaction<T>(_ body: () throws -> T) throws -> T {
        sqlite3_get_autocommit(handle) == 0 ? try body() : try inTransaction("BEGIN DEFERRED", body)
    }

    private func inTransaction<T>(_ begin: String, _ body: () throws -> T) throws -> T {
        try execute(begin)
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// True when the statement only reads (SQLite's own judgement, used to guard `query`).
    public func isReadOnly(_ sql: String) throws -> Bool {
        let stmt = try prepare(sql)
        return sqlite3_stmt_readonly(stmt.handle) != 0
    }
}

extension Database {
    /// Opens a database for SQL a user wrote (`cutover query`): read-only and never created;
    /// SQLite's defensive mode on; functions that reach beyond SQL values (`fts3_tokenizer`,
    /// which hands out a pointer, `load_extension`) refused; and readable where the file and its
    /// directory are read-only (then opened `immutable`).
    public static func forQueries(path: String) throws -> Database {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.noDatabase(path) }
        var db = try Database(path: path, readOnly: true)
        do {
            _ = try db.int("SELECT count(*) FROM sqlite_master")
        } catch let error as SQLiteError where [SQLITE_CANTOPEN, SQLITE_READONLY].contains(error.code & 0xFF) {
            db = try Database(path: path, readOnly: true, immutable: true)
        }
        cutover_sqlite3_defensive(db.handle)
        cutover_sqlite3_no_fts3_tokenizer(db.handle)
        sqlite3_set_authorizer(db.handle, refuseUnsafeFunctions, nil)
        return db
    }
}

/// The authorizer of `Database.forQueries`: every action allowed but calls of the functions
/// that leave SQL's values behind.
private let refuseUnsafeFunctions:
    @convention(c) (
        UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?
    ) -> Int32 = { _, action, _, function, _, _ in
        guard action == SQLITE_FUNCTION, let function else { return SQLITE_OK }
        let name = String(cString: function).lowercased()
        return ["fts3_tokenizer", "load_extension", "readfile", "writefile", "edit", "fts5"].contains(name) ? SQLITE_DENY : SQLITE_OK
    }
