import Crypto
import Foundation

/// Reads the contract views and the source manifest into a `Postmortem`.
///
/// In: a correlated database. Out: a `Postmortem` whose rows are sorted by named keys, so
/// the same database always gives the same report. File names are shown as basenames.
public struct PostmortemBuilder {
    public let db: Database
    /// The cluster the postmortem is about; its rows are the only ones read.
    public var cluster: Cluster
    /// Whether the database holds other clusters too (then the window is this cluster's own).
    public var fleet: Bool

    public init(db: Database, cluster: Cluster = .unnamed, fleet: Bool = false) {
        self.db = db
        self.cluster = cluster
        self.fleet = fleet
    }

    /// Every query of the postmortem in one read transaction: a correlation committing meanwhile
    /// is seen entirely or not at all.
    public func build() throws -> Postmortem {
        try db.readTransaction { try buildInOneSnapshot() }
    }

    static let cohortSQL = """
        SELECT round, name, nodes_with_round, failing_with_round, nodes_without_round, failing_without_round
        FROM round_cohorts WHERE coalesce(cluster, '') = ?1 ORDER BY round
        """
    /// The last correlation: every correlation adds a run in the transaction that writes its results.
    static let lastRunSQL = "SELECT coalesce(max(run_id), 0) FROM correlation_runs"

