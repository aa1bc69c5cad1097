import Foundation
import Testing

@testable import CutoverKit

@Suite("cutover query: hostile text stays text in every format, and user SQL cannot reach outside")
struct QueryOutputTests {
    static func result() -> QueryRunner.Result {
        let corpus = HostileText.corpus()
        return QueryRunner.Result(columns: ["node", "n"], rows: corpus.enumerated().map { [.text($1), .integer(Int64($0))] })
    }

    @Test func tableOutputShowsControlCharactersEscaped() {
        let out = Self.result().formatted(as: "table")
        #expect(!HostileText.hasTerminalControl(out))
        #expect(out.contains("\\e[31mred"))
    }

    @Test func csvCellsNeverStartAFormula() throws {
        let out = Self.result().formatted(as: "csv")
        var cells: [String] = []
        var cell = ""
        var quoted = false
        var chars = Array(out)
        var i = 0
        // A small RFC 4180 reader: enough to see each cell as a spreadsheet would.
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" && i + 1 < chars.count && chars[i + 1] == "\"" {
                    cell.append("\"")
                    i += 1
                } else if c == "\"" {
                    quoted = false
                } else {
                    cell.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," || c == "\r\n" || c == "\n" {
                cells.append(cell)
                cell = ""
            } else {
                cell.append(c)
            }
            i += 1
        }
        chars = []
        #expect(cells.count == 2 * (HostileText.corpus().count + 1))
        for c in cells {
            #expect(!(c.first.map { "=+-@\t\r".contains($0) } ?? false), "\(c.debugDescription)")
        }
        #expect(cells.contains("'=HYPERLINK(\"http://evil.example\")aks-apps-12345678-vmss000001"))
    }

    @Test func markdownOutputHasNoLiveLinkImageOrHTML() {
        let out = Self.result().formatted(as: "markdown")
        for line in out.split(separator: "\n").dropFirst(2) {
            // Every row keeps the header's two cells: no `|` from the data opens a third.
            let unescaped = line.replacingOccurrences(of: "\\|", with: "")
            #expect(unescaped.filter { $0 == "|" }.count == 3, "\(line)")
        }
        #expect(!out.contains("<img") && !out.contains("<script"))
        // A link or image needs an unescaped `](`.
        #expect(out.ranges(of: "](").allSatisfy { out[out.index(before: $0.lowerBound)] == "\\" })
        #expect(!HostileText.hasTerminalControl(out.replacingOccurrences(of: "\n", with: "")))
    }

    @Test func jsonOutputIsValidAndKeepsTheText() throws {
        let out = Self.result().formatted(as: "json")
        let parsed = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]]
        #expect(parsed?.count == HostileText.corpus().count)
        #expect(parsed?.first?["node"] as? String == HostileText.corpus().first)
    }

    @Test func userSQLCannotCallFunctionsThatReachOutsideSQL() throws {
        let path = Paths.temporaryDirectory().appendingPathComponent("q.sqlite").path
        _ = try EventStore(path: path)
        let runner = QueryRunner(db: try Database.forQueries(path: path))
        for sql in ["SELECT fts3_tokenizer('simple')", "SELECT load_extension('x')", "SELECT fts3_tokenizer('x', x'00')"] {
            #expect(throws: SQLiteError.self, "\(sql)") { try runner.run(sql) }
        }
        #expect(try runner.run("SELECT count(*) FROM kube_events").rows == [[.integer(0)]])
        #expect(throws: StoreError.noDatabase("/nonexistent/typo.sqlite")) { _ = try Database.forQueries(path: "/nonexistent/typo.sqlite") }
        // Immutable opening (what a read-only directory needs) reads the same rows.
        let immutable = QueryRunner(db: try Database(path: path, readOnly: true, immutable: true))
        #expect(try immutable.run("SELECT count(*) FROM sources").rows == [[.integer(0)]])
    }
}

@Suite("cutover query streams its rows")
struct QueryStreamingTests {
    static func database() throws -> String {
        let path = Paths.temporaryDirectory().appendingPathComponent("s.sqlite").path
        let db = try Database(path: path)
        try db.execute("CREATE TABLE t (n INTEGER, s TEXT, x REAL)")
        let insert = try db.prepare("INSERT INTO t VALUES (?1, ?2, ?3)")
        let corpus = HostileText.corpus(count: 50)
        for k in 0..<450 {
            try insert.run([.integer(Int64(k)), .text(corpus[k % corpus.count]), k % 7 == 0 ? .null : .real(Double(k) / 4)])
        }
        return path
    }

    /// Streamed output is what the whole result formatted at once gives, in every format (a
    /// table sized on a sample as large as the result).
    @Test(arguments: ["csv", "json", "markdown", "table"])
    func streamingGivesTheSameOutput(format: String) throws {
        let runner = QueryRunner(db: try Database.forQueries(path: try Self.database()))
        var streamed = ""
        try runner.stream("SELECT * FROM t ORDER BY n", format: format, tableSample: 1000) { streamed += $0 }
        #expect(streamed == (try runner.run("SELECT * FROM t ORDER BY n")).formatted(as: format))
        var small = ""
        try runner.stream("SELECT * FROM t ORDER BY n", format: format, tableSample: 10) { small += $0 }
        #expect(small.split(separator: "\n").count == streamed.split(separator: "\n").count)
    }

    /// The writer sees the first rows before the statement has produced the last ones.
    @Test func rowsAreWrittenAsTheyCome() throws {
        let runner = QueryRunner(db: try Database.forQueries(path: try Self.database()))
        var writes = 0
        try runner.stream("SELECT * FROM t", format: "csv") { _ in writes += 1 }
        #expect(writes == 451)
    }
}
