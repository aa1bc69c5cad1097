import Crypto
import Foundation

/// The cluster's attributions read once, for everything the postmortem derives from them: the
/// failure rows in the report's order, the nodes that missed each round, and the fingerprint.
///
/// One scan of `failure_results` in table order, sorted in memory. On 97,874 failures the three
/// queries this replaced (an `ORDER BY` over the wide rows, a `GROUP BY` per round and node through
/// the node index, and a second sort of every row for the fingerprint) read the table three
/// times, half of it through the index a 64 KiB page per row.
extension PostmortemBuilder {
    /// One row of `failure_results`, as the report shows it and as SQLite would order it.
    struct LoadedFailure: Sendable {
        var row: Postmortem.FailureRow
        var failureID: Int64
        var eventID: Int64
        /// `missed_rounds` as stored (the row shows it without its brackets), for the fingerprint.
        var storedMissedRounds: String?
        /// The columns the order is by, with every byte: SQLite compares whole values, while a row
        /// shows text up to a NUL (as `Statement.string` reads it). The same `String`s as the
        /// row's unless a value holds a NUL.
        var firstSeen: String
        var node: String?
        var namespace: String?
        var pod: String?
        var reason: String
    }

    /// The rows as read, and their positions in the report's order.
    struct LoadedFailures: Sendable {
        var all: [LoadedFailure]
        var order: [Int]
        /// The rows in the report's order: each copied once, here.
        var rows: [Postmortem.FailureRow] { order.map { all[$0].row } }
    }

    /// The cluster's failures in the report's order: earliest missed round first (none last),
    /// then first seen, node, namespace, pod, reason, id – as `ORDER BY coalesce(missed_round, 99),
    /// first_seen, node, namespace, pod, reason, failure_id` orders them.
    ///
    /// A large cluster's rows (ids `shareAbove` apart and more) are read in two halves by id, the
    /// second on a connection and a thread of its own, when that connection sees the same
    /// correlation as this one (`lastRun`, this connection's last run; read now when nil); else
    /// this one reads it too.
    func loadFailures(lastRun known: Int? = nil, shareAbove: Int64 = sharedRead) throws -> LoadedFailures {
        let label = cluster.label
        let lastRun = try known ?? db.int(Self.lastRunSQL)
        let span = try db.rows("SELECT min(failure_id), max(failure_id) FROM failure_results WHERE cluster = ?1", [.text(label)])
        guard case .integer(let low)? = span.first?[0], case .integer(let high)? = span.first?[1] else {
            return LoadedFailures(all: [], order: [])
        }
        let middle = high - low >= shareAbove ? low + (high - low) / 2 : high + 1
        let upper = middle..<(high + 1)
        let (path, fleet) = (db.path, fleet)
        let second =
            !upper.isEmpty
            ? Pending {
                Result { () -> [LoadedFailure]? in
                    let other = try Database(path: path, readOnly: true)
                    return try other.readTransaction {
                        try other.int(Self.lastRunSQL) == lastRun
                            ? try Self.readFailures(other, cluster: label, fleet: fleet, ids: upper) : nil
                    }
                }
            } : nil
        var loaded = try Self.readFailures(db, cluster: label, fleet: fleet, ids: low..<middle)
        if let second {
            loaded += try second.value.get() ?? Self.readFailures(db, cluster: label, fleet: fleet, ids: upper)
        }
        // Positions sorted, not the rows (moving a row copies its twenty fields), and the rows
        // read in place; the rows stay in table order (the fingerprint sorts its own way).
        let order = loaded.withUnsafeBufferPointer { rows in Array(rows.indices).sorted { Self.reportOrder(rows, $0, $1) } }
        return LoadedFailures(all: loaded, order: order)
    }

    /// From how many failures (ids apart) on their read is shared between two connections.
    static let sharedRead: Int64 = 20_000

