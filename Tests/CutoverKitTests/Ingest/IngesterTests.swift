import Foundation
import Testing

@testable import CutoverKit

/// Writes `text` gzip-compressed; several members when `members` > 1 (as `cat a.gz b.gz` makes).
func writeGzip(_ text: String, to path: String, members: Int = 1) throws {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let per = max(1, (lines.count + members - 1) / members)
    var data = Data()
    for part in stride(from: 0, to: lines.count, by: per) {
        let piece = lines[part..<min(lines.count, part + per)].joined(separator: "\n") + (part + per < lines.count ? "\n" : "")
        let tmp = path + ".part"
        let writer = try GzipWriter(path: tmp)
        try writer.write(piece)
        try writer.close()
        data.append(try Data(contentsOf: URL(fileURLWithPath: tmp)))
        try FileManager.default.removeItem(atPath: tmp)
    }
    try data.write(to: URL(fileURLWithPath: path))
}

/// A core/v1 event; the uid is written as a JSON string, whatever its characters.
func event(uid: String, reason: String = "Failed", count: Int, first: String, last: String, host: String = "aks-apps-12345678-vmss000001")
    -> String
{
    #"{"metadata":{"uid":\#(JSONText.quote(uid)),"namespace":"shop"},"involvedObject":{"kind":"Pod","namespace":"shop","name":"web-1"},"reason":"\#(reason)","message":"Error: ErrImagePull","source":{"component":"kubelet","host":"\#(host)"},"firstTimestamp":"\#(first)","lastTimestamp":"\#(last)","count":\#(count),"type":"Warning"}"#
}

@Suite("Ingester: files in, rows out, nothing lost, nothing doubled")
struct IngesterTests {
    let dir = Paths.temporaryDirectory()
    var db: String { dir.appendingPathComponent("t.sqlite").path }

    @Test func multiMemberGzipIsReadWhole() throws {
        let lines = (1...30).map { event(uid: "u\($0)", count: 1, first: "2026-11-03T13:00:00Z", last: "2026-11-03T13:00:00Z") }
        let path = dir.appendingPathComponent("events.ndjson.gz").path
        try writeGzip(lines.joined(separator: "\n"), to: path, members: 3)
        let summary = try Pipeline.ingest(paths: [path], dbPath: db)
        #expect(summary.kubeEvents == 30 && summary.rejects == 0)
        #expect(summary.files.first?.status == .complete)
        #expect(try Database(path: db).int("SELECT compressed FROM sources") == 1)
    }

    /// Each file's span and evidence kinds, which coverage uses to find windows no input covers.
    @Test func eachFileRecordsItsTimeSpanAndWhatEvidenceItHolds() throws {
        let warnings = dir.appendingPathComponent("kube-events.json").path
        try [
            event(uid: "w1", count: 1, first: "2026-11-03T12:10:00Z", last: "2026-11-03T12:10:00Z"),
            event(uid: "w2", count: 9, first: "2026-11-03T12:20:00Z", last: "2026-11-03T13:45:00Z"),
        ].joined(separator: "\n").write(toFile: warnings, atomically: true, encoding: .utf8)
        let samples = Paths.samples.appendingPathComponent("logs").path
        _ = try Pipeline.ingest(paths: [warnings, samples], dbPath: db)
        let rows = try Database(path: db).rows(
            "SELECT name, first_time, last_time, normal_events, node_group_records, kube_events FROM sources ORDER BY source_id")
        let byName = Dictionary(rows.map { ($0[0].text, $0) }, uniquingKeysWith: { a, _ in a })
        let kube = try #require(byName["kube-events.json"])
        #expect(kube[1].text == "2026-11-03T12:10:00.000Z" && kube[2].text == "2026-11-03T13:45:00.000Z")
        #expect(kube[3].text == "0" && kube[4].text == "0")
        let exporter = try #require(byName["event-exporter.ndjson.gz"])
        #expect(Int(exporter[3].text) ?? 0 > 0 && Int(exporter[3].text) ?? 0 < Int(exporter[5].text) ?? 0)
        // The cluster's activity log, and the node resource group's in the PT1H tree.
        let cluster = try #require(byName["activity-log.json.gz"])
        #expect(cluster[4].text == "0" && cluster[1].text < cluster[2].text)
        #expect(rows.filter { $0[0].text == "PT1H.json.gz" }.allSatisfy { Int($0[4].text) ?? 0 > 0 })
    }

