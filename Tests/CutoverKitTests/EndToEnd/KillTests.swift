import Foundation
import Testing

@testable import CutoverKit

@Suite("An ingest killed at any point, then run again, ends with the records of one clean run")
struct KillTests {
    /// Everything that identifies the stored events and activity records, as one comparable text.
    static func fingerprint(_ path: String) throws -> [[SQLValue]] {
        let db = try Database(path: path, readOnly: true)
        return try db.rows(
            """
            SELECT 'e', coalesce(uid, object_name || '|' || reason), count, first_seen, last_seen, message FROM kube_events
            UNION ALL SELECT 'a', dedupe_key, 0, time, status, operation FROM activity_records
            ORDER BY 1, 2
            """)
    }

    /// The same with `--exclusive` (a rollback journal instead of WAL while loading).
    @Test(arguments: [[], ["--exclusive"]] as [[String]])
    func repeatedSIGKILLsLoseAndDoubleNothing(flags: [String]) throws {
        let dir = Paths.temporaryDirectory()
        var spec = SimulationSpec()
        spec.pools = SimulationSpec.pools(nodes: 60, count: 3)
        spec.eventsPerNode = 400
        spec.seed = 99
        try Pipeline.simulate(spec: spec, directory: dir.path)
        let logs = dir.appendingPathComponent("logs").path

        let clean = dir.appendingPathComponent("clean.sqlite").path
        let started = Date()
        #expect(try runCutover(["ingest", "--db", clean, logs] + flags, in: dir).status == 0)
        // Kill points are spread over the time a clean run takes. A run that ends before its
        // kill point, with no kill before it, proves nothing: the database is started again
        // and the kill points moved earlier (a warm run can be much faster than the first).
        var window = UInt64(Date().timeIntervalSince(started) * 1_000_000)

        let killed = dir.appendingPathComponent("killed.sqlite").path
        var generator = SeededGenerator(seed: 5)
        var interrupted = 0
        var attempts = 0
        while interrupted < 5 && attempts < 30 {
            attempts += 1
            let executable = try #require(Paths.executable)
            let process = Process()
            process.executableURL = executable
            process.arguments = ["ingest", "--db", killed, logs] + flags
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32(window / 20 + generator.next() % max(1, window * 17 / 20)))
            let killedNow = process.isRunning
            if killedNow { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            if killedNow {
                interrupted += 1
            } else if interrupted > 0 {
                break  // killed, then resumed to the end: a sequence worth checking
            } else {
                for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: killed + suffix) }
                window = window * 2 / 3
            }
        }
        #expect(interrupted > 0, "no run was interrupted: the input is too small to test this")
        #expect(try runCutover(["ingest", "--db", killed, logs] + flags, in: dir).status == 0)
        // One more run changes nothing.
        let again = try runCutover(["ingest", "--db", killed, logs] + flags, in: dir)
        #expect(again.stderr.contains("already ingested"))

        let expected = try Self.fingerprint(clean)
        let actual = try Self.fingerprint(killed)
        #expect(expected.count > 10_000)
        #expect(actual.count == expected.count)
        #expect(actual == expected)
        // The manifest counts match a clean run's too: a resumed file counts the records the
        // interrupted run stored, and folds only true duplicates (events files: activity
        // duplicates of other files among the resumed part are not told apart).
        let manifest = """
            SELECT name, kube_events, activity_records, uidless_events, CASE WHEN activity_records = 0 THEN duplicates END
            FROM sources ORDER BY name, kube_events
            """
        #expect(try Database(path: killed, readOnly: true).rows(manifest) == Database(path: clean, readOnly: true).rows(manifest))
        let db = try Database(path: killed, readOnly: true)
        #expect(try db.int("SELECT count(*) FROM sqlite_master WHERE name IN ('kube_events_by_uid', 'kube_events_by_reason')") == 2)
        #expect(try db.scalar("PRAGMA integrity_check") == .text("ok"))
        #expect(try db.scalar("PRAGMA journal_mode") == .text("wal"))
    }

    /// An exclusive load is refused, with the reason, while another connection has the
    /// database open; and leaves it in WAL mode when it ends.
    @Test func anExclusiveLoadNeedsTheDatabaseToItselfAndEndsInWAL() throws {
        let dir = Paths.temporaryDirectory()
        let path = dir.appendingPathComponent("x.sqlite").path
        var options = Ingester.Options()
        options.exclusive = true
        let samples = Paths.samples.appendingPathComponent("logs").path
        let summary = try Pipeline.ingest(paths: [samples], dbPath: path, options: options)
        #expect(summary.kubeEvents > 500)
        let reader = try Database(path: path, readOnly: true)
        #expect(try reader.scalar("PRAGMA journal_mode") == .text("wal"))
        #expect(try reader.int("SELECT count(*) FROM sources") == summary.files.count)
        do {
            _ = try EventStore(path: path, exclusive: true)
            Issue.record("an exclusive open succeeded while another connection had the database open")
        } catch {
            #expect("\(error)".contains("is open in another process"), "\(error)")
        }
    }
}