    private func buildInOneSnapshot() throws -> Postmortem {
        let c = [SQLValue.text(cluster.label)]
        // The cohorts scan the failures twice (0.2–0.3 s of 97,874): on a connection and a thread
        // of their own, while this one reads the failures. That connection's snapshot is this one's
        // when both see the same last correlation; else they are read again here.
        let lastRun = try db.int(Self.lastRunSQL)
        let (path, label) = (db.path, cluster.label)
        let cohortRows = Pending {
            Result { () -> (run: Int, rows: [[SQLValue]]) in
                let other = try Database(path: path, readOnly: true)
                return try other.readTransaction { (try other.int(Self.lastRunSQL), try other.rows(Self.cohortSQL, [.text(label)])) }
            }
        }
        let milestones = try db.rows(
            """
            SELECT round, name, effective_time, source, evidence, requires_reimage
            FROM milestone_results WHERE cluster = ?1 ORDER BY round
            """, c
        ).map { r in
            Postmortem.MilestoneRow(
                round: Int(r[0].text) ?? 0, name: r[1].text, time: r[2] == .null ? nil : r[2].text,
                source: r[3].text, evidence: r[4].text, requiresReimage: r[5].text == "1")
        }
        let loaded = try loadFailures(lastRun: lastRun)
        let results = try resultLines()
        let failures = loaded.rows
        // Two steps of 0.2–0.3 s each on 97,874 failures, on a thread of their own beside the rest
        // of the build (queries on this connection) and the document: first the pods the document
        // counts, which it needs at once; then the fingerprint, which it prints last.
        let pods = Pending { MarkdownRenderer.pods(failures) }
        let fingerprint = Pending { () -> String in
            _ = pods.value
            return Self.fingerprint(results: results, failures: loaded.all)
        }
        let missedNodes = try missedNodes(loaded)
        var matrix: [String: [Int: String]] = [:]
        for r in try db.rows(
            "SELECT node, round, bootstrapped_at, status FROM node_round_results WHERE cluster = ?1 ORDER BY node, round", c)
        {
            let cell: String
            switch r[3].text {
            case "done": cell = "done " + String(r[2].text.dropFirst(11).prefix(5))
            case "missed": cell = "**MISSED**"
            case "gone": cell = "gone"
            case "not_required": cell = "n/a"
            default: cell = "?"
            }
            matrix[r[0].text, default: [:]][Int(r[1].text) ?? 0] = cell
        }
        let rounds = milestones.map(\.round)
        var removed: [String: String] = [:]
        for r in try db.rows("SELECT node, removed_at FROM node_results WHERE cluster = ?1 AND removed_at IS NOT NULL", c) {
            removed[r[0].text] = r[1].text
        }
        let matrixRows = matrix.keys.sorted().map { node in
            Postmortem.NodeMatrixRow(node: node, removedAt: removed[node], cells: rounds.map { matrix[node]?[$0] ?? "?" })
        }
        let sources = try db.rows(
            """
            SELECT path, status, kube_events, activity_records, duplicates, skipped, rejects, first_time, last_time, content_hash
            FROM sources ORDER BY path, source_id
            """)
        let names = PostmortemBuilder.displayNames(sources.map { $0[0].text })
        let inputs = zip(sources, names).map { r, name in
            Postmortem.InputRow(
                name: name, status: r[1].text, kubeEvents: Int(r[2].text) ?? 0, activityRecords: Int(r[3].text) ?? 0,
                duplicates: Int(r[4].text) ?? 0, skipped: Int(r[5].text) ?? 0, rejects: Int(r[6].text) ?? 0,
                firstTime: optional(r[7]), lastTime: optional(r[8]), sha256: optional(r[9]).flatMap { $0.utf8.count == 64 ? $0 : nil })
        }.sorted { ($0.name, $0.status) < ($1.name, $1.status) }
        let rejects = try db.rows(
            """
            SELECT s.name, r.line, r.reason FROM rejects r JOIN sources s USING (source_id)
            ORDER BY s.name, r.position LIMIT 20
            """
        ).map { Postmortem.RejectRow(file: $0[0].text, line: Int($0[1].text) ?? 0, reason: $0[2].text) }
        let window = try db.rows(fleet ? Self.clusterWindowSQL : Self.databaseWindowSQL, fleet ? c : []).first
        let playbook = try db.scalar("SELECT playbook FROM milestone_results WHERE cluster = ?1 LIMIT 1", c).flatMap(optional)
        let coverage = try db.rows(
            "SELECT source, present, if_missing, windows FROM coverage_results WHERE cluster = ?1 ORDER BY source", c)
        let missingEvidence = coverage.filter { $0[1].text == "0" }.map { (source: $0[0].text, cost: $0[2].text) }
        let evidence = coverage.map { (source: $0[0].text, present: $0[1].text == "1", windows: optional($0[3])) }
        let read = try cohortRows.value.get()
        let cohorts = try (read.run == lastRun ? read.rows : db.rows(Self.cohortSQL, c)).map { r in
            Postmortem.CohortRow(
                round: Int(r[0].text) ?? 0, name: r[1].text, withRound: Int(r[2].text) ?? 0, failingWith: Int(r[3].text) ?? 0,
                withoutRound: Int(r[4].text) ?? 0, failingWithout: Int(r[5].text) ?? 0)
        }
        var postmortem = Postmortem(
            cluster: cluster.label.isEmpty ? nil : cluster.label, resourceID: cluster.resourceID, playbook: playbook,
            windowStart: window.flatMap { optional($0[0]) }, windowEnd: window.flatMap { optional($0[1]) },
            milestones: milestones, failures: failures, missedNodes: missedNodes, matrix: matrixRows, cohorts: cohorts,
            missingEvidence: missingEvidence, evidence: evidence, inputs: inputs,
            rejects: rejects, rejectCount: try db.int("SELECT count(*) FROM rejects"))
        var unconverged: [String: Postmortem.UnconvergedNode] = [:]
        for r in try db.rows(
            """
            SELECT r.node, n.pool, n.vmss, n.instance_id, r.round, n.resource_group FROM node_round_results r
            LEFT JOIN node_results n ON n.cluster = r.cluster AND n.node = r.node
            WHERE r.cluster = ?1 AND r.status = 'missed' AND n.removed_at IS NULL ORDER BY r.node, r.round
            """, c)
        {
            let vmss = optional(r[2])
            if unconverged[r[0].text] == nil {
                unconverged[r[0].text] = Postmortem.UnconvergedNode(
                    node: r[0].text, pool: optional(r[1]), vmss: vmss, instanceID: Int(r[3].text),
                    resourceGroup: optional(r[5]), missedRounds: [])
            }
            unconverged[r[0].text]?.missedRounds.append(Int(r[4].text) ?? 0)
        }
        postmortem.unconverged = unconverged.values.sorted { $0.node < $1.node }
        for r in try db.rows(
            "SELECT pool, count(*) FROM node_results WHERE cluster = ?1 AND removed_at IS NULL AND pool IS NOT NULL GROUP BY pool", c)
        {
            postmortem.poolSizes[r[0].text] = Int(r[1].text) ?? 0
        }
        postmortem.waves = try db.rows(
            """
            SELECT m.round, coalesce(n.pool, '?'), min(b.time), max(b.time), count(DISTINCT b.node)
            FROM bootstrap_results b
            JOIN node_results n ON n.cluster = b.cluster AND n.node = b.node
            JOIN milestone_results m ON m.cluster = b.cluster AND m.effective_time IS NOT NULL AND b.time >= m.effective_time
                AND b.time < coalesce((SELECT min(x.effective_time) FROM milestone_results x
                                       WHERE x.cluster = m.cluster AND x.effective_time > m.effective_time), '9999')
            WHERE b.cluster = ?1 AND b.kind NOT IN ('first_seen', 'reboot')
            GROUP BY m.round, n.pool ORDER BY min(b.time), m.round, n.pool
            """, c
        ).map { r in
            Postmortem.Wave(round: Int(r[0].text) ?? 0, pool: r[1].text, first: r[2].text, last: r[3].text, nodes: Int(r[4].text) ?? 0)
        }
        postmortem.clusterName = cluster.name.isEmpty ? nil : cluster.name
        postmortem.clusterResourceGroup = cluster.resourceGroup
        // Each ingest's paths as their last component: the same inputs read the same on every machine.
        var runs: [(id: String, words: [String], cluster: String?)] = []
        for row in try db.rows("SELECT r.run_id, j.value, r.cluster FROM ingest_runs r, json_each(r.arguments) j ORDER BY r.run_id, j.key")
        {
            let word = AzureCommand.quote((row[1].text as NSString).lastPathComponent)
            if runs.last?.id == row[0].text {
                runs[runs.count - 1].words.append(word)
            } else {
                runs.append((row[0].text, [word], row[2] == .null ? nil : row[2].text))
            }
        }
        postmortem.ingests = runs.map { run in
            (run.cluster.map { "--cluster \(AzureCommand.quote($0)) " } ?? "") + run.words.joined(separator: " ")
        }
        postmortem.correlation = try db.rows(
            "SELECT playbook_source, given FROM correlation_runs ORDER BY run_id DESC LIMIT 1"
        ).first.map { (playbook: $0[0].text, given: $0[1].text) }
        postmortem.hashing = fingerprint
        postmortem.grouped = pods
        return postmortem
    }