    @Test func reingestingTheSameContentIsANoOp() throws {
        let path = dir.appendingPathComponent("a.json").path
        try event(uid: "u1", count: 2, first: "2026-11-03T13:00:00Z", last: "2026-11-03T13:05:00Z").write(
            toFile: path, atomically: true, encoding: .utf8)
        _ = try Pipeline.ingest(paths: [path], dbPath: db)
        let copy = dir.appendingPathComponent("copy-under-another-name.json").path
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let second = try Pipeline.ingest(paths: [path, copy], dbPath: db)
        #expect(second.files.map(\.status) == [.alreadyIngested, .alreadyIngested])
        #expect(try Database(path: db).int("SELECT count(*) FROM kube_events") == 1)
    }

    @Test func overlappingExportsFoldIntoOneEventWithTheLatestCount() throws {
        let early = dir.appendingPathComponent("early.json").path
        let late = dir.appendingPathComponent("late.json").path
        try event(uid: "same", count: 3, first: "2026-11-03T13:00:00Z", last: "2026-11-03T13:04:00Z")
            .write(toFile: early, atomically: true, encoding: .utf8)
        try ("[" + event(uid: "same", count: 11, first: "2026-11-03T13:00:00Z", last: "2026-11-03T13:30:00Z") + "]")
            .write(toFile: late, atomically: true, encoding: .utf8)
        let summary = try Pipeline.ingest(paths: [late, early], dbPath: db)
        #expect(summary.duplicates == 1)
        let row = try Database(path: db).rows("SELECT count, first_seen, last_seen FROM kube_events")
        #expect(row == [[.integer(11), .text("2026-11-03T13:00:00.000Z"), .text("2026-11-03T13:30:00.000Z")]])
    }

