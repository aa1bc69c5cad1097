import Crypto
import Foundation
import Testing

@testable import CutoverKit

/// The report reads `failure_results` once (its texts by id) and derives in memory what three queries gave it
/// (the rows in order, the nodes that missed each round, the fingerprint). These tests keep
/// the queries it replaced as the oracle and run both on hostile rows: names with NULs, bytes
/// Swift orders differently from SQLite (canonically equivalent, non-ASCII), NULL nodes and
/// namespaces, ties on every sort column.
@Suite("The report's failures read once: the same rows, order and fingerprint as the queries")
struct ReportReadingTests {
    /// The sample database with 600 hostile failures added to its cluster.
    static func hostileDatabase() throws -> (path: String, cluster: Cluster) {
        let path = try correlatedSampleDatabase()
        let db = try Database(path: path)
        let cluster = try #require(try ResultStore(path: path).clusters().first)
        let names =
            HostileText.corpus(count: 40) + ["é", "e\u{301}", "aks-apps-1-vmss000001", "aks-apps-1-vmss00000", "Z", "a", "", "\u{FFFD}"]
        let times = ["2026-11-03T10:00:00.000Z", "2026-11-03T10:00:00.000Z\u{0}x", "2026-11-03T09:59:59.000Z", "2026-11-03T10:00:00.001Z"]
        let confidences = ["high", "medium", "low", "bogus"]
        let verdicts = ["missed_round", "missed_round", "converged", "pre_conversion"]
        var rng = SeededGenerator(seed: 23)
        func pick<T>(_ values: [T]) -> T { values[Int(rng.next() % UInt64(values.count))] }
        // Each text stored once (`failure_texts`), the row naming it by id, as correlation stores them.
        let text = try db.prepare("INSERT OR IGNORE INTO failure_texts (text) VALUES (?1)")
        let insert = try db.prepare(
            """
            INSERT INTO failure_results (event_id, cluster, node, namespace, pod, category, reason, message_id, first_seen,
                last_seen, count, verdict, missed_round, missed_rounds, confidence, explanation_id, wiring_incomplete)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT text_id FROM failure_texts WHERE text = ?8), ?9, ?10, ?11, ?12, ?13,
                    ?14, ?15, (SELECT text_id FROM failure_texts WHERE text = ?16), ?17)
            """)
        try db.transaction {
            for i in 0..<600 {
                let round: Int? = rng.next() % 5 == 0 ? nil : Int(rng.next() % 3) + 1
                let values: [SQLValue] = [
                    .integer(Int64(rng.next() % 50)), .text(cluster.label), rng.next() % 7 == 0 ? .null : .text(pick(names)),
                    rng.next() % 9 == 0 ? .null : .text(pick(["kube-system", "shop", "sh\u{0}op", "é"])), .text(pick(names)),
                    .text(pick(["image_pull", "addon"])), .text(pick(["Failed", "BackOff", "Fail\u{0}ed", "Failed\u{0}"])),
                    rng.next() % 6 == 0 ? .null : .text(pick(["Failed to pull image \"x\u{0}y\": nope", "Back-off", pick(names)])),
                    .text(pick(times)), .text(pick(times)), .integer(Int64(rng.next() % 4) - 1), .text(pick(verdicts)),
                    round.map { .integer(Int64($0)) } ?? .null, round.map { .text("[\($0)]") } ?? .null, .text(pick(confidences)),
                    .text("why \(i % 7)\u{0}hidden \(i)"), .integer(Int64(rng.next() % 2)),
                ]
                for stored in [values[7], values[15]] where stored != .null {
                    try text.bindAll([stored])
                    _ = try text.step()
                    text.reset()
                }
                try insert.bindAll(values)
                _ = try insert.step()
                insert.reset()
            }
        }
        return (path, cluster)
    }

