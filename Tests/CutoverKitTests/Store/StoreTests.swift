import Foundation
import Testing

@testable import CutoverKit

@Suite("Store: schema, read-only queries, errors that show their SQL")
struct StoreTests {
    let path = Paths.temporaryDirectory().appendingPathComponent("s.sqlite").path

    /// A database as cutover left it at schema `version`: its migrations and their steps.
    static func database(at version: Int, path: String) throws -> Database {
        let db = try Database(path: path)
        for v in 0..<version {
            try db.execute(Schema.migrations[v])
            try Schema.steps[v + 1]?(db)
        }
        try db.execute("PRAGMA user_version = \(version)")
        return db
    }

    @Test func migrationsRecordTheirVersionAndRerunSafely() throws {
        _ = try EventStore(path: path)
        _ = try EventStore(path: path)
        let db = try Database(path: path)
        #expect(try db.int("PRAGMA user_version") == Schema.version)
        #expect(try db.scalar("PRAGMA journal_mode") == .text("wal"))
        let views = try db.rows("SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name").map { $0[0].text }
        #expect(
            views == [
                "activity_records_json", "attributions", "clusters", "kube_events_json", "meta", "milestones", "node_rounds",
                "round_cohorts",
            ])
    }

    /// The result tables declare no foreign key: with one, correlation's `DELETE` of the last
    /// results would go row by row (0.44 s for 97,874 failures) where SQLite drops their pages.
    @Test func theResultTablesDeclareNoForeignKey() throws {
        _ = try EventStore(path: path)
        let db = try Database(path: path, readOnly: true)
        let tables = try db.rows(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE '%_results' OR name = 'failure_texts')")
        #expect(tables.count >= 8)
        for table in tables.map({ $0[0].text }) {
            #expect(try db.int("SELECT count(*) FROM pragma_foreign_key_list(?1)", [.text(table)]) == 0, "\(table)")
        }
    }

    /// A database from the first release (schema 1) keeps its rows and gains the new columns;
    /// its files have no recorded span, so coverage does not judge time windows for it.
    /// A read transaction sees the database as at its first query while another connection
    /// commits (what keeps a report from mixing two correlations); after it, the new rows.
    @Test func aReadTransactionSeesOneSnapshot() throws {
        _ = try EventStore(path: path)
        let writer = try Database(path: path)
        let reader = try Database(path: path, readOnly: true)
        let runs = "SELECT count(*) FROM correlation_runs"
        let insert =
            "INSERT INTO correlation_runs (ran_at, cutover_version, playbook, playbook_source, given, sources_seen) VALUES ('t', 'v', 'p', 'p', '{}', 0)"
        let seen = try reader.readTransaction { () -> [Int] in
            let before = try reader.int(runs)
            try writer.execute(insert)
            return [before, try reader.int(runs)]
        }
        #expect(seen == [0, 0])
        #expect(try reader.int(runs) == 1)
        // Inside a transaction already open (a caller's), the body runs in that one.
        let nested = try writer.transaction { try writer.readTransaction { try writer.int(runs) } }
        #expect(nested == 1)
    }

    @Test func aVersionOneDatabaseIsMigratedAndKeepsItsRows() throws {
        let old = try Database(path: path)
        try old.execute(Schema.migrations[0])
        try old.execute(
            """
            INSERT INTO sources (path, name, status, kube_events, ingested_at) VALUES ('a.json', 'a.json', 'complete', 1, 'x');
            PRAGMA user_version = 1;
            """)
        _ = try EventStore(path: path)
        let db = try Database(path: path)
        #expect(try db.int("PRAGMA user_version") == Schema.version)
        #expect(try db.rows("SELECT name, first_time, normal_events FROM sources").map { $0.map(\.text) } == [["a.json", "", "0"]])
        #expect(try CorrelationStore(db: db).loadSpans() == nil)
    }

    /// A version-2 database held one cluster: its results keep their rows, now under that
    /// cluster's name, and read through the contract views as before.
    @Test func aVersionTwoDatabaseKeepsItsResultsUnderItsCluster() throws {
        let old = try Database(path: path)
        try old.execute(Schema.migrations[0])
        try old.execute(Schema.migrations[1])
        try old.execute(
            """
            INSERT INTO milestone_results VALUES (1, 'artifact-cache', '2026-11-03T09:03:14.000Z', 'detected', 'write', 1, 'three-rounds');
            INSERT INTO node_results (node, vmss, instance_id, pool, first_seen) VALUES
                ('aks-apps-1-vmss000000', 'aks-apps-1-vmss', 0, 'apps', '2026-11-03T08:00:00.000Z');
            INSERT INTO node_round_results VALUES ('aks-apps-1-vmss000000', 1, NULL, 'missed');
            INSERT INTO node_sightings VALUES ('aks-apps-1-vmss000000', '2026-11-03T08:00:00.000Z', '2026-11-03T13:00:00.000Z');
            INSERT INTO failure_results (event_id, cluster, node, category, reason, first_seen, last_seen, count, verdict,
                missed_round, missed_rounds, confidence, explanation)
                VALUES (7, 'aks-prod', 'aks-apps-1-vmss000000', 'image_pull', 'Failed', '2026-11-03T13:00:00.000Z',
                        '2026-11-03T13:00:00.000Z', 4, 'missed_round', 1, '1,2', 'high', 'x');
            PRAGMA user_version = 2;
            """)
        _ = try EventStore(path: path)
        let db = try Database(path: path, readOnly: true)
        #expect(try db.int("PRAGMA user_version") == Schema.version)
        #expect(try db.rows("SELECT cluster, round, source FROM milestones").map { $0.map(\.text) } == [["aks-prod", "1", "detected"]])
        #expect(
            try db.rows("SELECT cluster, node, pool, round, status FROM node_rounds").map { $0.map(\.text) } == [
                ["aks-prod", "aks-apps-1-vmss000000", "apps", "1", "missed"]
            ])
        #expect(try db.rows("SELECT cluster, verdict FROM attributions").map { $0.map(\.text) } == [["aks-prod", "missed_round"]])
        // The comma-separated text of version 2 became a JSON array, and json_each reads it.
        #expect(try db.rows("SELECT value FROM attributions, json_each(missed_rounds)").map { $0[0].text } == ["1", "2"])
        #expect(try db.rows("SELECT event_id FROM attributions").map { $0[0].text } == ["7"])
        #expect(try db.rows("SELECT cluster, name FROM clusters").map { $0.map(\.text) } == [["aks-prod", "aks-prod"]])
        #expect(try db.rows("SELECT cluster, node FROM node_sightings").map { $0.map(\.text) } == [["", "aks-apps-1-vmss000000"]])
        let report = try Pipeline.report(dbPath: path)
        #expect(report.hasPrefix("# Postmortem: network-isolation cutover of `aks-prod`"))
        #expect(report.contains("aks-apps-1-vmss000000"))
    }

    /// Version 6 counts the cohorts as the round sections attribute: a node blamed on round 1
    /// but reimaged after its failure missed round 1 (version 5 had it "with" the round), and a
    /// node blamed on round 1 is no evidence about round 2, which it also missed (version 5
    /// counted it as failing without round 2).
    @Test func aVersionFiveDatabaseCountsCohortsAsTheRoundSectionsDo() throws {
        let old = try Self.database(at: 5, path: path)
        try old.execute(
            """
            INSERT INTO milestone_results VALUES
                ('c', 1, 'artifact-cache', '2026-11-03T09:00:00.000Z', 'detected', 'w', 1, 'three-rounds'),
                ('c', 2, 'isolation-wiring', '2026-11-03T10:00:00.000Z', 'detected', 'w', 1, 'three-rounds');
            INSERT INTO node_round_results (cluster, node, round, bootstrapped_at, status) VALUES
                ('c', 'late', 1, '2026-11-03T12:00:00.000Z', 'done'), ('c', 'late', 2, '2026-11-03T12:00:00.000Z', 'done'),
                ('c', 'never', 1, NULL, 'missed'), ('c', 'never', 2, NULL, 'missed'),
                ('c', 'fine', 1, '2026-11-03T09:10:00.000Z', 'done'), ('c', 'fine', 2, '2026-11-03T10:10:00.000Z', 'done');
            INSERT INTO failure_results (event_id, cluster, node, category, reason, first_seen, last_seen, count, verdict,
                missed_round, missed_rounds, confidence, explanation) VALUES
                (1, 'c', 'late', 'image_pull', 'Failed', '2026-11-03T11:00:00.000Z', '2026-11-03T11:00:00.000Z', 1, 'missed_round', 1, '[1,2]', 'high', 'x'),
                (2, 'c', 'never', 'image_pull', 'Failed', '2026-11-03T11:00:00.000Z', '2026-11-03T11:00:00.000Z', 1, 'missed_round', 1, '[1,2]', 'high', 'x'),
                (3, 'c', 'fine', 'image_pull', 'Failed', '2026-11-03T11:00:00.000Z', '2026-11-03T11:00:00.000Z', 1, 'converged', NULL, NULL, 'high', 'x');
            INSERT INTO node_results (cluster, node, vmss, instance_id, pool, first_seen) VALUES
                ('c', 'aks-apps-1-vmss000000', 'aks-apps-1-vmss', 0, 'apps', '2026-11-03T08:00:00.000Z'),
                ('c', 'aks-batch-2-vmss000000', 'aks-batch-2-vmss', 0, 'batch', '2026-11-03T08:00:00.000Z');
            INSERT INTO sources (source_id, path, name, ingested_at) VALUES (1, 'PT1H.json', 'PT1H.json', '2026-11-03T15:00:00.000Z');
            INSERT INTO activity_records (record_id, operation_name, status, resource_id, dedupe_key, operation, time, time_field,
                resource_key, shape, fields, form, source_id, position) VALUES
                (1, 'Microsoft.Compute/virtualMachineScaleSets/reimage/action', 'Started',
                 '/subscriptions/s/resourceGroups/MC_rg_aks_westeurope/providers/Microsoft.Compute/virtualMachineScaleSets/aks-apps-1-vmss',
                 'k1', 'microsoft.compute/virtualmachinescalesets/reimage/action', '2026-11-03T10:00:00.000Z', 'time',
                 '/subscriptions/s/resourcegroups/mc_rg_aks_westeurope/providers/microsoft.compute/virtualmachinescalesets/aks-apps-1-vmss',
                 'azure-activity', 0, 0, 1, 0);
            PRAGMA user_version = 5;
            """)
        let cohorts = "SELECT round, nodes_with_round, failing_with_round, nodes_without_round, failing_without_round FROM round_cohorts"
        #expect(try old.rows(cohorts).map { $0.map(\.text) } == [["1", "2", "1", "1", "1"], ["2", "2", "1", "1", "1"]])
        _ = try EventStore(path: path)
        let db = try Database(path: path, readOnly: true)
        #expect(try db.int("PRAGMA user_version") == Schema.version)
        // Round 1: `late` and `never` missed it and failed because of it; `fine` had it and failed for another reason.
        // Round 2: both are blamed on round 1, so only `fine` (with it, failing) and `late` (with it, since 12:00) remain.
        #expect(try db.rows(cohorts).map { $0.map(\.text) } == [["1", "1", "1", "2", "2"], ["2", "2", "1", "0", "0"]])
        // The scale sets' resource groups come to node_results (as the record spells the group).
        #expect(
            try db.rows("SELECT node, resource_group FROM node_results ORDER BY node").map { $0.map(\.text) } == [
                ["aks-apps-1-vmss000000", "MC_rg_aks_westeurope"], ["aks-batch-2-vmss000000", ""],
            ])
    }

    /// Version 8 stores each failure's message and explanation once per distinct text: every
    /// attribution of a version-7 database reads the same after, byte for byte (hex: Swift's `==`
    /// would take `é` for `e` + U+0301), on hostile texts – the corpus, NULs, both spellings of
    /// `é`, empty and NULL messages – and each text is stored once.
    @Test func aVersionSevenDatabaseKeepsEveryFailureText() throws {
        let old = try Self.database(at: 7, path: path)
        let texts =
            HostileText.corpus(base: "Failed to pull image \"mcr.microsoft.com/oss/kubernetes/pause:3.6\"") + [
                "é", "e\u{301}", "", "why\u{0}hidden", "why\u{0}other", "\u{FFFD}",
            ]
        let insert = try old.prepare(
            """
            INSERT INTO failure_results (event_id, cluster, node, category, reason, message, first_seen, last_seen, count, verdict,
                missed_round, missed_rounds, confidence, explanation, wiring_incomplete)
            VALUES (?1, ?2, 'aks-apps-1-vmss000000', 'image_pull', 'Failed', ?3, '2026-11-03T11:00:00.000Z',
                    '2026-11-03T11:00:00.000Z', 1, 'missed_round', 1, '[1]', 'high', ?4, ?5)
            """)
        var rng = SeededGenerator(seed: 8)
        try old.transaction {
            for i in 0..<400 {
                let message: SQLValue = i % 11 == 0 ? .null : .text(texts[Int(rng.next() % UInt64(texts.count))])
                try insert.bindAll([
                    .integer(Int64(i)), .text(i % 3 == 0 ? "" : "aks-prod"), message,
                    .text(texts[Int(rng.next() % UInt64(texts.count))]), .integer(Int64(i % 2)),
                ])
                _ = try insert.step()
                insert.reset()
            }
        }
        let read = """
            SELECT failure_id, event_id, quote(cluster), node, verdict, hex(message), message IS NULL, hex(explanation),
                   wiring_incomplete, missed_rounds
            FROM attributions ORDER BY failure_id
            """
        let before = try old.rows(read).map { $0.map(\.text) }
        let distinct = try old.int(
            "SELECT count(*) FROM (SELECT explanation FROM failure_results UNION SELECT message FROM failure_results WHERE message IS NOT NULL)"
        )
        _ = try EventStore(path: path)
        let db = try Database(path: path, readOnly: true)
        #expect(try db.int("PRAGMA user_version") == Schema.version)
        #expect(before.count == 400)
        #expect(try db.rows(read).map { $0.map(\.text) } == before)
        #expect(try db.int("SELECT count(*) FROM failure_texts") == distinct)
        #expect(try db.int("SELECT count(*) FROM failure_texts WHERE text IN ('é', 'e\u{301}')") == 2)
        #expect(try db.int("SELECT count(*) FROM failure_results WHERE message_id IS NULL") == 37)
        #expect(try db.int("SELECT count(*) FROM sqlite_master WHERE name = 'failure_results_v8'") == 0)
    }

    /// `cutover query` only reads, so it does not migrate: a saved query written for this
    /// version failing on an older database says which version it has and how to update it.
    @Test func aQueryOnAnOlderDatabaseSaysHowToBringItUpToDate() throws {
        _ = try Self.database(at: 5, path: path)
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
        let failed = try runCutover(["query", "--db", path, "remediation-by-scale-set"], in: dir)
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("no such column: resource_group"), "\(failed.stderr)")
        #expect(failed.stderr.contains("has schema version 5") && failed.stderr.contains("run `cutover correlate --db"), "\(failed.stderr)")
        // A query that works on the older layout still runs.
        #expect(try runCutover(["query", "--db", path, "SELECT count(*) FROM node_results"], in: dir).status == 0)
    }

    /// A version-3 database kept each record twice (columns and `raw`): version 4 re-encodes
    /// every row from its `raw`, keeping its id, what folding made of it and its place.
    @Test func aVersionThreeDatabaseIsReencodedAndGivesItsRecordsBack() throws {
        let old = try Database(path: path)
        for version in 0..<3 { try old.execute(Schema.migrations[version]) }
        let event =
            #"{"metadata":{"uid":"u-1","namespace":"shop","name":"web-1.1","labels":{"a":"b"}},"involvedObject":{"kind":"Pod","name":"web-1","namespace":"shop"},"reason":"BackOff","message":"Back-off pulling image","source":{"component":"kubelet","host":"aks-apps-1-vmss000001"},"count":2,"firstTimestamp":"2026-11-03T10:00:00Z","lastTimestamp":"2026-11-03T10:05:00Z"}"#
        let record =
            #"{"operationName":{"value":"Microsoft.ContainerService/managedClusters/write"},"status":{"value":"Succeeded"},"eventTimestamp":"2026-11-03T09:03:14.1234567Z","resourceId":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-prod","correlationId":"c-1","level":"Informational"}"#
        try old.execute(
            """
            INSERT INTO sources (source_id, path, name, status, kube_events, ingested_at) VALUES (4, 'a.json', 'a.json', 'complete', 2, 'x');
            INSERT INTO kube_events (event_id, dedupe_key, uid, cluster, namespace, name, object_kind, object_namespace, object_name,
                reason, message, source_component, source_host, first_seen, last_seen, time_field, count, shape, source_id, position, raw)
            VALUES (17, 'u-1', 'u-1', 'aks-prod', 'shop', 'web-1.1', 'Pod', 'shop', 'web-1', 'BackOff', 'Back-off pulling image',
                    'kubelet', 'aks-apps-1-vmss000001', '2026-11-03T09:00:00.000Z', '2026-11-03T10:05:00.000Z', 'lastTimestamp', 7,
                    'core/v1', 4, 120, '\(event.replacingOccurrences(of: "'", with: "''"))'),
                   (18, 'x', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'Odd', NULL, NULL, NULL, '2026-11-03T10:00:00.000Z',
                    '2026-11-03T10:00:00.000Z', 'eventTime', 1, 'core/v1', 4, 900, 'not json');
            INSERT INTO activity_records (record_id, dedupe_key, event_data_id, correlation_id, operation_name, operation, status, time,
                time_field, resource_id, resource_key, shape, source_id, position, raw)
            VALUES (3, 'k|adopted', 'adopted', 'c-1', 'Microsoft.ContainerService/managedClusters/write',
                    'microsoft.containerservice/managedclusters/write', 'Succeeded', '2026-11-03T09:03:14.123Z', 'eventTimestamp',
                    '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-prod',
                    '/subscriptions/s/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/aks-prod', 'rest', 4, 0,
                    '\(record)');
            INSERT INTO failure_results (event_id, cluster, node, category, reason, first_seen, last_seen, count, verdict, confidence,
                explanation) VALUES (17, 'aks-prod', 'aks-apps-1-vmss000001', 'image_pull', 'BackOff', '2026-11-03T09:00:00.000Z',
                '2026-11-03T10:05:00.000Z', 7, 'converged', 'high', 'x');
            PRAGMA user_version = 3;
            """)
        _ = try EventStore(path: path)
        let db = try Database(path: path, readOnly: true)
        #expect(try db.int("PRAGMA user_version") == Schema.version)
        #expect(try db.int("SELECT count(*) FROM sqlite_master WHERE name LIKE '%_v3'") == 0)
        // The file recorded no span (before version 2 it could not): version 6 takes it from its records.
        #expect(
            try db.rows("SELECT first_time, last_time FROM sources WHERE source_id = 4").map { $0.map(\.text) } == [
                ["2026-11-03T09:00:00.000Z", "2026-11-03T10:05:00.000Z"]
            ])
        // The columns keep what folding and --cluster made of the row; the view gives the record back.
        #expect(
            try db.rows("SELECT event_id, cluster, count, first_seen, uid, source_id, position, extra FROM kube_events ORDER BY 1")
                .map { $0.map(\.text) } == [
                    // The folded count and first sighting differ from the record's: its own are kept in extra.
                    [
                        "17", "aks-prod", "7", "2026-11-03T09:00:00.000Z", "u-1", "4", "120",
                        #"{"metadata":{"labels":{"a":"b"}},"count":2,"firstTimestamp":"2026-11-03T10:00:00Z"}"#,
                    ],
                    ["18", "", "1", "2026-11-03T10:00:00.000Z", "", "4", "900", #"{"raw":"not json"}"#],
                ])
        let json = try db.rows("SELECT json FROM kube_events_json WHERE event_id = 17").map { $0[0].text }
        let stored = try JSONSerialization.jsonObject(with: Data((json.first ?? "").utf8))
        #expect(jsonEqual(stored, try JSONSerialization.jsonObject(with: Data(event.utf8))))
        #expect(
            try db.rows("SELECT record_id, event_data_id, dedupe_key, level, extra FROM activity_records").map { $0.map(\.text) } == [
                // Seven digits of a second do not fit the stored milliseconds: the time as written is kept.
                ["3", "adopted", "k|adopted", "Informational", #"{"eventTimestamp":"2026-11-03T09:03:14.1234567Z"}"#]
            ])
        let activity = try db.rows("SELECT json FROM activity_records_json").map { $0[0].text }
        let storedActivity = try JSONSerialization.jsonObject(with: Data((activity.first ?? "").utf8))
        #expect(jsonEqual(storedActivity, try JSONSerialization.jsonObject(with: Data(record.utf8))))
        #expect(try db.rows("SELECT event_id FROM attributions").map { $0[0].text } == ["17"])
        #expect(try db.rows("SELECT details FROM meta WHERE what = 'schema'").map { $0[0].text } == ["version \(Schema.version)"])
    }

    @Test func aNewerDatabaseIsRefusedWithAFix() throws {
        let db = try Database(path: path)
        try db.execute("PRAGMA user_version = 999")
        #expect(throws: SQLiteError.self) { _ = try EventStore(path: path) }
        do {
            _ = try EventStore(path: path)
        } catch {
            #expect("\(error)".contains("upgrade cutover or use another --db"))
        }
    }

    @Test func theContractViewsHaveTheDocumentedColumns() throws {
        _ = try EventStore(path: path)
        let runner = QueryRunner(db: try Database(path: path, readOnly: true))
        #expect(
            try runner.run("SELECT * FROM attributions").columns == [
                "failure_id", "cluster", "node", "namespace", "pod", "category", "reason", "first_seen", "last_seen", "count",
                "verdict", "missed_round", "missed_rounds", "confidence", "explanation", "event_uid", "message", "event_id",
                "wiring_incomplete",
            ])
        #expect(
            try runner.run("SELECT * FROM milestones").columns == ["cluster", "round", "name", "effective_time", "source", "evidence"])
        #expect(
            try runner.run("SELECT * FROM node_rounds").columns == [
                "cluster", "node", "vmss", "instance_id", "pool", "round", "bootstrapped_at", "status", "resource_group",
            ])
    }

    @Test func queriesRunOneReadOnlyStatement() throws {
        _ = try EventStore(path: path)
        let runner = QueryRunner(db: try Database(path: path, readOnly: true))
        #expect(try runner.run("SELECT 1 AS one; -- trailing comment\n").rows == [[.integer(1)]])
        #expect(throws: SQLiteError.self) { try runner.run("SELECT 1; DELETE FROM sources") }
        #expect(throws: SQLiteError.self) { try runner.run("DELETE FROM sources") }
    }

    @Test func errorsNameTheSQL() throws {
        let db = try Database(path: path)
        do {
            _ = try db.prepare("SELECT nope FROM nowhere")
            Issue.record("expected an error")
        } catch let error as SQLiteError {
            #expect(error.description.contains("no such table: nowhere"))
            #expect(error.description.contains("SELECT nope FROM nowhere"))
        }
    }

    @Test func queryResultsFormatAsCSVAndJSON() {
        let result = QueryRunner.Result(columns: ["node", "n"], rows: [[.text("a,\"b\""), .integer(2)], [.null, .real(1.5)]])
        #expect(result.formatted(as: "csv") == "node,n\r\n\"a,\"\"b\"\"\",2\r\n,1.5\r\n")
        #expect(result.formatted(as: "json") == "[{\"node\":\"a,\\\"b\\\"\",\"n\":2},\n{\"node\":null,\"n\":1.5}]\n")
    }
}
