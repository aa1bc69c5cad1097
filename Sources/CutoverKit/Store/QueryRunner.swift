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

        /// RFC 4180 quoting; a cell a spreadsheet would run as a formula (it starts with `=`, `+`,
        /// `-`, `@`, a tab or a CR) gets a leading `'`, as OWASP advises against CSV injection.
        func csv() -> String {
            func field(_ raw: String) -> String {
                var s = raw
                if let first = s.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), Double(s) == nil { s = "'" + s }
                return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                    ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
            }
            var lines = [columns.map(field).joined(separator: ",")]
            lines += rows.map { $0.map { field($0.text) }.joined(separator: ",") }
            return lines.joined(separator: "\r\n") + "\r\n"
        }

        func json() -> String {
            let objects = rows.map { row in
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
            return "[" + objects.joined(separator: ",\n") + "]\n"
        }

        /// Cells escaped as the postmortem escapes text from logs: no link, image, HTML or cell break.
        func markdown() -> String {
            var lines = [
                "| " + columns.map(MarkdownEscape.inline).joined(separator: " | ") + " |",
                "|" + String(repeating: "---|", count: columns.count),
            ]
            lines += rows.map { "| " + $0.map { MarkdownEscape.inline($0.text) }.joined(separator: " | ") + " |" }
            return lines.joined(separator: "\n") + "\n"
        }

        func table() -> String {
            // Control characters from logs are shown escaped, never sent to the terminal.
            let cells = rows.map { $0.map { TerminalText.safe($0.text) } }
            var widths = columns.map { TerminalText.safe($0).count }
            for row in cells { for (i, c) in row.enumerated() { widths[i] = min(max(widths[i], c.count), 80) } }
            func line(_ values: [String]) -> String {
                zip(values, widths).map { v, w in
                    let s = v.count > w ? String(v.prefix(w - 1)) + "…" : v
                    return s + String(repeating: " ", count: w - s.count)
                }.joined(separator: "  ").trimmingWhitespace()
            }
            var out = [line(columns.map(TerminalText.safe)), line(widths.map { String(repeating: "-", count: $0) })]
            out += cells.map(line)
            out.append("(\(rows.count) row\(rows.count == 1 ? "" : "s"))")
            return out.joined(separator: "\n") + "\n"
        }
    }

    public func run(_ sql: String) throws -> Result {
        let stmt = try db.prepare(sql)
        guard QueryRunner.isBlank(stmt.trailingSQL) else {
            throw SQLiteError(code: 1, message: "cutover query runs one statement; remove what follows the first ';'", sql: sql)
        }
        guard try db.isReadOnly(sql) else {
            throw SQLiteError(code: 8, message: "cutover query is read-only; this statement would write", sql: sql)
        }
        let columns = (0..<stmt.columnCount).map { stmt.columnName($0) }
        var rows: [[SQLValue]] = []
        while try stmt.step() { rows.append((0..<stmt.columnCount).map { stmt.value($0) }) }
        return Result(columns: columns, rows: rows)
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

    /// The SQL of `nameOrSQL` when it names a saved query, else the text itself.
    public func sql(for nameOrSQL: String) throws -> String {
        let trimmed = nameOrSQL.trimmingWhitespace()
        if trimmed.contains(" ") || trimmed.contains("\n") { return trimmed }
        for dir in candidates() {
            let path = (dir as NSString).appendingPathComponent(trimmed.hasSuffix(".sql") ? trimmed : trimmed + ".sql")
            if let text = try? String(contentsOfFile: path, encoding: .utf8) { return text }
        }
        throw QueryError.unknownSavedQuery(trimmed, known: names())
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

    public var description: String {
        switch self {
        case .unknownSavedQuery(let name, let known):
            return
                "no saved query named \(TerminalText.safe(name)) (known: \(known.isEmpty ? "none found" : known.joined(separator: ", "))); "
                + "pass SQL text or --queries DIR"
        }
    }
}