    /// Read by one connection, or shared between two (`shareAbove` 1), or shared with one that
    /// sees another correlation (`lastRun` not the database's: this one reads that half too).
    @Test(arguments: [false, true], [(Int64.max, nil), (1, nil), (1, -1)] as [(Int64, Int?)])
    func theRowsAndTheirOrderAreTheQuerys(fleet: Bool, sharing: (shareAbove: Int64, lastRun: Int?)) throws {
        let (path, cluster) = try Self.hostileDatabase()
        let db = try Database(path: path, readOnly: true)
        let builder = PostmortemBuilder(db: db, cluster: cluster, fleet: fleet)
        let loaded = try builder.loadFailures(lastRun: sharing.lastRun, shareAbove: sharing.shareAbove)
        let expected = try db.rows(
            """
            SELECT first_seen, node, namespace, pod, category, reason, count, verdict, missed_round, missed_rounds,
                   confidence, explanation, coalesce(message, ''), last_seen, wiring_incomplete, failure_id
            FROM attributions WHERE cluster = ?1
            ORDER BY coalesce(missed_round, 99), first_seen, node, namespace, pod, reason, failure_id
            """, [.text(cluster.label)])
        #expect(expected.count > 600)
        #expect(loaded.order.map { loaded.all[$0].failureID } == expected.map { Int64($0[15].text) ?? -1 })
        let rows = expected.map { r in
            Postmortem.FailureRow(
                firstSeen: r[0].text, lastSeen: r[13].text, node: r[1].optionalText, namespace: r[2].optionalText, pod: r[3].optionalText,
                category: r[4].text, reason: r[5].text, count: Int(r[6].text) ?? 1, verdict: r[7].text, missedRound: Int(r[8].text),
                missedRounds: r[9].optionalText.map { $0.filter { $0 != "[" && $0 != "]" } }, confidence: r[10].text,
                explanation: r[11].text, message: r[12].text, wiringIncomplete: r[14].text == "1")
        }
        #expect(loaded.rows == rows)
    }

    @Test func theNodesThatMissedARoundAreTheQuerys() throws {
        let (path, cluster) = try Self.hostileDatabase()
        let db = try Database(path: path, readOnly: true)
        let builder = PostmortemBuilder(db: db, cluster: cluster)
        let missed = try builder.missedNodes(try builder.loadFailures())
        var expected: [Int: [Postmortem.MissedNode]] = [:]
        let lastBootstrap = try db.prepare(
            """
            SELECT max(b.time) FROM bootstrap_results b JOIN milestone_results m ON m.cluster = b.cluster AND m.round = ?3
            WHERE b.cluster = ?1 AND b.node = ?2 AND b.time < m.effective_time
            """)
        for r in try db.rows(
            """
            SELECT a.missed_round, a.node, n.pool, n.vmss, n.instance_id, count(*), min(a.first_seen), n.resource_group
            FROM failure_results a LEFT JOIN node_results n ON n.cluster = a.cluster AND n.node = a.node
            WHERE a.verdict = 'missed_round' AND a.cluster = ?1 AND a.missed_round IS NOT NULL
            GROUP BY a.missed_round, a.node ORDER BY a.missed_round, a.node
            """, [.text(cluster.label)])
        {
            let round = try #require(Int(r[0].text))
            try lastBootstrap.bindAll([.text(cluster.label), r[1], .integer(Int64(round))])
            let before = try lastBootstrap.step() ? lastBootstrap.string(0) : nil
            lastBootstrap.reset()
            expected[round, default: []].append(
                Postmortem.MissedNode(
                    node: r[1].text, pool: r[2].optionalText, vmss: r[3].optionalText, instanceID: Int(r[4].text),
                    resourceGroup: r[7].optionalText, failures: Int(r[5].text) ?? 0, firstFailure: r[6].text,
                    lastBootstrap: before))
        }
        #expect(expected.values.map(\.count).reduce(0, +) > 40)
        #expect(expected.values.joined().contains { $0.lastBootstrap != nil })
        #expect(missed.keys.sorted() == expected.keys.sorted())
        for (round, nodes) in expected {
            let got = missed[round] ?? []
            #expect(got.count == nodes.count, "round \(round)")
            for (a, b) in zip(got, nodes) where a != b {
                Issue.record("round \(round): \(a) instead of \(b)")
                break
            }
        }
    }

