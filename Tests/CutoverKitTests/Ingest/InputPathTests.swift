import Foundation
import Testing

@testable import CutoverKit

@Suite("Input paths: links are followed, nothing blocks, the database never reads itself")
struct InputPathTests {
    let dir = Paths.temporaryDirectory()

    @discardableResult
    func file(_ name: String, events: Int) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let text = (1...events).map { event(uid: "\(name)-\($0)", count: 1, first: "2026-11-03T13:00:00Z", last: "2026-11-03T13:00:00Z") }
        try text.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func link(_ name: String, to target: String) throws {
        let path = dir.appendingPathComponent(name).path
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
    }

    @Test func symbolicLinksAreFollowedOnceAndBrokenOnesReported() throws {
        try file("real/a.json", events: 3)
        try file("real/deeper/b.json", events: 4)
        try link("tree/linked-dir", to: dir.appendingPathComponent("real").path)
        try link("tree/linked-file.json", to: dir.appendingPathComponent("real/a.json").path)
        try link("tree/loop", to: dir.appendingPathComponent("tree").path)
        try link("tree/broken.json", to: dir.appendingPathComponent("nowhere.json").path)
        let (files, problems) = Ingester.expand([dir.appendingPathComponent("tree").path, dir.appendingPathComponent("real-link").path])
        #expect(files.map { ($0 as NSString).lastPathComponent }.sorted() == ["a.json", "b.json", "linked-file.json"])
        #expect(problems.map(\.reason).sorted() == ["a broken symbolic link", "no such file or directory"])
        try link("arg-link", to: dir.appendingPathComponent("real").path)
        let summary = try Pipeline.ingest(
            paths: [dir.appendingPathComponent("arg-link").path], dbPath: dir.appendingPathComponent("l.sqlite").path)
        #expect(summary.kubeEvents == 7)
        let broken = try Pipeline.ingest(
            paths: [dir.appendingPathComponent("tree/broken.json").path], dbPath: dir.appendingPathComponent("b.sqlite").path)
        #expect(broken.files.first?.problem?.contains("a broken symbolic link") == true)
        #expect(!broken.damaged.isEmpty)
    }

    /// A FIFO would block the ingest forever: it is reported, not opened.
    @Test func aFIFOIsReportedNotRead() throws {
        let fifo = dir.appendingPathComponent("pipe.json").path
        #expect(mkfifo(fifo, 0o600) == 0)
        try file("real.json", events: 2)
        let summary = try Pipeline.ingest(paths: [dir.path], dbPath: dir.appendingPathComponent("f.sqlite").path)
        #expect(summary.kubeEvents == 2)
        #expect(summary.files.contains { $0.path == fifo && $0.status == .failed && ($0.problem ?? "").contains("not a regular file") })
    }

    /// `cutover run .` in the folder that holds the database, twice: the database, its WAL and
    /// the postmortem are never read as inputs.
    @Test func runInTheFolderOfItsDatabaseReadsNeitherItNorItsPostmortem() throws {
        try file("exports/a.json", events: 5)
        let first = try runCutover(["run", "--out", "postmortem.md", "."], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try runCutover(["run", "--out", "postmortem.md", "."], in: dir)
        #expect(second.status == 0, "\(second.stderr)")
        let db = try Database(path: dir.appendingPathComponent("cutover.sqlite").path, readOnly: true)
        #expect(try db.rows("SELECT name FROM sources ORDER BY name").map { $0[0].text } == ["a.json"])
        #expect(try db.int("SELECT count(*) FROM rejects") == 0)
    }

    /// Another database given as an input is named for what it is.
    @Test func aSQLiteDatabaseIsNoExport() throws {
        let other = dir.appendingPathComponent("other.sqlite").path
        _ = try EventStore(path: other)
        let summary = try Pipeline.ingest(paths: [other], dbPath: dir.appendingPathComponent("main.sqlite").path)
        #expect(
            summary.files.first?.problem?.contains("is a SQLite database") == true, "\(String(describing: summary.files.first?.problem))")
        #expect(summary.rejects == 0)
    }
}
