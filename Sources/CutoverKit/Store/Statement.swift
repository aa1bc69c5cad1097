import CSQLite

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A prepared SQLite statement that owns its handle and finalises it in `deinit`.
///
/// Prepare once, then `bind`/`step`/`reset` in loops. Byte-slice binding copies the bytes
/// (SQLITE_TRANSIENT) so that callers may reuse their buffers right after `step`.
public final class Statement {
    let handle: OpaquePointer
    let db: OpaquePointer
    public let sql: String
    /// Text after the first statement (`sqlite3_prepare_v2` compiles only one).
    public let trailingSQL: String

    init(db: OpaquePointer, sql: String) throws {
        var stmt: OpaquePointer?
        let utf8 = Array(sql.utf8CString)
        var consumed = 0
        let rc = utf8.withUnsafeBufferPointer { buffer -> Int32 in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v2(db, buffer.baseAddress, -1, &stmt, &tail)
            if let tail, let base = buffer.baseAddress { consumed = tail - base }
            return rc
        }
        guard rc == SQLITE_OK, let stmt else { throw SQLiteError(code: rc, db: db, sql: sql) }
        let rest = utf8.dropLast().dropFirst(consumed).map { UInt8(bitPattern: $0) }
        self.trailingSQL = String(decoding: rest, as: UTF8.self)
        self.handle = stmt
        self.db = db
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    public func bind(_ index: Int32, _ value: String?) throws {
        guard var value else { return try check(sqlite3_bind_null(handle, index)) }
        // Native strings are contiguous UTF-8: bind the bytes with their length, no C string copy.
        let rc = value.withUTF8 { utf8 -> Int32 in
            guard let base = utf8.baseAddress, !utf8.isEmpty else {
                return sqlite3_bind_text(handle, index, "", 0, Statement.transient)
            }
            return sqlite3_bind_text(
                handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(utf8.count), Statement.transient)
        }
        try check(rc)
    }

    /// Binds UTF-8 text that SQLite reads in place, without its own copy: `bytes` must stay
    /// valid until the statement is reset (which clears the bindings). A row's dozen texts from
    /// the batch's arena: a copy each was a malloc, a memcpy and a free per value on the writer.
    func bindInPlace(_ index: Int32, bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            return try check(sqlite3_bind_text(handle, index, "", 0, Statement.transient))
        }
        try check(sqlite3_bind_text(handle, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil))  // SQLITE_STATIC
    }

