/// Moves correlation's input and output between SQLite and the pure `Correlator`.
///
/// Reads: every activity record, the events whose reason correlation looks at, and each
/// node's first appearance. Writes: the `*_results` tables behind the contract views, all in
/// one transaction, so a reader sees the old or the new correlation, never half of each.
public struct CorrelationStore {
    public let db: Database

    public init(db: Database) { self.db = db }

    public func loadFacts() throws -> CorrelationFacts {
        var activity: [ActivityFact] = []
        let a = try db.prepare(
            """
            SELECT record_id, operation, status, time, resource_key,
                   coalesce(operation_id, correlation_id, 'record-' || record_id), request_body, response_body, caller
            FROM activity_records ORDER BY time, record_id
            """)
        while try a.step() {
            guard let time = a.string(3).flatMap({ try? Timestamp.parse($0) }) else { continue }
            activity.append(
                ActivityFact(
                    recordID: Int64(a.int(0) ?? 0), operation: a.string(1) ?? "", status: a.string(2) ?? "", time: time,
                    resourceKey: a.string(4) ?? "", operationKey: a.string(5) ?? "", requestBody: a.string(6),
                    responseBody: a.string(7), caller: a.string(8)))
        }
        var events: [EventFact] = []
        let reasons = CorrelationFacts.relevantReasons.map { "'\($0)'" }.joined(separator: ",")
        let e = try db.prepare(
            """
            SELECT event_id, uid, cluster, object_kind, object_namespace, object_name, reason, coalesce(message, ''),
                   source_component, source_host, first_seen, last_seen, count
            FROM kube_events WHERE reason IN (\(reasons)) ORDER BY first_seen, event_id
            """)
        while try e.step() {
            guard let first = e.string(10).flatMap({ try? Timestamp.parse($0) }),
                let last = e.string(11).flatMap({ try? Timestamp.parse($0) })
            else { continue }
            events.append(
                EventFact(
                    eventID: Int64(e.int(0) ?? 0), uid: e.string(1), cluster: e.string(2), objectKind: e.string(3),
                    objectNamespace: e.string(4), objectName: e.string(5), reason: e.string(6) ?? "", message: e.string(7) ?? "",
                    sourceComponent: e.string(8), sourceHost: e.string(9), firstSeen: first, lastSeen: last, count: e.int(12) ?? 1))
        }
        var firstSeen: [String: Timestamp] = [:]
        let n = try db.prepare("SELECT node, first_seen FROM node_sightings")
        while try n.step() {
            if let node = n.string(0), let t = n.string(1).flatMap({ try? Timestamp.parse($0) }) { firstSeen[node] = t }
        }
        return CorrelationFacts(activity: activity, events: events, nodeFirstSeen: firstSeen, sources: try loadSpans())
    }

    /// What each input file covers; nil when a file that holds records has no span recorded
    /// (ingested by a cutover from before schema version 2), since then coverage cannot judge.
    func loadSpans() throws -> [SourceSpan]? {
        var spans: [SourceSpan] = []
        let s = try db.prepare(
            """
            SELECT first_time, last_time, normal_events, activity_records, node_group_records FROM sources
            WHERE kube_events + activity_records > 0 ORDER BY source_id
            """)
        while try s.step() {
            guard let from = s.string(0).flatMap({ try? Timestamp.parse($0) }), let to = s.string(1).flatMap({ try? Timestamp.parse($0) })
            else { return nil }
            spans.append(
                SourceSpan(
                    window: TimeWindow(from: from, to: to), normalEvents: (s.int(2) ?? 0) > 0, activity: (s.int(3) ?? 0) > 0,
                    nodeGroup: (s.int(4) ?? 0) > 0))
        }
        return spans
    }

    public func save(_ result: Correlator.Result) throws {
        try db.transaction {
            try db.execute(
                """
                DELETE FROM milestone_results; DELETE FROM node_results; DELETE FROM bootstrap_results;
                DELETE FROM node_round_results; DELETE FROM failure_results; DELETE FROM coverage_results;
                """)
            let m = try db.prepare(
                "INSERT INTO milestone_results (round, name, effective_time, source, evidence, requires_reimage, playbook) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            )
            for milestone in result.milestones {
                try m.run([
                    .integer(Int64(milestone.round.number)), .text(milestone.round.name),
                    SQLValue(milestone.time?.description), .text(milestone.source.rawValue), .text(milestone.evidence),
                    .integer(milestone.round.requiresReimage ? 1 : 0), .text(result.playbook),
                ])
            }
            let n = try db.prepare(
                """
                INSERT INTO node_results (node, vmss, instance_id, pool, first_seen, removed_at, recreated_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                """)
            let b = try db.prepare("INSERT INTO bootstrap_results (node, time, kind, strength, evidence) VALUES (?1, ?2, ?3, ?4, ?5)")
            for node in result.nodes {
                try n.run([
                    .text(node.name), SQLValue(node.parsed?.vmss), SQLValue(node.parsed?.instanceID),
                    SQLValue(node.parsed?.pool), .text(node.firstSeen.description),
                    SQLValue(node.removedAt?.description), SQLValue(node.recreatedAt?.description),
                ])
                for boot in node.bootstraps {
                    try b.run([
                        .text(node.name), .text(boot.time.description), .text(boot.kind.rawValue),
                        .text(boot.strength.rawValue), .text(boot.evidence),
                    ])
                }
            }
            let r = try db.prepare("INSERT INTO node_round_results (node, round, bootstrapped_at, status) VALUES (?1, ?2, ?3, ?4)")
            for row in result.nodeRounds {
                try r.run([
                    .text(row.node), .integer(Int64(row.round)), SQLValue(row.bootstrappedAt?.description),
                    .text(row.status.rawValue),
                ])
            }
            let c = try db.prepare("INSERT INTO coverage_results (source, present, if_missing, windows) VALUES (?1, ?2, ?3, ?4)")
            for source in result.coverage.sources {
                try c.run([
                    .text(source.name), .integer(source.present ? 1 : 0), .text(source.ifMissing),
                    SQLValue(source.windows.map { $0.map(\.description).joined(separator: ", ") }),
                ])
            }
            let cluster = result.milestones.compactMap(\.cluster).first
            let f = try db.prepare(
                """
                INSERT INTO failure_results (event_id, cluster, node, namespace, pod, category, reason, message, first_seen,
                    last_seen, count, verdict, missed_round, missed_rounds, confidence, explanation, event_uid)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
                """)
            for a in result.attributions {
                let x = a.failure
                try f.run([
                    .integer(x.eventID), SQLValue(x.cluster ?? cluster), SQLValue(x.node), SQLValue(x.namespace),
                    SQLValue(x.pod), .text(x.category.rawValue), .text(x.reason), .text(x.message),
                    .text(x.firstSeen.description), .text(x.lastSeen.description), .integer(Int64(x.count)),
                    .text(a.verdict.rawValue), SQLValue(a.missedRound),
                    a.missedRounds.isEmpty ? .null : .text(a.missedRounds.map(String.init).joined(separator: ",")),
                    .text(a.confidence.rawValue), .text(a.explanation), SQLValue(x.uid),
                ])
            }
        }
    }
}