    /// The cluster's failures with an id in `ids`, in table order.
    static func readFailures(_ db: Database, cluster: String, fleet: Bool, ids: Range<Int64>) throws -> [LoadedFailure] {
        // A database of one cluster is read in table order; a fleet's through the node index, so
        // that each cluster's postmortem reads only its own rows.
        let rows = try db.prepare(
            """
            SELECT failure_id, event_id, first_seen, last_seen, node, namespace, pod, category, reason, count, verdict,
                   missed_round, missed_rounds, confidence, explanation_id, message_id, wiring_incomplete
            FROM failure_results \(fleet ? "" : "NOT INDEXED ")WHERE cluster = ?1 AND failure_id >= ?2 AND failure_id < ?3
            """)
        try rows.bindAll([.text(cluster), .integer(ids.lowerBound), .integer(ids.upperBound)])
        // Values repeat from row to row (category, reason, verdict, confidence; rows are written in
        // the order they were first seen): one `String` for each run of them.
        var previous = [String?](repeating: nil, count: 17)
        func text(_ i: Int32) -> (whole: String, shown: String)? { rows.text(i, sameAs: &previous[Int(i)]) }
        // Messages and explanations are stored once each (`failure_texts`): one `String` a text.
        let lookup = try db.prepare("SELECT text FROM failure_texts WHERE text_id = ?1")
        var texts: [Int64: String] = [:]
        func stored(_ i: Int32) throws -> String {
            guard let id = rows.int(i).map(Int64.init) else { return "" }
            if let known = texts[id] { return known }
            try lookup.bind(1, id)
            defer { lookup.reset() }
            let text = try lookup.step() ? lookup.string(0) ?? "" : ""
            texts[id] = text
            return text
        }
        var loaded: [LoadedFailure] = []
        while try rows.step() {
            let firstSeen = text(2) ?? ("", "")
            let node = text(4)
            let namespace = text(5)
            let pod = text(6)
            let reason = text(8) ?? ("", "")
            let missedRounds = text(12)?.shown
            let row = Postmortem.FailureRow(
                firstSeen: firstSeen.shown, lastSeen: text(3)?.shown ?? "", node: node?.shown, namespace: namespace?.shown,
                pod: pod?.shown, category: text(7)?.shown ?? "", reason: reason.shown, count: rows.int(9) ?? 1,
                verdict: text(10)?.shown ?? "", missedRound: rows.int(11),
                missedRounds: missedRounds.map { $0.filter { $0 != "[" && $0 != "]" } }, confidence: text(13)?.shown ?? "",
                explanation: try stored(14), message: try stored(15), wiringIncomplete: rows.int(16) == 1)
            loaded.append(
                LoadedFailure(
                    row: row, failureID: Int64(rows.int(0) ?? 0), eventID: Int64(rows.int(1) ?? 0), storedMissedRounds: missedRounds,
                    firstSeen: firstSeen.whole, node: node?.whole, namespace: namespace?.whole, pod: pod?.whole, reason: reason.whole))
        }
        return loaded
    }

    static func reportOrder(_ rows: UnsafeBufferPointer<LoadedFailure>, _ a: Int, _ b: Int) -> Bool {
        let (ra, rb) = (rows[a].row.missedRound ?? 99, rows[b].row.missedRound ?? 99)
        if ra != rb { return ra < rb }
        var c = ByteOrder.compare(rows[a].firstSeen, rows[b].firstSeen)
        if c == 0 { c = ByteOrder.compare(rows[a].node, rows[b].node) }
        if c == 0 { c = ByteOrder.compare(rows[a].namespace, rows[b].namespace) }
        if c == 0 { c = ByteOrder.compare(rows[a].pod, rows[b].pod) }
        if c == 0 { c = ByteOrder.compare(rows[a].reason, rows[b].reason) }
        return c != 0 ? c < 0 : rows[a].failureID < rows[b].failureID
    }

