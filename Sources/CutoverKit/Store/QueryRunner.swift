import Foundation

/// Runs one read-only SQL statement and formats its rows for `cutover query`.
///
/// The connection is opened read-only and the statement must be one SQLite itself judges
/// read-only, so an ad-hoc query can never change the database.
public struct QueryRunner {
    public let db: Database

    public init(db: Database) { self.db = db }

    public struct Result: Sendable, Equatable {
        public var columns: [String]
        public var rows: [[SQLValue]]

        public func formatted(as format: String) -> String {
            switch format {
            case "csv": return csv()
            case "json": return json()
            case "markdown": return markdown()
            default: return table()
            }
        }

        /// RFC 4180 quoting; a cell a spreadsheet would run as a formula gets a leading `'`
        /// (`CSVText.spreadsheetField`).
        func csv() -> String {
            ([Result.csvLine(columns)] + rows.map { Result.csvLine($0.map(\.text)) }).joined()
        }

        static func csvLine(_ values: [String]) -> String {
            values.map(CSVText.spreadsheetField).joined(separator: ",") + "\r\n"
        }

        func json() -> String { "[" + jsonObjects().joined(separator: ",\n") + "]\n" }

        func jsonObjects() -> [String] {
            rows.map { row in
                "{"
                    + zip(columns, row).map { name, value in
                        let v: String
                        switch value {
                        case .null: v = "null"
                        case .integer(let i): v = String(i)
                        case .real(let d): v = d.isFinite ? String(d) : "null"
                        case .text(let t): v = JSONText.quote(t)
                        }
                        return JSONText.quote(name) + ":" + v
                    }.joined(separator: ",") + "}"
            }
        }

        /// Cells escaped as the postmortem escapes text from logs: no link, image, HTML or cell break.
        func markdown() -> String {
            var lines = [Result.markdownLine(columns), "|" + String(repeating: "---|", count: columns.count) + "\n"]
            lines += rows.map { Result.markdownLine($0.map(\.text)) }
            return lines.joined()
        }

        static func markdownLine(_ values: [String]) -> String {
            "| " + values.map(MarkdownEscape.inline).joined(separator: " | ") + " |\n"
        }

        func table() -> String {
            let w = widths()
            return (tableLines(w) + ["(\(rows.count) row\(rows.count == 1 ? "" : "s"))"]).joined(separator: "\n") + "\n"
        }

        /// Column widths: the widest cell (control characters shown escaped), at most 80.
        /// Each column as wide as its widest cell, then the widest ones narrowed (not below 4)
        /// until a line fits `total` columns; nil `total`: no limit (`--wide`).
        func widths(fitting total: Int? = 80) -> [Int] {
            var widths = columns.map { TerminalText.width(TerminalText.safe($0)) }
            for row in rows {
                for (i, v) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], TerminalText.width(Result.cell(v))) }
            }
            guard let total else { return widths }
            let room = total - 2 * max(0, widths.count - 1)
            while widths.reduce(0, +) > room, let widest = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[widest] > 4 {
                widths[widest] -= 1
            }
            return widths
        }

        /// A table cell: NULL shown as `NULL`, an empty text as nothing, control characters
        /// (tabs, line breaks) escaped.
        static func cell(_ value: SQLValue) -> String {
            if case .null = value { return "NULL" }
            return TerminalText.safe(value.text)
        }

        /// The header, the rule and the rows, without the count.
        func tableLines(_ widths: [Int]) -> [String] {
            var out = [
                Result.line(columns.map(TerminalText.safe), widths), Result.line(widths.map { String(repeating: "-", count: $0) }, widths),
            ]
            out += rows.map { Result.line($0.map(Result.cell), widths) }
            return out
        }

        static func line(_ values: [String], _ widths: [Int]) -> String {
            zip(values, widths).map { v, w in
                let s = TerminalText.width(v) > w ? String(v.prefix(max(0, w - 1))) + "…" : v
                return s + String(repeating: " ", count: max(0, w - TerminalText.width(s)))
            }.joined(separator: "  ").trimmingWhitespace()
        }
    }

    public func run(_ sql: String) throws -> Result {
        var columns: [String] = []
        var rows: [[SQLValue]] = []
        try stream(sql, columns: { columns = $0 }, row: { rows.append($0) })
        return Result(columns: columns, rows: rows)
    }

    /// Runs `sql` and hands over its rows one at a time, so an export of a whole table never
    /// holds more than one row (plus what `row` keeps).
    public func stream(
        _ sql: String, parameters: [String: String] = [:], columns: ([String]) throws -> Void, row: ([SQLValue]) throws -> Void
    ) throws {
        let stmt = try db.prepare(sql)
        // A parameter left unbound would be NULL and match nothing, silently: name it instead.
        let names = stmt.parameterNames
        let missing = names.filter { parameters[String($0.dropFirst())] == nil }
        guard missing.isEmpty else { throw QueryError.unboundParameters(missing, given: parameters.keys.sorted()) }
        let unknown = parameters.keys.filter { key in !names.contains { $0.dropFirst() == key } }.sorted()
        guard unknown.isEmpty else { throw QueryError.unknownParameters(unknown, known: names) }
        try stmt.bindNamed(parameters)
        guard QueryRunner.isBlank(stmt.trailingSQL) else {
            throw SQLiteError(code: 1, message: "cutover query runs one statement; remove what follows the first ';'", sql: sql)
        }
        guard try db.isReadOnly(sql) else {
            throw SQLiteError(code: 8, message: "cutover query is read-only; this statement would write", sql: sql)
        }
        try columns((0..<stmt.columnCount).map { stmt.columnName($0) })
        while try stmt.step() { try row((0..<stmt.columnCount).map { stmt.value($0) }) }
    }

    /// Streams `sql`'s rows to `write` in `format`. csv, json and markdown are written row by
    /// row; a table sizes its columns on the first `tableSample` rows (longer cells are cut with
    /// an ellipsis), then streams the rest the same way.
    public func stream(
        _ sql: String, format: String, parameters: [String: String] = [:], tableSample: Int = 200, width: Int? = 80,
        write: (String) throws -> Void
    ) throws {
        var columns: [String] = []
        var sample: [[SQLValue]] = []
        var count = 0
        var widths: [Int]?
        let one = { (row: [SQLValue]) -> Result in Result(columns: columns, rows: [row]) }
        try stream(
            sql, parameters: parameters,
            columns: { names in
                columns = names
                switch format {
                case "csv": try write(Result.csvLine(names))
                case "json": try write("[")
                case "markdown": try write(Result(columns: names, rows: []).markdown())
                default: break
                }
            },
            row: { row in
                count += 1
                switch format {
                case "csv": try write(Result.csvLine(row.map(\.text)))
                case "json": try write((count > 1 ? ",\n" : "") + one(row).jsonObjects()[0])
                case "markdown": try write(Result.markdownLine(row.map(\.text)))
                default:
                    if let widths {
                        try write(Result.line(row.map(Result.cell), widths) + "\n")
                    } else {
                        sample.append(row)
                        if sample.count == tableSample {
                            let w = Result(columns: columns, rows: sample).widths(fitting: width)
                            widths = w
                            try write(Result(columns: columns, rows: sample).tableLines(w).joined(separator: "\n") + "\n")
                            sample = []
                        }
                    }
                }
            })
        switch format {
        case "csv", "markdown": break
        case "json": try write("]\n")
        default:
            if widths == nil {
                let result = Result(columns: columns, rows: sample)
                try write(result.tableLines(result.widths(fitting: width)).joined(separator: "\n") + "\n")
            }
            try write("(\(count) row\(count == 1 ? "" : "s"))\n")
        }
    }
}