    /// The fingerprint as the query gave it: each row's columns as text, tab-separated, one line each.
    @Test func theFingerprintIsTheQuerys() throws {
        let (path, cluster) = try Self.hostileDatabase()
        let db = try Database(path: path, readOnly: true)
        var hasher = SHA256()
        for sql in [
            "SELECT * FROM milestone_results WHERE cluster = ?1 ORDER BY round",
            "SELECT * FROM node_round_results WHERE cluster = ?1 ORDER BY node, round",
            """
            SELECT event_id, node, namespace, pod, category, reason, first_seen, last_seen, count, verdict, missed_round,
                   missed_rounds, confidence, explanation FROM attributions WHERE cluster = ?1 ORDER BY event_id, failure_id
            """,
        ] {
            for row in try db.rows(sql, [.text(cluster.label)]) {
                hasher.update(data: Data((row.map(\.text).joined(separator: "\t") + "\n").utf8))
            }
        }
        let expected = ContentHash.hex(hasher.finalize())
        let builder = PostmortemBuilder(db: db, cluster: cluster)
        #expect(PostmortemBuilder.fingerprint(results: try builder.resultLines(), failures: try builder.loadFailures().all) == expected)
        #expect(try builder.build().fingerprint == expected)
    }

    /// Names that are ASCII take a path on the bytes; it cuts them where the path for any text does.
    @Test func theWorkloadOfAnASCIINameIsTheSameOnTheBytes() {
        var rng = SeededGenerator(seed: 7)
        let alphabet = Array("abcz09-AZ_.-")
        var names = [
            "konnectivity-agent-7b9c5d8f6-vvbgl", "ama-logs-qztmp", "coredns-7d8f6c9b5-x2x9z", "a-bcdef", "-abcde", "abcde", "-", "",
        ]
        for _ in 0..<5_000 {
            let length = Int(rng.next() % 24)
            names.append(String((0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }))
        }
        for name in names + HostileText.corpus(base: "web-7b9c5d8f6-vvbgl") {
            #expect(MarkdownRenderer.workload(name) == MarkdownRenderer.workloadOfAnyText(name), "\(name.debugDescription)")
        }
        #expect(MarkdownRenderer.workload("konnectivity-agent-7b9c5d8f6-vvbgl") == "konnectivity-agent")
        #expect(MarkdownRenderer.workload("ama-logs-qztmp") == "ama-logs")
    }

    @Test func theImageOfAnASCIIMessageIsTheSameOnTheBytes() {
        var rng = SeededGenerator(seed: 11)
        let pieces = ["image \"", "\"", "Failed to pull ", "mcr.microsoft.com/oss/kubernetes/coredns:v1.9.4", "image", " ", "x", "\u{7F}"]
        var messages = [
            "Failed to pull image \"mcr.microsoft.com/aks/ip-masq-agent-v2:v0.1.11\": rpc error", "Back-off pulling image \"\"",
            "image \"" + String(repeating: "a", count: 201) + "\"", "image \"" + String(repeating: "a", count: 200) + "\"",
        ]
        for _ in 0..<5_000 {
            messages.append((0..<Int(rng.next() % 8)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined())
        }
        for message in messages {
            typealias Pod = MarkdownRenderer.PodFailure
            #expect(Pod.image(in: message) == Pod.imageOfAnyText(in: message), "\(message.debugDescription)")
        }
        #expect(MarkdownRenderer.PodFailure.image(in: messages[0]) == "mcr.microsoft.com/aks/ip-masq-agent-v2:v0.1.11")
    }
}
