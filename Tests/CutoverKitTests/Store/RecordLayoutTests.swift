import Foundation
import Testing

@testable import CutoverKit

/// The record tables keep every field: `kube_events_json` and `activity_records_json` give each
/// stored record back equal, as JSON, to the record in the input file (key order and white
/// space aside), for every shape cutover reads, real and simulated, folded or not, hostile or not.
@Suite("Lossless columns: every stored record comes back whole")
struct RecordLayoutTests {
    /// The input's records by byte offset, as JSON values: read at the offset for JSON files;
    /// for a CSV export, the object of a row's columns that ingest decodes (CSVFramer's).
    static func inputRecords(_ path: String, positions: [Int64]) throws -> [Int64: Any] {
        var result: [Int64: Any] = [:]
        if path.contains(".csv") {
            let reader = try GzipReader(path: path)
            var framer = CSVFramer(maxRecordBytes: 1 << 20)
            let emit: (FramedItem) -> Void = { item in
                if case .record(let bytes, let position) = item {
                    result[position.offset] = try? JSONSerialization.jsonObject(with: Data(bytes))
                }
            }
            while let chunk = try reader.next() { framer.feed(chunk, emit) }
            framer.finish(emit)
            return result
        }
        for position in positions {
            let bytes = try OriginalRecord.read(path: path, at: position, reject: false)
            result[position] = try JSONSerialization.jsonObject(with: Data(bytes))
        }
        return result
    }