    /// Binds a time as its `description` text, written into `buffer` (24 bytes) and read there
    /// in place: `buffer` must stay valid until the statement is reset.
    func bindInPlace(_ index: Int32, time: Timestamp, into buffer: UnsafeMutableBufferPointer<UInt8>) throws {
        let count = time.writeText(into: buffer)
        try bindInPlace(index, bytes: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<count]))
    }

    public func bind(_ index: Int32, _ value: Int64?) throws {
        try check(value.map { sqlite3_bind_int64(handle, index, $0) } ?? sqlite3_bind_null(handle, index))
    }

    public func bind(_ index: Int32, _ value: Int?) throws {
        try bind(index, value.map(Int64.init))
    }

    public func bind(_ index: Int32, _ value: Double?) throws {
        try check(value.map { sqlite3_bind_double(handle, index, $0) } ?? sqlite3_bind_null(handle, index))
    }

    /// Binds values in order, starting at parameter 1.
    public func bindAll(_ values: [SQLValue]) throws {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .null: try check(sqlite3_bind_null(handle, index))
            case .integer(let v): try bind(index, v)
            case .real(let v): try bind(index, v)
            case .text(let v): try bind(index, v)
            }
        }
    }

    /// The statement's parameter names, in order (`:node`, `@since`, `$x`; `?1` for numbered ones).
    public var parameterNames: [String] {
        (1...max(1, Int(sqlite3_bind_parameter_count(handle)))).compactMap { i in
            guard i <= Int(sqlite3_bind_parameter_count(handle)) else { return nil }
            return sqlite3_bind_parameter_name(handle, Int32(i)).map { String(cString: $0) } ?? "?\(i)"
        }
    }

    /// Binds each parameter by its name without the prefix (`node` for `:node`). Values are
    /// text, as typed; SQLite's comparison affinity applies as for any text literal.
    public func bindNamed(_ values: [String: String]) throws {
        for (i, name) in parameterNames.enumerated() {
            let key = String(name.dropFirst())
            if let value = values[key] { try bind(Int32(i + 1), value) }
        }
    }

    /// Steps once; returns true when a row is available.
    @discardableResult
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteError(code: rc, db: db, sql: sql)
        }
    }

    /// Runs the statement to completion with the given values, then resets it.
    public func run(_ values: [SQLValue] = []) throws {
        try bindAll(values)
        defer { reset() }
        while try step() {}
    }

    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    public var columnCount: Int32 { sqlite3_column_count(handle) }

    public func columnName(_ index: Int32) -> String {
        sqlite3_column_name(handle, index).map { String(cString: $0) } ?? ""
    }

    public func isNull(_ index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_NULL }

    public func string(_ index: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, index) else { return nil }
        return String(cString: text)
    }

    /// The column's text, sharing `previous`'s storage when the bytes are the same: for columns
    /// whose values repeat from row to row (a reason, a kind, a component, read in index
    /// order), one `String` serves them all instead of one allocation a row.
    public func string(_ index: Int32, sameAs previous: inout String?) -> String? {
        guard let text = sqlite3_column_text(handle, index) else { return nil }
        let bytes = UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, index)))
        // memcmp, not `elementsEqual` (byte by byte): a fifth of the report's read of 98,000 failures.
        if var known = previous,
            known.withUTF8({ $0.count == bytes.count && ($0.isEmpty || memcmp($0.baseAddress!, text, bytes.count) == 0) })
        {
            return known
        }
        let value = String(decoding: bytes, as: UTF8.self)
        previous = value
        return value
    }

    /// The column's text with every byte (as `string(_:sameAs:)` reads it, sharing `previous`),
    /// and as `string(_:)` shows it, up to its first NUL: the same `String` when it has none.
    public func text(_ index: Int32, sameAs previous: inout String?) -> (whole: String, shown: String)? {
        guard let text = sqlite3_column_text(handle, index) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        guard let whole = string(index, sameAs: &previous) else { return nil }
        guard count > 0, memchr(text, 0, count) != nil else { return (whole, whole) }
        return (whole, String(cString: text))
    }

    /// The column as `SQLValue.text` spells it, handed to `body` as bytes without making a
    /// `String`: text up to its first NUL, as `string(_:)` reads it; an integer as its decimal
    /// digits (SQLite's text of it, the same as `String(Int64)`'s).
    public func withText<R>(_ index: Int32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_NULL: return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        case SQLITE_TEXT, SQLITE_INTEGER:
            guard let text = sqlite3_column_text(handle, index) else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
            return try body(UnsafeRawBufferPointer(start: text, count: strlen(UnsafeRawPointer(text).assumingMemoryBound(to: CChar.self))))
        default:
            var text = value(index).text
            return try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
        }
    }

    /// The column's text read as a timestamp straight from SQLite's bytes (no `String` made); nil
    /// when it is NULL or not a timestamp.
    public func timestamp(_ index: Int32) -> Timestamp? {
        guard let text = sqlite3_column_text(handle, index) else { return nil }
        return try? Timestamp.parse(UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, index))))
    }

    public func int(_ index: Int32) -> Int? {
        isNull(index) ? nil : Int(sqlite3_column_int64(handle, index))
    }

    public func value(_ index: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, index))
        case SQLITE_BLOB:
            // Shown as SQLite's own literal (`x'00ff'`), never as raw bytes or dropped.
            let count = Int(sqlite3_column_bytes(handle, index))
            guard let bytes = sqlite3_column_blob(handle, index), count > 0 else { return .text("x''") }
            let hex = UnsafeRawBufferPointer(start: bytes, count: count).map { String(format: "%02x", $0) }.joined()
            return .text("x'" + hex + "'")
        default: return .text(string(index) ?? "")
        }
    }

    private func check(_ rc: Int32) throws {
        guard rc == SQLITE_OK else { throw SQLiteError(code: rc, db: db, sql: sql) }
    }
}

/// A value read from or bound to SQLite.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    public init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    public init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }

    /// The value as text, as `sqlite3` prints it (NULL as the empty string).
    public var text: String {
        switch self {
        case .null: return ""
        case .integer(let v): return String(v)
        case .real(let v): return String(v)
        case .text(let v): return v
        }
    }
}
