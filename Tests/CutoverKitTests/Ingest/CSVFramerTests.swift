import Foundation
import Testing

@testable import CutoverKit

func frameCSV(_ text: String, chunk: Int) -> [Framed] {
    var framer = CSVFramer(maxRecordBytes: 1 << 16)
    return dripFeed(text, chunk: chunk, feed: { framer.feed($0, $1) }, finish: { framer.finish($0) })
}

@Suite("CSVFramer: Log Analytics CSV exports become JSON records")
struct CSVFramerTests {
    static let kubeEventsCSV =
        "\u{FEFF}TimeGenerated [UTC],Computer,Count,FirstSeen [UTC],KubeEventType,LastSeen [UTC],Message,Name,Namespace,ObjectKind,Reason\r\n"
        + "\"11/3/2026, 1:04:55.597 PM\",aks-apps-1-vmss000004,3,\"11/3/2026, 12:59:00.000 PM\",Warning,\"11/3/2026, 1:04:00.000 PM\","
        + "\"Failed to pull image \"\"mcr.microsoft.com/a:1\"\": dial tcp 20.61.99.1:443: i/o timeout\",ama-logs-x2k4q,kube-system,Pod,Failed\r\n"
        + "\r\n"
        + "2026-11-03T13:10:00Z,aks-apps-1-vmss000005,1,2026-11-03T13:10:00Z,Warning,2026-11-03T13:10:00Z,\"two\nlines, and a comma\",web-1,shop,Pod,BackOff\r\n"

    @Test(arguments: JSONFramerTests.chunkSizes)
    func rowsBecomeJSONObjectsKeyedByTheHeader(chunk: Int) throws {
        let items = frameCSV(Self.kubeEventsCSV, chunk: chunk)
        #expect(items.count == 2)
        guard case .record(let first, let line) = items[0], case .record(let second, let line2) = items[1] else {
            Issue.record("expected two records, got \(items)")
            return
        }
        #expect(line == 2 && line2 == 4)
        var json = JSONIndex()
        try json.load(first)
        #expect(json.string(json.find("TimeGenerated")) == "2026-11-03T13:04:55.597Z")
        #expect(json.string(json.find("FirstSeen")) == "2026-11-03T12:59:00.000Z")
        #expect(json.string(json.find("Message")) == "Failed to pull image \"mcr.microsoft.com/a:1\": dial tcp 20.61.99.1:443: i/o timeout")
        try json.load(second)
        #expect(json.string(json.find("Message")) == "two\nlines, and a comma")
        #expect(json.string(json.find("LastSeen")) == "2026-11-03T13:10:00Z")
    }

    @Test func kubeEventsRowsDecodeAndPlaceTheirNode() throws {
        guard case .record(let text, _) = frameCSV(Self.kubeEventsCSV, chunk: 4096)[0] else {
            Issue.record("no record")
            return
        }
        guard case .kubeEvent(let e) = try decodeText(text) else {
            Issue.record("not an event")
            return
        }
        #expect(e.shape == .kubeEvents && e.uid == nil && e.count == 3)
        #expect(e.sourceHost == "aks-apps-1-vmss000004" && e.objectName == "ama-logs-x2k4q" && e.objectKind == "Pod")
        #expect(e.firstSeen.description == "2026-11-03T12:59:00.000Z" && e.lastSeen.description == "2026-11-03T13:04:00.000Z")
    }

