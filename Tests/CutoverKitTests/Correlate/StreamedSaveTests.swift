import Foundation
import Testing

@testable import CutoverKit

/// `CorrelationStore.save(playbook:settings:correlate:)` stores the failure rows on a thread of
/// its own while correlation makes them: the tables come out as when every row is stored after
/// correlation, whatever the runs' size, and an error of the writer keeps the results as they were.
@Suite("Failure rows stored while they are made: the same tables, and a failed write changes nothing")
struct StreamedSaveTests {
    static let tables = [
        "milestone_results", "node_results", "bootstrap_results", "node_round_results", "failure_results", "coverage_results",
        "cluster_results", "failure_texts",
    ]

    /// Every row of the result tables, with their row ids (the failures' order of storing).
    static func contents(_ db: Database) throws -> [[[SQLValue]]] {
        try tables.map { try db.rows("SELECT rowid, * FROM \($0) ORDER BY rowid") }
    }

    /// A database correlated once the way rows were stored before (all after correlation).
    static func correlatedOnce() throws -> (path: String, db: Database, store: CorrelationStore, facts: FleetFacts) {
        let path = try FactsLoadTests.database()
        let db = try Database(path: path)
        let store = CorrelationStore(db: db)
        let facts = try store.loadFacts()
        try store.save(try FleetCorrelator().correlate(facts), settings: settings)
        return (path, db, store, facts)
    }

    static let settings = CorrelationSettings(playbook: "three-rounds")

    @Test(arguments: [1, 7, 8192])
    func streamedRowsAreTheRowsStoredAfter(chunk: Int) throws {
        let (_, db, store, facts) = try Self.correlatedOnce()
        let expected = try Self.contents(db)
        #expect(expected[4].count > 40)
        var correlator = FleetCorrelator()
        correlator.streamChunk = chunk
        var runs: [Int] = []
        let fleet = try store.save(playbook: correlator.playbook.name, settings: Self.settings) { stream in
            try correlator.correlate(facts) { label, run in
                runs.append(run.count)
                stream(label, run)
            }
        }
        #expect(fleet.clusters.allSatisfy { $0.result.streamed })
        #expect(runs.reduce(0, +) == fleet.clusters.map(\.result.attributions.count).reduce(0, +))
        #expect(runs.allSatisfy { $0 <= chunk })
        #expect(try Self.contents(db) == expected)
    }

    /// The writer's thread fails on the fifth failure row (a trigger): the error reaches the caller,
    /// nothing waits forever, and the results of the correlation before are all still there.
    @Test func aFailedWriteKeepsTheResultsBefore() throws {
        let (path, db, store, facts) = try Self.correlatedOnce()
        let before = try Self.contents(db)
        var correlator = FleetCorrelator()
        try Database(path: path).execute(
            """
            CREATE TRIGGER refuse_fifth BEFORE INSERT ON failure_results
            WHEN (SELECT count(*) FROM failure_results) >= 4 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
            """)
        correlator.streamChunk = 2
        #expect(throws: SQLiteError.self) {
            _ = try store.save(playbook: correlator.playbook.name, settings: Self.settings) { stream in
                try correlator.correlate(facts, stream: stream)
            }
        }
        try db.execute("DROP TRIGGER refuse_fifth")
        #expect(try Self.contents(db) == before)
    }

    /// Failure messages that differ only in bytes Swift's `==` ignores (`é` against `e` + U+0301,
    /// other canonically equal pairs) and the hostile corpus: each failure keeps its event's message
    /// byte for byte, and each distinct text is stored once.
    @Test func eachTextIsStoredOnceByItsBytes() throws {
        let path = try FactsLoadTests.database()
        let db = try Database(path: path)
        let suffixes = [" é", " e\u{301}", " \u{212B}", " \u{C5}", " A\u{30A}"] + HostileText.corpus(base: "x", count: 40)
        // Events of the same message take the suffixes in turn: their texts differ only there.
        let failures = try db.rows(
            "SELECT event_id, message FROM kube_events WHERE reason IN ('Failed', 'BackOff') ORDER BY message, event_id")
        let update = try db.prepare("UPDATE kube_events SET message = message || ?2 WHERE event_id = ?1")
        var turn: [String: Int] = [:]
        try db.transaction {
            for row in failures {
                let i = turn[row[1].text, default: 0]
                turn[row[1].text] = i + 1
                try update.bindAll([row[0], .text(suffixes[i % suffixes.count].replacingOccurrences(of: "\u{0}", with: ""))])
                _ = try update.step()
                update.reset()
            }
        }
        let store = CorrelationStore(db: db)
        try store.save(try FleetCorrelator().correlate(try store.loadFacts()), settings: Self.settings)
        #expect(try db.int("SELECT count(*) FROM attributions") > 40)
        // Both spellings of `é` end some failure's message, each its own text.
        let spellings = try db.int(
            """
            SELECT count(DISTINCT hex(substr(a.message, -2))) FROM attributions a
            WHERE substr(a.message, -2) IN (' é', 'e\u{301}')
            """)
        #expect(spellings == 2)
        #expect(
            try db.int(
                "SELECT count(*) FROM attributions a JOIN kube_events e ON e.event_id = a.event_id WHERE hex(a.message) <> hex(e.message)"
            ) == 0)
        #expect(
            try db.int("SELECT count(*) FROM failure_texts")
                == db.int("SELECT count(*) FROM (SELECT message FROM attributions UNION SELECT explanation FROM attributions)"))
    }
}