extension QueryRunner {
    /// True when `text` holds only white space, semicolons and SQL comments.
    static func isBlank(_ text: String) -> Bool {
        var rest = Substring(text)
        while let first = rest.first {
            if first.isWhitespace || first == ";" {
                rest = rest.dropFirst()
            } else if rest.hasPrefix("--") {
                rest = rest.drop { $0 != "\n" }
            } else if rest.hasPrefix("/*"), let end = rest.range(of: "*/") {
                rest = rest[end.upperBound...]
            } else {
                return false
            }
        }
        return true
    }
}

/// The saved queries in `queries/`: each file opens with a `-- Question:`, `-- Columns:` and
/// `-- Example:` header (STYLE.md).
public struct SavedQueries {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The SQL of `nameOrSQL`: a saved query's name, a file of SQL, or SQL text itself.
    public func sql(for nameOrSQL: String) throws -> String {
        let trimmed = nameOrSQL.trimmingWhitespace()
        if trimmed.contains(" ") || trimmed.contains("\n") { return trimmed }
        // A file of SQL, by its path.
        if trimmed.contains("/") || trimmed.hasSuffix(".sql"), let text = try? String(contentsOfFile: trimmed, encoding: .utf8) {
            return text
        }
        for dir in candidates() {
            let path = (dir as NSString).appendingPathComponent(trimmed.hasSuffix(".sql") ? trimmed : trimmed + ".sql")
            if let text = try? String(contentsOfFile: path, encoding: .utf8) { return text }
        }
        throw QueryError.unknownSavedQuery(trimmed, known: names())
    }

    /// `NAME  Question` for each saved query, for `query --list`.
    public func listing() -> String {
        var lines: [String] = []
        let width = names().map(\.count).max() ?? 0
        for name in names() {
            let question =
                (try? sql(for: name))?.split(separator: "\n").first { $0.hasPrefix("-- Question: ") }
                .map { String($0.dropFirst("-- Question: ".count)) } ?? ""
            lines.append(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + question)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public func names() -> [String] {
        for dir in candidates() {
            if let files = try? FileManager.default.contentsOfDirectory(atPath: dir) {
                let sql = files.filter { $0.hasSuffix(".sql") }.map { String($0.dropLast(4)) }.sorted()
                if !sql.isEmpty { return sql }
            }
        }
        return []
    }

    private func candidates() -> [String] {
        // The checkout's own queries/ as a last resort, so `swift run cutover query NAME` works from anywhere.
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("queries").path
        return [directory, source]
    }
}

/// Why a `cutover query` could not run, other than SQLite's own errors.
public enum QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownSavedQuery(String, known: [String])
    /// The statement has parameters no `--param` gave.
    case unboundParameters([String], given: [String])
    /// `--param` named parameters the statement does not have.
    case unknownParameters([String], known: [String])

    public var description: String {
        switch self {
        case .unknownSavedQuery(let name, let known):
            return
                "no saved query named \(TerminalText.safe(name)) (known: \(known.isEmpty ? "none found" : known.joined(separator: ", "))); "
                + "pass SQL text or --queries DIR"
        case .unboundParameters(let names, let given):
            return "the query has parameter(s) \(names.joined(separator: ", ")) with no value: give each with --param "
                + names.map { "\($0.dropFirst())=VALUE" }.joined(separator: " --param ")
                + (given.isEmpty ? "" : " (given: \(given.joined(separator: ", ")))")
        case .unknownParameters(let names, let known):
            return "the query has no parameter \(names.map { ":" + $0 }.joined(separator: ", ")) (it has: "
                + (known.isEmpty ? "none" : known.joined(separator: ", ")) + ")"
        }
    }
}