    @Test func tooManyFieldsAndAnOpenQuoteAreReported() {
        let text = "TimeGenerated,Reason\n2026-11-03T13:00:00Z,a,b\n2026-11-03T13:00:00Z,\"open"
        #expect(
            frameCSV(text, chunk: 3) == [
                .invalid("CSV row has 3 fields, the header 2", line: 2), .invalid("input ends inside a quoted CSV field", line: 3),
            ])
    }

    @Test(arguments: [
        ("11/3/2026, 1:04:55.597 PM", "2026-11-03T13:04:55.597Z"),
        ("11/3/2026, 12:00:00 AM", "2026-11-03T00:00:00Z"),
        ("1/13/2026, 12:30:00.1 PM", "2026-01-13T12:30:00.1Z"),
        ("2026-11-03T13:00:00.123", "2026-11-03T13:00:00.123Z"),
        ("2026-11-03T13:00:00+02:00", "2026-11-03T13:00:00+02:00"),
    ])
    func portalAndISOTimesInUTCColumns(text: String, iso: String) {
        #expect(CSVFramer.utcTime(text) == iso)
    }

    // The first one crashed the framer under the fuzzer: an empty seconds field.
    @Test(arguments: [
        "02/3/2026, 12:0475955:. PM", "13/3/2026, 1:00:00 PM", "1/1/2026, 0:00:00 AM", "1/1/2026, 1:00:00.x PM", "a/b/c, d:e:f PM",
        "//, :: PM",
    ])
    func malformedPortalTimesAreLeftAsTheyAre(text: String) {
        #expect(CSVFramer.utcTime(text) == nil)
    }

    @Test func detectionLooksAtTheHeaderNotTheName() {
        func looks(_ s: String) -> Bool { Array(s.utf8).withUnsafeBytes { CSVFramer.looksLikeCSV($0) } }
        #expect(looks("TimeGenerated [UTC],OperationNameValue\n"))
        #expect(!looks("{\"TimeGenerated\":\"x\"}"))
        #expect(!looks("Content\n{}"))
    }
}

@Suite("KubeEvents rows fold into the same event from a shape with a uid")
struct TwinFoldTests {
    @Test func exporterEventAndKubeEventsRowAreOneEvent() throws {
        let dir = Paths.temporaryDirectory()
        let db = dir.appendingPathComponent("t.sqlite").path
        try event(uid: "u1", count: 4, first: "2026-11-03T13:00:00Z", last: "2026-11-03T13:05:00Z", host: "aks-apps-12345678-vmss000001")
            .write(to: dir.appendingPathComponent("exporter.json"), atomically: true, encoding: .utf8)
        let csv =
            "TimeGenerated [UTC],Computer,Count,FirstSeen [UTC],KubeEventType,LastSeen [UTC],Message,Name,Namespace,ObjectKind,Reason\n"
            + "2026-11-03T13:09:00Z,aks-apps-12345678-vmss000001,6,2026-11-03T13:00:00Z,Warning,2026-11-03T13:09:00Z,Error: ErrImagePull,web-1,shop,Pod,Failed\n"
        try csv.write(to: dir.appendingPathComponent("kube-events.csv"), atomically: true, encoding: .utf8)
        let summary = try Pipeline.ingest(paths: [dir.path], dbPath: db)
        #expect(summary.kubeEvents == 2 && summary.duplicates == 1)
        let rows = try Database(path: db).rows("SELECT uid, count, last_seen FROM kube_events")
        #expect(rows == [[.text("u1"), .integer(6), .text("2026-11-03T13:09:00.000Z")]])
    }
}

@Suite("CSV rows of any width stay within bounded memory")
struct CSVWideRowTests {
    /// A row of millions of fields (16 MB) among good ones: one reject naming the count, the
    /// good rows kept, and the ingest's peak memory far under the 100 MiB budget.
    @Test func aRowOfMillionsOfFieldsIsOneRejectInBoundedMemory() throws {
        let dir = Paths.temporaryDirectory()
        let header = "TimeGenerated [UTC],ObjectKind,Name,Namespace,Reason,Message,KubeEventType,Computer,Count\r\n"
        let good = "2026-11-03T13:00:00Z,Pod,web-1,shop,Failed,Error: ErrImagePull,Warning,aks-apps-12345678-vmss000001,1\r\n"
        var text = header + good
        text += String(repeating: "x,", count: 7_000_000) + "x\r\n"
        text += good.replacingOccurrences(of: "web-1", with: "web-2")
        let path = dir.appendingPathComponent("kube-events.csv")
        try text.write(to: path, atomically: true, encoding: .utf8)
        let result = try runCutover(["ingest", "--max-record-bytes", String(32 << 20), path.path], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("2 Kubernetes events"), "\(result.stderr)")
        let db = try Database(path: dir.appendingPathComponent("cutover.sqlite").path, readOnly: true)
        #expect(try db.rows("SELECT reason FROM rejects").map { $0[0].text } == ["CSV row has 7000001 fields, the header 9"])
        // The summary's own figure (VmHWM): the test process's memory is not the child's.
        let peak = try #require(result.stderr.firstMatch(of: /peak memory (\d+) MB/).flatMap { Int($0.output.1) })
        #expect(peak < 100, "peak memory \(peak) MB")
        #expect(try db.int("SELECT count(*) FROM kube_events") == 2)
    }
}