    /// The milestones' and node rounds' part of the fingerprint: their rows as text (NULL as
    /// nothing), tab-separated, one line each.
    func resultLines() throws -> [UInt8] {
        var lines: [UInt8] = []
        for sql in [
            "SELECT * FROM milestone_results WHERE cluster = ?1 ORDER BY round",
            "SELECT * FROM node_round_results WHERE cluster = ?1 ORDER BY node, round",
        ] {
            let rows = try db.prepare(sql)
            try rows.bind(1, cluster.label)
            while try rows.step() {
                for i in 0..<rows.columnCount {
                    if i > 0 { lines.append(0x09) }
                    rows.withText(i) { lines.append(contentsOf: $0) }
                }
                lines.append(0x0A)
            }
        }
        return lines
    }

    /// SHA-256 over this cluster's rows of the contract views, in a fixed order, one
    /// tab-separated line per row: the result lines, then the attributions from the rows already read
    /// (the same text as `SELECT event_id, node, …, explanation FROM attributions ORDER BY
    /// event_id, failure_id` gives).
    static func fingerprint(results: [UInt8], failures: [LoadedFailure]) -> String {
        var hasher = SHA256()
        hasher.update(data: results)
        hashFailures(failures, into: &hasher)
        return ContentHash.hex(hasher.finalize())
    }

    /// Every record of the database (it holds one cluster): the spans ingest recorded per file
    /// (migration 6 filled them in for files read before version 2 recorded them).
    static let databaseWindowSQL = """
        SELECT min(first_time), max(last_time) FROM sources WHERE kube_events + activity_records > 0
        """
    /// What correlation found of one cluster: its nodes' first sightings, bootstraps,
    /// milestones and failures.
    static let clusterWindowSQL = """
        SELECT min(t), max(t) FROM (
            SELECT first_seen AS t FROM node_results WHERE cluster = ?1
            UNION ALL SELECT time FROM bootstrap_results WHERE cluster = ?1
            UNION ALL SELECT effective_time FROM milestone_results WHERE cluster = ?1 AND effective_time IS NOT NULL
            UNION ALL SELECT first_seen FROM failure_results WHERE cluster = ?1
            UNION ALL SELECT last_seen FROM failure_results WHERE cluster = ?1)
        """
}

extension PostmortemBuilder {
    /// Basenames, lengthened to the shortest distinguishing path suffix where they collide
    /// (`h=10/m=00/PT1H.json.gz`), so the report names files the same on every machine.
    static func displayNames(_ paths: [String]) -> [String] {
        let parts = paths.map { $0.split(separator: "/").map(String.init) }
        var depth = Array(repeating: 1, count: paths.count)
        func name(_ i: Int) -> String { parts[i].suffix(depth[i]).joined(separator: "/") }
        var changed = true
        while changed {
            changed = false
            let groups = Dictionary(grouping: paths.indices, by: name)
            for (_, members) in groups where members.count > 1 {
                for i in members where depth[i] < parts[i].count {
                    depth[i] += 1
                    changed = true
                }
            }
        }
        return paths.indices.map(name)
    }
}

private func optional(_ value: SQLValue) -> String? {
    if case .null = value { return nil }
    return value.text
}
