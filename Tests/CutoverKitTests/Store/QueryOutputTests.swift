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

    /// An RFC 4180 reader on bytes, as a spreadsheet or Python's `csv` reads: records of fields.
    static func readCSV(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var quoted = false
        let bytes = Array(text.utf8)
        var i = 0
        func endField() {
            record.append(String(decoding: field, as: UTF8.self))
            field = []
        }
        while i < bytes.count {
            let b = bytes[i]
            if quoted {
                if b == 0x22 && i + 1 < bytes.count && bytes[i + 1] == 0x22 {
                    field.append(0x22)
                    i += 1
                } else if b == 0x22 {
                    quoted = false
                } else {
                    field.append(b)
                }
            } else if b == 0x22 {
                quoted = true
            } else if b == 0x2C {
                endField()
            } else if b == 0x0D || b == 0x0A {
                if b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
                endField()
                records.append(record)
                record = []
            } else {
                field.append(b)
            }
            i += 1
        }
        if !field.isEmpty || !record.isEmpty {
            endField()
            records.append(record)
        }
        return records
    }

    @Test func csvCellsNeverStartAFormula() throws {
        let out = Self.result().formatted(as: "csv")
        let records = Self.readCSV(out)
        #expect(records.count == HostileText.corpus().count + 1 && records.allSatisfy { $0.count == 2 })
        for c in records.joined() {
            #expect(!(c.unicodeScalars.first.map { "=+-@\t\r".unicodeScalars.contains($0) } ?? false), "\(c.debugDescription)")
        }
        #expect(records.joined().contains("'=HYPERLINK(\"http://evil.example\")aks-apps-12345678-vmss000001"))
        // Numbers stay numbers; what only `Double` takes for one (`-inf`, `+nan`, hex) does not.
        let cells = ["-12.5", "+3", "-1e5", "-inf", "+nan", "-0x1p3", "-Infinity", "-", "+"]
        let line = Self.readCSV(QueryRunner.Result.csvLine(cells))
        #expect(line == [["-12.5", "+3", "-1e5", "'-inf", "'+nan", "'-0x1p3", "'-Infinity", "'-", "'+"]])
    }

    /// Fields built from the pieces that hide a CSV's bytes inside one Swift `Character` (CR LF,
    /// a comma, quote or line break followed by a combining mark, emoji sequences) come back
    /// whole from a reader of bytes: one record per row, every field as it was (a formula's `'`
    /// aside), in the query's output and in the simulator's CSV exports.
    @Test(arguments: [UInt64(1), 2, 3])
    func csvFieldsSurviveAReaderOfBytes(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let pieces = [
            ",", "\"", "\r", "\n", "\r\n", "\u{301}", ",\u{301}", "\"\u{301}", "\n\u{301}", "\r\n\u{301}", "a", "é", "=", "-", "@",
            "\t", "👩‍👩‍👧", " ", "'", "1",
        ]
        let rows = (0..<400).map { _ in
            (0..<3).map { _ in (0..<random.int(0...6)).map { _ in pieces[random.int(0...(pieces.count - 1))] }.joined() }
        }
        let query = Self.readCSV(rows.map(QueryRunner.Result.csvLine).joined())
        #expect(query.count == rows.count)
        for (got, want) in zip(query, rows) {
            let wanted = want.map { f in
                (f.unicodeScalars.first.map { "=+-@\t\r".unicodeScalars.contains($0) } ?? false) && !CSVText.isNumber(f) ? "'" + f : f
            }
            #expect(got == wanted, "\(want.map(\.debugDescription))")
        }
        let plain = Self.readCSV(rows.map { $0.map(CSVText.field).joined(separator: ",") + "\r\n" }.joined())
        #expect(plain == rows)
    }

    /// Every scalar up to U+3000 and a sample above, alone in a name: a control comes out escaped
    /// and visible, anything else as it was (the byte test that lets most text through untouched
    /// must never let a control through).
    @Test func terminalTextEscapesEveryControlAndKeepsTheRest() {
        let scalars = (0..<0x3000).compactMap(Unicode.Scalar.init) + [0xFEFF, 0x1F600, 0x10FFFF].compactMap(Unicode.Scalar.init)
        for s in scalars {
            let name = "node-" + String(Character(s)) + "-1"
            let shown = TerminalText.safe(name)
            #expect(!HostileText.hasTerminalControl(shown.replacingOccurrences(of: "\n", with: "")), "U+\(String(s.value, radix: 16))")
            let control = s.value < 0x20 || s.value == 0x7F || (0x80..<0xA0).contains(s.value) || s.value == 0x2028 || s.value == 0x2029
            #expect(control ? shown != name && shown.hasPrefix("node-\\") : shown == name, "U+\(String(s.value, radix: 16))")
        }
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