    /// Every row of both tables against its input record; returns the rows checked.
    @discardableResult
    static func expectRoundTrip(_ dbPath: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        let db = try Database(path: dbPath, readOnly: true)
        var checked = 0
        for view in ["kube_events_json", "activity_records_json"] {
            let rows = try db.rows(
                "SELECT j.position, j.json, s.path FROM \(view) j JOIN sources s USING (source_id) ORDER BY s.source_id, j.position")
            for (path, group) in Dictionary(grouping: rows, by: { $0[2].text }) {
                let positions = group.compactMap { row -> Int64? in
                    if case .integer(let p) = row[0] { return p }
                    return nil
                }
                let inputs = try inputRecords(path, positions: positions)
                for row in group {
                    guard case .integer(let position) = row[0] else { continue }
                    let stored = try JSONSerialization.jsonObject(with: Data(row[1].text.utf8))
                    let input = try #require(inputs[position], "no input record at \(path):\(position)", sourceLocation: sourceLocation)
                    #expect(
                        jsonEqual(stored, input), "\(path) at \(position): stored \(row[1].text)",
                        sourceLocation: sourceLocation)
                    checked += 1
                }
            }
        }
        return checked
    }

    static func ingestEach(_ files: [String], into dir: URL) throws -> [(file: String, db: String)] {
        try files.enumerated().map { index, file in
            let db = dir.appendingPathComponent("one-\(index).sqlite").path
            _ = try Pipeline.ingest(paths: [file], dbPath: db)
            return (file, db)
        }
    }

    static func files(under dir: URL) -> [String] {
        let walker = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey])
        return (walker?.allObjects as? [URL] ?? []).filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .map(\.path).sorted()
    }

    @Test func everySimulatedShapeComesBackWhole() throws {
        let dir = Paths.temporaryDirectory()
        var spec = SimulationSpec()
        spec.pools = SimulationSpec.pools(nodes: 12, count: 2)
        spec.shapes = ExportShape.allCases
        try Pipeline.simulate(spec: spec, directory: dir.path)
        let files = Self.files(under: dir.appendingPathComponent("logs"))
        #expect(files.count >= ExportShape.allCases.count)
        var shapes = Set<String>()
        for (file, db) in try Self.ingestEach(files, into: dir) {
            #expect(try Self.expectRoundTrip(db) > 0, "\(file) stored nothing")
            let store = try Database(path: db, readOnly: true)
            shapes.formUnion(try store.rows("SELECT shape FROM kube_events UNION SELECT shape FROM activity_records").map { $0[0].text })
            // The layout has a column for every field the simulator writes into Kubernetes JSON:
            // nothing is left for `extra`.
            if !file.contains(".csv") {
                #expect(try store.int("SELECT count(*) FROM kube_events WHERE extra IS NOT NULL") == 0, "\(file)")
            }
        }
        #expect(shapes == Set(KubeEvent.Shape.allCases.map(\.rawValue) + ["rest", "diagnostic", "AzureActivity"]))
    }

    @Test func everyRealSampleComesBackWhole() throws {
        let dir = Paths.temporaryDirectory()
        let files = Self.files(under: Paths.realSamples).filter { !$0.hasSuffix("README.md") }
        var total = 0
        for (_, db) in try Self.ingestEach(files, into: dir) { total += try Self.expectRoundTrip(db) }
        #expect(total >= 10)
    }

    /// Core/v1 events in NDJSON, each field of the layout and around it given hostile text,
    /// odd types and odd times, one of them inside a watch event.
    static func hostileEvents() throws -> [[String: Any]] {
        var events: [[String: Any]] = []
        for (k, text) in HostileText.corpus(count: 60).enumerated() {
            var event: [String: Any] = [
                "apiVersion": "v1", "kind": "Event",
                "metadata": [
                    "name": "pod-\(k).\(text)", "namespace": text, "uid": "uid-\(k)", "resourceVersion": k,
                    "creationTimestamp": "2026-11-03T10:00:0\(k % 10).5Z", "labels": [text: text, "app": ["x": [1, 2.5, nil as Any?]]],
                    "annotations": [:] as [String: Any],
                ] as [String: Any],
                "involvedObject": ["kind": "Pod", "name": text, "namespace": "", "fieldPath": NSNull(), text: "extra"] as [String: Any],
                "reason": k % 3 == 0 ? "" : "Failed", "message": text, "type": k % 2 == 0 ? "Warning" : NSNull(),
                "source": ["component": "kubelet", "host": k % 4 == 0 ? "" : "aks-apps-1-vmss00000\(k % 10)"],
                "firstTimestamp": "2026-11-03T10:00:00Z", "lastTimestamp": "2026-11-03T10:0\(k % 10):00.123Z",
                "eventTime": k % 5 == 0 ? "2026-11-03T10:00:00.123456Z" : NSNull(),
                "count": k % 6 == 0 ? "3" : (k % 6 == 1 ? 2.0 : k + 1), text: [text, 1, true, NSNull(), [:] as [String: Any], [Any]()],
                "reportingComponent": "", "reportingInstance": text,
            ]
            if k % 4 == 1 { event["series"] = ["count": k, "lastObservedTime": "x"] }
            if k % 7 == 0 { event = ["type": "MODIFIED", "object": event] }
            events.append(event)
        }
        return events
    }

    @Test func hostileRecordsComeBackWhole() throws {
        let dir = Paths.temporaryDirectory()
        let file = dir.appendingPathComponent("hostile.ndjson")
        var lines = try Self.hostileEvents().map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        // Escapes as JSON writers spell them, and a key written with escapes (which the columns'
        // paths do not match: it is kept as written).
        lines.append(
            #"{"metadata":{"uid":"esc-1","namespace":"a\u0041\n\"b\""},"involvedObject":{"kind":"Pod","name":"p\u00e9"},"#
                + #""reason":"Failed","message":"tab\there \/ \ud83d\ude00","lastTimestamp":"2026-11-03T10:00:00Z","meta\u0064ata2":1}"#)
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("h.sqlite").path
        let summary = try Pipeline.ingest(paths: [file.path], dbPath: db)
        #expect(summary.rejects == 0)
        #expect(try Self.expectRoundTrip(db) == lines.count)
        // What the columns cannot hold as written went to `extra`, and the columns still hold what
        // correlation reads: "" reads as NULL, a string count as the count.
        let store = try Database(path: db, readOnly: true)
        #expect(try store.int("SELECT count(*) FROM kube_events WHERE reason IS NULL") == 20)
        #expect(try store.int("SELECT count FROM kube_events WHERE uid = 'uid-6'") == 3)
    }

    /// A string escaping a lone surrogate decodes to U+FFFD in the column, so the column does
    /// not stand for it: the record keeps the escape as written.
    @Test func aLoneSurrogateIsKeptAsWritten() throws {
        let dir = Paths.temporaryDirectory()
        let file = dir.appendingPathComponent("s.ndjson")
        try
            #"{"metadata":{"uid":"s-1"},"involvedObject":{"kind":"Pod","name":"p"},"reason":"Failed","message":"bad \ud800 half","lastTimestamp":"2026-11-03T10:00:00Z"}"#
            .write(to: file, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("s.sqlite").path
        _ = try Pipeline.ingest(paths: [file.path], dbPath: db)
        let store = try Database(path: db, readOnly: true)
        #expect(try store.rows("SELECT message FROM kube_events").map { $0[0].text } == ["bad \u{FFFD} half"])
        #expect(
            try store.rows(
                "SELECT json_extract(extra, '$.message') IS NOT NULL, instr(json, '\\ud800') > 0 FROM kube_events, kube_events_json"
            )
            .map { $0.map(\.text) } == [["1", "1"]])
    }

    /// Folding repeats changes the kept row's count and sightings; the record view still gives
    /// back that record as the input had it.
    @Test func foldedRowsStillGiveBackTheirRecord() throws {
        let dir = Paths.temporaryDirectory()
        func event(_ uid: String?, count: Int, first: String, last: String, host: String = "aks-apps-1-vmss000001") -> String {
            var e: [String: Any] = [
                "metadata": ["name": "p.1", "namespace": "shop", "creationTimestamp": first] as [String: Any],
                "involvedObject": ["kind": "Pod", "name": "web-1", "namespace": "shop"], "reason": "BackOff",
                "message": "Back-off pulling image", "source": ["component": "kubelet", "host": host], "count": count,
                "firstTimestamp": first, "lastTimestamp": last, "type": "Warning",
            ]
            if let uid {
                (e["metadata"] as? [String: Any]).map {
                    var m = $0; m["uid"] = uid; e["metadata"] = m
                }
            }
            return String(decoding: try! JSONSerialization.data(withJSONObject: e), as: UTF8.self)
        }
        // The later sighting has the lower count and the later first time: the kept row takes
        // the other's count (5) and first time (10:00).
        try [event("u-1", count: 5, first: "2026-11-03T10:00:00Z", last: "2026-11-03T10:05:00Z")].joined()
            .write(to: dir.appendingPathComponent("a.json"), atomically: true, encoding: .utf8)
        try [event("u-1", count: 2, first: "2026-11-03T10:02:00Z", last: "2026-11-03T10:10:00Z")].joined()
            .write(to: dir.appendingPathComponent("b.json"), atomically: true, encoding: .utf8)
        // Container Insights rows without a uid: one series twice, and a twin of u-2.
        let kubeEvents = """
            [{"TimeGenerated":"2026-11-03T11:00:00Z","ClusterName":"aks-prod","Computer":"aks-apps-1-vmss000002","ObjectKind":"Pod","Name":"api-1","Namespace":"shop","Reason":"Failed","Message":"ErrImagePull","KubeEventType":"Warning","SourceComponent":"kubelet","FirstSeen":"2026-11-03T10:20:00Z","LastSeen":"2026-11-03T10:30:00Z","Count":4},
             {"TimeGenerated":"2026-11-03T12:00:00Z","ClusterName":"aks-prod","Computer":"aks-apps-1-vmss000002","ObjectKind":"Pod","Name":"api-1","Namespace":"shop","Reason":"Failed","Message":"ErrImagePull","KubeEventType":"Warning","SourceComponent":"kubelet","FirstSeen":"2026-11-03T10:20:00Z","LastSeen":"2026-11-03T10:50:00Z","Count":3},
             {"TimeGenerated":"2026-11-03T12:00:00Z","ClusterName":"aks-prod","Computer":"aks-apps-1-vmss000001","ObjectKind":"Pod","Name":"web-2","Namespace":"shop","Reason":"BackOff","Message":"Back-off pulling image","KubeEventType":"Warning","SourceComponent":"kubelet","FirstSeen":"2026-11-03T10:40:00Z","LastSeen":"2026-11-03T11:40:00Z","Count":9}]
            """
        try kubeEvents.write(to: dir.appendingPathComponent("c.json"), atomically: true, encoding: .utf8)
        let twin = event("u-2", count: 1, first: "2026-11-03T10:40:00Z", last: "2026-11-03T10:41:00Z").replacingOccurrences(
            of: "web-1", with: "web-2")
        try twin.write(to: dir.appendingPathComponent("d.json"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("f.sqlite").path
        for name in ["a.json", "b.json", "c.json", "d.json"] {
            _ = try Pipeline.ingest(paths: [dir.appendingPathComponent(name).path], dbPath: db)
        }
        let store = try Database(path: db, readOnly: true)
        #expect(
            try store.rows("SELECT coalesce(uid, object_name), count, first_seen, last_seen FROM kube_events ORDER BY 1").map {
                $0.map(\.text)
            } == [
                ["api-1", "4", "2026-11-03T10:20:00.000Z", "2026-11-03T10:50:00.000Z"],
                ["u-1", "5", "2026-11-03T10:00:00.000Z", "2026-11-03T10:10:00.000Z"],
                ["u-2", "9", "2026-11-03T10:40:00.000Z", "2026-11-03T11:40:00.000Z"],
            ])
        #expect(try Self.expectRoundTrip(db) == 3)
    }
}