    /// Per round, the nodes whose failures are blamed on missing it: how many, the first, and
    /// the node's pool and scale set – the rows of `GROUP BY missed_round, node` over the
    /// `missed_round` verdicts, in round and node order.
    func missedNodes(_ loaded: LoadedFailures) throws -> [Int: [Postmortem.MissedNode]] {
        struct Key: Hashable {
            var round: Int
            var node: ByteOrder.Key?
        }
        let failures = loaded.all
        // Positions, not rows: a row copied is twenty references counted. In the report's order,
        // so that of equal first sightings the first in it is the one kept.
        var groups: [Key: (failures: Int, first: Int)] = [:]
        for i in loaded.order where failures[i].row.verdict == "missed_round" {
            guard let round = failures[i].row.missedRound else { continue }
            let key = Key(round: round, node: failures[i].node.map(ByteOrder.Key.init))
            if let known = groups[key] {
                let earlier = ByteOrder.compare(failures[i].firstSeen, failures[known.first].firstSeen) < 0
                groups[key] = (known.failures + 1, earlier ? i : known.first)
            } else {
                groups[key] = (1, i)
            }
        }
        var nodes: [ByteOrder.Key: (pool: String?, vmss: String?, instanceID: Int?, resourceGroup: String?)] = [:]
        let info = try db.prepare("SELECT node, pool, vmss, instance_id, resource_group FROM node_results WHERE cluster = ?1")
        try info.bind(1, cluster.label)
        var none: String?
        while try info.step() {
            guard let node = info.string(0, sameAs: &none) else { continue }
            nodes[ByteOrder.Key(node)] = (info.string(1), info.string(2), info.int(3), info.string(4))
        }
        let lastBootstrap = try db.prepare(
            """
            SELECT max(b.time) FROM bootstrap_results b JOIN milestone_results m ON m.cluster = b.cluster AND m.round = ?3
            WHERE b.cluster = ?1 AND b.node = ?2 AND b.time < m.effective_time
            """)
        var missed: [Int: [Postmortem.MissedNode]] = [:]
        let sorted = groups.sorted { a, b in
            a.key.round != b.key.round ? a.key.round < b.key.round : ByteOrder.compare(a.key.node?.text, b.key.node?.text) < 0
        }
        for (key, group) in sorted {
            let first = failures[group.first].row
            let name = first.node ?? ""
            try lastBootstrap.bindAll([.text(cluster.label), .text(name), .integer(Int64(key.round))])
            let before = try lastBootstrap.step() ? lastBootstrap.string(0) : nil
            lastBootstrap.reset()
            let n = key.node.flatMap { nodes[$0] }
            missed[key.round, default: []].append(
                Postmortem.MissedNode(
                    node: name, pool: n?.pool, vmss: n?.vmss, instanceID: n?.instanceID, resourceGroup: n?.resourceGroup,
                    failures: group.failures, firstFailure: first.firstSeen, lastBootstrap: before))
        }
        return missed
    }

    /// The attributions' part of the fingerprint: per failure in id order, its columns as text,
    /// tab-separated, one line each (NULL as nothing).
    static func hashFailures(_ failures: [LoadedFailure], into hasher: inout SHA256) {
        let order = failures.indices.sorted {
            (failures[$0].eventID, failures[$0].failureID) < (failures[$1].eventID, failures[$1].failureID)
        }
        // One line a row, hashed at once: 14 updates a row cost more than the hashing.
        var line: [UInt8] = []
        line.reserveCapacity(4096)
        for i in order {
            line.removeAll(keepingCapacity: true)
            func add(_ field: String?, first: Bool = false) {
                if !first { line.append(0x09) }
                if let field { line.append(contentsOf: field.utf8) }
            }
            add(String(failures[i].eventID), first: true)
            add(failures[i].row.node)
            add(failures[i].row.namespace)
            add(failures[i].row.pod)
            add(failures[i].row.category)
            add(failures[i].row.reason)
            add(failures[i].row.firstSeen)
            add(failures[i].row.lastSeen)
            add(String(failures[i].row.count))
            add(failures[i].row.verdict)
            add(failures[i].row.missedRound.map(String.init))
            add(failures[i].storedMissedRounds)
            add(failures[i].row.confidence)
            add(failures[i].row.explanation)
            line.append(0x0A)
            line.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        }
    }
}
