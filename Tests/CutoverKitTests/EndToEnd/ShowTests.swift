import Foundation
import Testing

@testable import CutoverKit

/// `cutover show`: a stored record as its input file has it, or the database's copy and why.
@Suite("cutover show prints the record from its file, checked against the file's SHA-256")
struct ShowTests {
    let dir = Paths.temporaryDirectory()

    /// An NDJSON file of two events, a CSV export and a gzip List, ingested.
    func ingested() throws -> String {
        let lines = [
            #"{"metadata":{"uid":"u-1","namespace":"shop"},"involvedObject":{"kind":"Pod","name":"web-1"},"reason":"Failed","message":"first","lastTimestamp":"2026-11-03T10:00:00Z"}"#,
            #"{"metadata":{"uid":"u-2"},"involvedObject":{"kind":"Pod","name":"web-2"},"reason":"Failed","message":"\u001b[31mred","lastTimestamp":"2026-11-03T10:01:00Z","x":[1,{"y":null}]}"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("e.ndjson"), atomically: true, encoding: .utf8)
        try
            "TimeGenerated [UTC],Computer,ObjectKind,Name,Namespace,Reason,Message,KubeEventType\n2026-11-03 10:02:00,aks-a-1-vmss000001,Pod,api-1,shop,Failed,\"multi\nline, quoted\",Warning\n"
            .write(to: dir.appendingPathComponent("k.csv"), atomically: true, encoding: .utf8)
        let list =
            "{\n  \"kind\": \"List\",\n  \"items\": [\n    {\n      \"metadata\": {\"uid\": \"u-3\"},\n      \"involvedObject\": {\"kind\": \"Pod\", \"name\": \"db-1\"},\n      \"reason\": \"Failed\",\n      \"lastTimestamp\": \"2026-11-03T10:03:00Z\"\n    }\n  ]\n}\n"
        let gzip = try GzipWriter(path: dir.appendingPathComponent("l.json.gz").path)
        try gzip.write(list)
        try gzip.close()
        let db = dir.appendingPathComponent("s.sqlite").path
        _ = try Pipeline.ingest(paths: ["e.ndjson", "k.csv", "l.json.gz"].map { dir.appendingPathComponent($0).path }, dbPath: db)
        return db
    }

    func id(_ db: String, _ sql: String) throws -> String {
        try Database(path: db, readOnly: true).rows(sql).first?[0].text ?? "?"
    }

    @Test func printsTheRecordFromItsFile() throws {
        let db = try ingested()
        let second = try id(db, "SELECT event_id FROM kube_events WHERE uid = 'u-2'")
        let shown = try runCutover(["show", "--db", db, second], in: dir)
        #expect(shown.status == 0)
        #expect(shown.stderr.isEmpty)
        // Not a terminal: the bytes as the file has them, escapes and all.
        #expect(
            shown.stdout
                == #"{"metadata":{"uid":"u-2"},"involvedObject":{"kind":"Pod","name":"web-2"},"reason":"Failed","message":"\u001b[31mred","lastTimestamp":"2026-11-03T10:01:00Z","x":[1,{"y":null}]}"#
                + "\n")
        // A CSV row comes with its header, a quoted newline inside it; a List item from inside the gzip.
        let row = try runCutover(["show", "--db", db, try id(db, "SELECT event_id FROM kube_events WHERE object_name = 'api-1'")], in: dir)
        #expect(
            row.stdout
                == "TimeGenerated [UTC],Computer,ObjectKind,Name,Namespace,Reason,Message,KubeEventType\n2026-11-03 10:02:00,aks-a-1-vmss000001,Pod,api-1,shop,Failed,\"multi\nline, quoted\",Warning\n"
        )
        let item = try runCutover(["show", "--db", db, try id(db, "SELECT event_id FROM kube_events WHERE uid = 'u-3'")], in: dir)
        #expect(item.stdout.hasPrefix("{\n      \"metadata\": {\"uid\": \"u-3\"},"))
        #expect(item.stdout.hasSuffix("\"lastTimestamp\": \"2026-11-03T10:03:00Z\"\n    }\n"))
    }

    @Test func aChangedOrMissingFileGivesTheDatabasesCopyAndSaysWhy() throws {
        let db = try ingested()
        let first = try id(db, "SELECT event_id FROM kube_events WHERE uid = 'u-1'")
        let file = dir.appendingPathComponent("e.ndjson")
        try "{}\n".write(to: file, atomically: true, encoding: .utf8)
        let changed = try runCutover(["show", "--db", db, first], in: dir)
        #expect(changed.status == 0)
        #expect(changed.stderr.contains("has changed since it was ingested (its SHA-256 differs); printing the database's copy"))
        let object = try JSONSerialization.jsonObject(with: Data(changed.stdout.utf8))
        let expected = try JSONSerialization.jsonObject(
            with: Data(
                #"{"metadata":{"uid":"u-1","namespace":"shop"},"involvedObject":{"kind":"Pod","name":"web-1"},"reason":"Failed","message":"first","lastTimestamp":"2026-11-03T10:00:00Z"}"#
                    .utf8))
        #expect(jsonEqual(object, expected))
        try FileManager.default.removeItem(at: file)
        let missing = try runCutover(["show", "--db", db, first], in: dir)
        #expect(missing.stderr.contains("is no longer there"))
        #expect(jsonEqual(try JSONSerialization.jsonObject(with: Data(missing.stdout.utf8)), expected))
    }

    @Test func unknownRowsAndBadIdsAreErrors() throws {
        let db = try ingested()
        let unknown = try runCutover(["show", "--db", db, "activity:99"], in: dir)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no activity 99 in"))
        let bad = try runCutover(["show", "--db", db, "event:x"], in: dir)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("expected an event id (4711), activity:ID or reject:ID"))
    }
}
