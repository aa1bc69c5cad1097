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

    public func build() throws -> Postmortem {
        let c = [SQLValue.text(cluster.label)]
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
        let failures = try db.rows(
            """
            SELECT first_seen, node, namespace, pod, category, reason, count, verdict, missed_round, missed_rounds,
                   confidence, explanation, coalesce(message, '')
            FROM failure_results WHERE cluster = ?1
            ORDER BY coalesce(missed_round, 99), first_seen, node, namespace, pod, reason, failure_id
            """, c
        ).map { r in
            Postmortem.FailureRow(
                firstSeen: r[0].text, node: optional(r[1]), namespace: optional(r[2]), pod: optional(r[3]),
                category: r[4].text, reason: r[5].text, count: Int(r[6].text) ?? 1, verdict: r[7].text,
                missedRound: Int(r[8].text), missedRounds: optional(r[9]).map { $0.filter { $0 != "[" && $0 != "]" } },
                confidence: r[10].text,
                explanation: r[11].text, message: r[12].text)
        }
        var missedNodes: [Int: [Postmortem.MissedNode]] = [:]
        let missed = try db.rows(
            """
            SELECT a.missed_round, a.node, n.pool, n.vmss, n.instance_id, count(*), min(a.first_seen)
            FROM failure_results a LEFT JOIN node_results n ON n.cluster = a.cluster AND n.node = a.node
            WHERE a.verdict = 'missed_round' AND a.cluster = ?1
            GROUP BY a.missed_round, a.node ORDER BY a.missed_round, a.node
            """, c)
        for r in missed {
            guard let round = Int(r[0].text) else { continue }
            let vmss = optional(r[3])
            missedNodes[round, default: []].append(
                Postmortem.MissedNode(
                    node: r[1].text, pool: optional(r[2]), vmss: vmss, instanceID: Int(r[4].text),
                    resourceGroup: try vmss.flatMap(resourceGroup(ofScaleSet:)),
                    failures: Int(r[5].text) ?? 0, firstFailure: r[6].text))
        }
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
            SELECT path, status, kube_events, activity_records, duplicates, skipped, rejects, first_time, last_time
            FROM sources ORDER BY path, source_id
            """)
        let names = PostmortemBuilder.displayNames(sources.map { $0[0].text })
        let inputs = zip(sources, names).map { r, name in
            Postmortem.InputRow(
                name: name, status: r[1].text, kubeEvents: Int(r[2].text) ?? 0, activityRecords: Int(r[3].text) ?? 0,
                duplicates: Int(r[4].text) ?? 0, skipped: Int(r[5].text) ?? 0, rejects: Int(r[6].text) ?? 0,
                firstTime: optional(r[7]), lastTime: optional(r[8]))
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
        let cohorts = try db.rows(
            """
            SELECT round, name, nodes_with_round, failing_with_round, nodes_without_round, failing_without_round
            FROM round_cohorts WHERE coalesce(cluster, '') = ?1 ORDER BY round
            """, c
        ).map { r in
            Postmortem.CohortRow(
                round: Int(r[0].text) ?? 0, name: r[1].text, withRound: Int(r[2].text) ?? 0, failingWith: Int(r[3].text) ?? 0,
                withoutRound: Int(r[4].text) ?? 0, failingWithout: Int(r[5].text) ?? 0)
        }
        return Postmortem(
            cluster: cluster.label.isEmpty ? nil : cluster.label, resourceID: cluster.resourceID, playbook: playbook,
            windowStart: window.flatMap { optional($0[0]) }, windowEnd: window.flatMap { optional($0[1]) },
            milestones: milestones, failures: failures, missedNodes: missedNodes, matrix: matrixRows, cohorts: cohorts,
            missingEvidence: missingEvidence, evidence: evidence, inputs: inputs,
            rejects: rejects, rejectCount: try db.int("SELECT count(*) FROM rejects"))
    }

    /// Every record of the database (it holds one cluster): the spans ingest recorded per file,
    /// or – for files read before schema version 2 recorded them – the records themselves (a
    /// scan of every event: 2.3 s of the report's time on a million events).
    static let databaseWindowSQL = """
        SELECT CASE WHEN EXISTS (SELECT 1 FROM sources WHERE kube_events + activity_records > 0 AND first_time IS NULL)
                    THEN (SELECT min(t) FROM (SELECT min(first_seen) AS t FROM kube_events UNION ALL SELECT min(time) FROM activity_records))
                    ELSE (SELECT min(first_time) FROM sources WHERE kube_events + activity_records > 0) END,
               CASE WHEN EXISTS (SELECT 1 FROM sources WHERE kube_events + activity_records > 0 AND last_time IS NULL)
                    THEN (SELECT max(t) FROM (SELECT max(last_seen) AS t FROM kube_events UNION ALL SELECT max(time) FROM activity_records))
                    ELSE (SELECT max(last_time) FROM sources WHERE kube_events + activity_records > 0) END
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
    /// The resource group of a scale set, from any activity record about it.
    func resourceGroup(ofScaleSet vmss: String) throws -> String? {
        let id = try db.scalar(
            "SELECT resource_id FROM activity_records WHERE resource_key LIKE ?1 ORDER BY record_id LIMIT 1",
            [.text("%/virtualmachinescalesets/\(vmss.lowercased())%")])
        guard case .text(let resourceID)? = id else { return nil }
        let parts = resourceID.split(separator: "/")
        guard let i = parts.firstIndex(where: { $0.lowercased() == "resourcegroups" }), i + 1 < parts.count else { return nil }
        return String(parts[i + 1])
    }

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
