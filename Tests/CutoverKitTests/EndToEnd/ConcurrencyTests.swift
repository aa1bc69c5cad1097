import Foundation
import Testing

@testable import CutoverKit

@Suite("Concurrent and repeated runs: one writer at a time, every re-run exact")
struct ConcurrencyTests {
    /// Starts the binary without waiting for it.
    static func start(_ arguments: [String], in dir: URL) throws -> Process {
        let process = Process()
        let executable: URL = try #require(Paths.executable)
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = dir
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Two ingests of the same files into one database (new, then existing) at the same time:
    /// both succeed, and the manifest and the rows are those of one ingest.
    @Test(arguments: [false, true])
    func twoIngestsAtOnceGiveTheRowsOfOne(existing: Bool) throws {
        let dir = Paths.temporaryDirectory()
        let samples = Paths.samples.appendingPathComponent("logs").path
        let reference = try runCutover(["ingest", "--db", "one.sqlite", samples], in: dir)
        #expect(reference.status == 0)
        if existing {
            _ = try runCutover(["ingest", "--db", "two.sqlite", Paths.samples.appendingPathComponent("logs/arm").path], in: dir)
        }
        let a = try Self.start(["ingest", "--db", "two.sqlite", samples], in: dir)
        let b = try Self.start(["ingest", "--db", "two.sqlite", samples], in: dir)
        a.waitUntilExit()
        b.waitUntilExit()
        #expect(a.terminationStatus == 0 && b.terminationStatus == 0)
        let one = try Database(path: dir.appendingPathComponent("one.sqlite").path, readOnly: true)
        let two = try Database(path: dir.appendingPathComponent("two.sqlite").path, readOnly: true)
        for sql in [
            "SELECT count(*) FROM sources", "SELECT sum(kube_events) + sum(activity_records) FROM sources",
            "SELECT count(*) FROM kube_events",
            "SELECT count(*) FROM activity_records", "SELECT count(*) FROM rejects",
        ] {
            #expect(try one.int(sql) == two.int(sql), "\(sql)")
        }
    }

    @Test func aWriterThatCannotGetTheLockSaysWhoHasIt() throws {
        let dir = Paths.temporaryDirectory()
        let db = dir.appendingPathComponent("locked.sqlite").path
        _ = try EventStore(path: db)
        let held = try WriterLock(database: db)
        let result = try runCutover(
            ["ingest", "--db", "locked.sqlite", "--wait", "0.3", Paths.samples.appendingPathComponent("logs").path], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("another cutover is writing to locked.sqlite"), "\(result.stderr)")
        withExtendedLifetime(held) {}
    }

    /// A file that grew by appending is read again whole: its earlier read is superseded, so
    /// its rejects and counts are not doubled; an unchanged file is skipped.
    @Test(arguments: [1, 3])
    func aFileThatGrewIsReadAgainWithoutDoubling(appends: Int) throws {
        let dir = Paths.temporaryDirectory()
        let path = dir.appendingPathComponent("events.ndjson").path
        var lines = (1...20).map { event(uid: "g\($0)", count: 1, first: "2026-11-03T13:00:00Z", last: "2026-11-03T13:00:00Z") }
        lines.insert("{\"broken\": ", at: 5)
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("g.sqlite").path
        _ = try Pipeline.ingest(paths: [path], dbPath: db)
        for k in 1...appends {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            handle.seekToEndOfFile()
            handle.write(Data((event(uid: "new\(k)", count: 1, first: "2026-11-03T14:00:00Z", last: "2026-11-03T14:00:00Z") + "\n").utf8))
            try handle.close()
            _ = try Pipeline.ingest(paths: [path], dbPath: db)
        }
        let again = try Pipeline.ingest(paths: [path], dbPath: db)
        #expect(again.files.first?.status == .alreadyIngested)
        let d = try Database(path: db, readOnly: true)
        #expect(try d.int("SELECT count(*) FROM rejects") == 1)
        #expect(try d.int("SELECT count(*) FROM kube_events") == 20 + appends)
        #expect(try d.int("SELECT count(*) FROM sources WHERE status = 'complete'") == 1)
        #expect(try d.int("SELECT count(*) FROM sources WHERE status = 'superseded'") == appends)
        #expect(try d.int("SELECT sum(rejects) FROM sources") == 1)
    }
}