    @Test func truncatedGzipKeepsTheRecordsBeforeTheDamage() throws {
        let lines = (1...2000).map { event(uid: "u\($0)", count: 1, first: "2026-11-03T13:00:00Z", last: "2026-11-03T13:00:00Z") }
        let whole = dir.appendingPathComponent("whole.gz").path
        try writeGzip(lines.joined(separator: "\n") + "\n", to: whole)
        let data = try Data(contentsOf: URL(fileURLWithPath: whole))
        let cut = dir.appendingPathComponent("cut.ndjson.gz").path
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: cut))
        let summary = try Pipeline.ingest(paths: [cut], dbPath: db)
        let file = try #require(summary.files.first)
        #expect(file.status == .truncated)
        #expect(file.problem?.contains("truncated") == true)
        #expect(file.kubeEvents > 100 && file.kubeEvents < 2000)
        #expect(summary.damaged.count == 1)
        let database = try Database(path: db)
        #expect(try database.int("SELECT count(*) FROM kube_events") == file.kubeEvents)
        #expect(try database.int("SELECT status = 'truncated' FROM sources") == 1)
    }

    @Test func badRecordsArePreservedWithFileLineAndReason() throws {
        let path = dir.appendingPathComponent("mixed.ndjson").path
        let text = [
            event(uid: "good1", count: 1, first: "2026-11-03T13:00:00Z", last: "2026-11-03T13:00:00Z"),
            #"{"metadata":{"uid":"broken"},"reason":"#,
            #"{"hello":"world"}"#,
            event(uid: "good2", count: 1, first: "2026-11-03T13:00:00Z", last: "2026-11-03T13:00:00"),
            event(uid: "good3", count: 1, first: "2026-11-03T13:01:00Z", last: "2026-11-03T13:01:00Z"),
        ].joined(separator: "\n")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let summary = try Pipeline.ingest(paths: [path], dbPath: db)
        #expect(summary.kubeEvents == 2)
        #expect(summary.rejects == 3)
        let rejects = try Database(path: db).rows("SELECT line, reason FROM rejects ORDER BY position")
        #expect(rejects.map { $0[0] } == [.integer(2), .integer(3), .integer(4)])
        #expect(rejects[0][1].text == "record not closed before the next line's record begins")
        #expect(rejects[1][1].text.hasPrefix("unknown record shape"))
        #expect(rejects[2][1].text.contains("has no time zone"))
        // Running again adds nothing: the file is known, the rejects unique per position.
        _ = try Pipeline.ingest(paths: [path], dbPath: db)
        #expect(try Database(path: db).int("SELECT count(*) FROM rejects") == 3)
    }

    /// JSON no encoder writes (an escape RFC 8259 does not have, a number it does not) is a
    /// reject that says what and where, never a record stored with other text or another count.
    @Test func invalidEscapesAndNumbersAreRejectsNotAlteredRecords() throws {
        let path = dir.appendingPathComponent("escapes.ndjson").path
        let good = event(uid: "good", count: 1, first: "2026-11-03T13:00:00Z", last: "2026-11-03T13:00:00Z")
        func variant(_ uid: String, _ from: String, _ to: String) -> String {
            good.replacingOccurrences(of: from, with: to).replacingOccurrences(of: "\"good\"", with: "\"\(uid)\"")
        }
        let lines = [
            good,
            variant("ok2", "Error: ErrImagePull", #"pull C:\\images\\app: denied"#),
            variant("bad1", "Error: ErrImagePull", #"pull C:\images\app"#),
            variant("bad2", "Error: ErrImagePull", #"caf\u00e"#),
            variant("bad3", #""count":1"#, #""count":01"#),
            variant("bad4", #""count":1"#, #""count":1-2"#),
        ]
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let summary = try Pipeline.ingest(paths: [path], dbPath: db)
        #expect(summary.kubeEvents == 2 && summary.rejects == 4)
        let database = try Database(path: db)
        let stored = try database.rows("SELECT uid, message FROM kube_events ORDER BY uid").map { $0.map(\.text) }
        #expect(stored == [["good", "Error: ErrImagePull"], ["ok2", #"pull C:\images\app: denied"#]])
        let rejects = try database.rows("SELECT line, reason, snippet FROM rejects ORDER BY position")
        #expect(rejects.map(\.[0]) == [.integer(3), .integer(4), .integer(5), .integer(6)])
        #expect(rejects[0][1].text.contains(#"invalid escape '\i' inside a string"#), "\(rejects[0][1].text)")
        #expect(rejects[1][1].text.contains(#"\u not followed by four hex digits"#), "\(rejects[1][1].text)")
        #expect(rejects[2][1].text.contains("malformed number") && rejects[3][1].text.contains("malformed number"))
        #expect(rejects[0][2].text.contains(#"C:\images\app"#))
    }

    @Test func missingPathIsReportedAndTheOthersAreRead() throws {
        let path = dir.appendingPathComponent("ok.json").path
        try event(uid: "u", count: 1, first: "2026-11-03T13:00:00Z", last: "2026-11-03T13:00:00Z").write(
            toFile: path, atomically: true, encoding: .utf8)
        let summary = try Pipeline.ingest(paths: [dir.appendingPathComponent("nope.json").path, path], dbPath: db)
        #expect(summary.files.map(\.status) == [.failed, .complete])
        #expect(summary.kubeEvents == 1)
    }

    @Test func directoriesAreReadRecursivelyInNameOrder() throws {
        let nested = dir.appendingPathComponent("insights-activity-logs/y=2026/m=11/d=03/h=09/m=00")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        let record =
            #"{"time":"2026-11-03T09:10:00.1234567Z","resourceId":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/MC_X/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINESCALESETS/AKS-APPS-12345678-VMSS/VIRTUALMACHINES/4","operationName":"MICROSOFT.COMPUTE/VIRTUALMACHINESCALESETS/VIRTUALMACHINES/REIMAGE/ACTION","category":"Administrative","resultType":"Success","resultSignature":"Succeeded.","durationMs":"0","correlationId":"c1"}"#
        try record.write(toFile: nested.appendingPathComponent("PT1H.json").path, atomically: true, encoding: .utf8)
        let summary = try Pipeline.ingest(paths: [dir.appendingPathComponent("insights-activity-logs").path], dbPath: db)
        #expect(summary.activityRecords == 1)
        let row = try Database(path: db).rows("SELECT operation, status, shape FROM activity_records")
        #expect(
            row == [
                [
                    .text("microsoft.compute/virtualmachinescalesets/virtualmachines/reimage/action"), .text("Succeeded"),
                    .text("diagnostic"),
                ]
            ])
    }
}
