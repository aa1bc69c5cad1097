/// Moves correlation's input and output between SQLite and the pure `Correlator`.
///
/// Reads: every activity record, the events whose reason correlation looks at, and each
/// node's first appearance. Writes: the `*_results` tables behind the contract views, all in
/// one transaction, so a reader sees the old or the new correlation, never half of each.
public struct CorrelationStore {
    public let db: Database

    public init(db: Database) { self.db = db }

    /// `shareAbove`: from how many `Scheduled` events on they are shared between the two readers.
    public func loadFacts(shareAbove: Int = 30_000) throws -> FleetFacts {
        // `Scheduled` events, two thirds of the facts of a large incident, are read on a second
        // connection and a thread of their own while this one reads the rest (correlation holds the
        // writer lock: both see the same rows). That thread takes the first four fifths of them by
        // id, this one the rest after the other facts (which cost it about as much as that thread's
        // share: two thirds left it idle for a third of a second on 97,874 failures).
        let path = db.path
        let scheduledCount = try db.int("SELECT count(*) FROM kube_events WHERE reason = 'Scheduled'")
        let split =
            scheduledCount < shareAbove
            ? Int64.max
            : Int64(
                try db.int(
                    "SELECT event_id FROM kube_events WHERE reason = 'Scheduled' ORDER BY event_id LIMIT 1 OFFSET ?1",
                    [.integer(Int64(scheduledCount * 4 / 5))]))
        let scheduled = Pending {
            Result { try Self.events(in: try Database(path: path, readOnly: true), reasons: ["Scheduled"], below: split) }
        }
        var activity: [ActivityFact] = []
        let a = try db.prepare(
            """
            SELECT record_id, operation, status, time, resource_key,
                   coalesce(operation_id, correlation_id, 'record-' || record_id), request_body, response_body, caller,
                   source_id, resource_id
            FROM activity_records ORDER BY time, record_id
            """)
        while try a.step() {
            guard let time = a.timestamp(3) else { continue }
            activity.append(
                ActivityFact(
                    recordID: Int64(a.int(0) ?? 0), operation: a.string(1) ?? "", status: a.string(2) ?? "", time: time,
                    resourceKey: a.string(4) ?? "", operationKey: a.string(5) ?? "", requestBody: a.string(6),
                    responseBody: a.string(7), caller: a.string(8), sourceID: Int64(a.int(9) ?? 0), resourceID: a.string(10)))
        }
        let mine = try Self.events(in: db, reasons: CorrelationFacts.relevantReasons.filter { $0 != "Scheduled" })
        let rest = split < Int64.max ? try Self.events(in: db, reasons: ["Scheduled"], from: split) : []
        let events = Self.inTimeOrder([mine, rest, try scheduled.value.get()])
        var sightings: [NodeSightingFact] = []
        let n = try db.prepare("SELECT cluster, node, first_seen FROM node_sightings ORDER BY cluster, node")
        while try n.step() {
            if let node = n.string(1), let t = n.timestamp(2) {
                sightings.append(NodeSightingFact(cluster: n.string(0) ?? "", node: node, first: t))
            }
        }
        return FleetFacts(activity: activity, events: events, sightings: sightings, sources: try loadSpans())
    }

    /// The events of all parts in one array, by first sighting and id. Sorted here, not by
    /// SQLite: its sorter would carry every row's message through a temporary B-tree (0.7 s of the
    /// 1.5 s this read took for 300,000 rows). The keys are sorted, and each event copied once into
    /// its place: appending one part to another and sorting the facts themselves moved 50 MB
    /// about twenty times on 340,000 facts (a quarter of a second).
    static func inTimeOrder(_ parts: [[EventFact]]) -> [EventFact] {
        var keys: [(millis: Int64, id: Int64, part: Int32, at: Int32)] = []
        keys.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for (part, events) in parts.enumerated() {
            for i in events.indices { keys.append((events[i].firstSeen.millis, events[i].eventID, Int32(part), Int32(i))) }
        }
        keys.sort { ($0.millis, $0.id) < ($1.millis, $1.id) }
        return keys.map { parts[Int($0.part)][Int($0.at)] }
    }

    /// The events of `reasons` with an id in `from..<below`, in the reason index's order.
    static func events(in db: Database, reasons: [String], from: Int64 = .min, below: Int64 = .max) throws -> [EventFact] {
        var events: [EventFact] = []
        let list = reasons.map { "'\($0)'" }.joined(separator: ",")
        let range: [SQLValue] = [.integer(from), .integer(below)]
        let count = try db.prepare("SELECT count(*) FROM kube_events WHERE reason IN (\(list)) AND event_id >= ?1 AND event_id < ?2")
        try count.bindAll(range)
        if try count.step() { events.reserveCapacity(count.int(0) ?? 0) }
        // The values that repeat from row to row (rows come in the reason index's order), and the
        // nodes pods are scheduled to (a few thousand names for hundreds of thousands of events).
        var cluster, kind, namespace, reason, component: String?
        var nodes = BytesMemo<String>()
        let e = try db.prepare(
            """
            SELECT event_id, uid, cluster, object_kind, object_namespace, object_name, reason, coalesce(message, ''),
                   source_component, source_host, first_seen, last_seen, count, source_id
            FROM kube_events WHERE reason IN (\(list)) AND event_id >= ?1 AND event_id < ?2
            """)
        try e.bindAll(range)
        while try e.step() {
            guard let first = e.timestamp(10), let last = e.timestamp(11) else { continue }
            let why = e.string(6, sameAs: &reason) ?? ""
            // A Scheduled event is read for its pod and node; a failure's uid and message are kept.
            if why == "Scheduled" {
                let node = e.withText(7) { raw -> String? in
                    let message = raw.bindMemory(to: UInt8.self)
                    return BootstrapFinder.scheduledNodeBytes(utf8: message).map { name in
                        nodes.value(UnsafeBufferPointer(rebasing: message[name]), make: BootstrapFinder.nodeName)
                    }
                }
                events.append(
                    EventFact(
                        scheduled: Int64(e.int(0) ?? 0), node: node,
                        cluster: e.string(2, sameAs: &cluster), objectKind: e.string(3, sameAs: &kind),
                        objectNamespace: e.string(4, sameAs: &namespace), objectName: e.string(5),
                        sourceComponent: e.string(8, sameAs: &component), sourceHost: e.string(9), firstSeen: first, lastSeen: last,
                        count: e.int(12) ?? 1, sourceID: Int64(e.int(13) ?? 0)))
                continue
            }
            events.append(
                EventFact(
                    eventID: Int64(e.int(0) ?? 0), uid: e.string(1), cluster: e.string(2, sameAs: &cluster),
                    objectKind: e.string(3, sameAs: &kind), objectNamespace: e.string(4, sameAs: &namespace),
                    objectName: e.string(5), reason: why, message: e.string(7) ?? "",
                    sourceComponent: e.string(8, sameAs: &component), sourceHost: e.string(9), firstSeen: first, lastSeen: last,
                    count: e.int(12) ?? 1, sourceID: Int64(e.int(13) ?? 0)))
        }
        return events
    }

    /// What each input file covers; nil when a file that holds records has no span recorded
    /// (ingested by a cutover from before schema version 2), since then coverage cannot judge.
    func loadSpans() throws -> [SourceSpan]? {
        var spans: [SourceSpan] = []
        let s = try db.prepare(
            """
            SELECT first_time, last_time, normal_events, activity_records, node_group_records, source_id FROM sources
            WHERE kube_events + activity_records > 0 ORDER BY source_id
            """)
        while try s.step() {
            guard let from = s.string(0).flatMap({ try? Timestamp.parse($0) }), let to = s.string(1).flatMap({ try? Timestamp.parse($0) })
            else { return nil }
            spans.append(
                SourceSpan(
                    window: TimeWindow(from: from, to: to), normalEvents: (s.int(2) ?? 0) > 0, activity: (s.int(3) ?? 0) > 0,
                    nodeGroup: (s.int(4) ?? 0) > 0, sourceID: Int64(s.int(5) ?? 0)))
        }
        return spans
    }

    /// Replaces every result table with `fleet`'s rows, and records how it was asked for, in
    /// one transaction.
    public func save(_ fleet: FleetCorrelator.Result, settings: CorrelationSettings) throws {
        _ = try save(playbook: fleet.playbook, settings: settings) { _ in fleet }
    }

    /// The same for the result `correlate` makes inside the transaction, handed a stream that
    /// stores each cluster's failure rows on a thread of its own as they are made (writing them
    /// was a second of SQLite on one core for 98,000 failures, after all of them were made). A
    /// correlation that throws leaves the results as they were.
    public func save(
        playbook: String, settings: CorrelationSettings,
        correlate: (_ stream: @escaping (String, ArraySlice<Attribution>) -> Void) throws -> FleetCorrelator.Result
    ) throws -> FleetCorrelator.Result {
        try db.transaction {
            try db.execute(
                """
                DELETE FROM milestone_results; DELETE FROM node_results; DELETE FROM bootstrap_results;
                DELETE FROM node_round_results; DELETE FROM failure_results; DELETE FROM failure_texts;
                DELETE FROM coverage_results; DELETE FROM cluster_results;
                """)
            let writer = try ResultWriter(db: db, playbook: playbook)
            // The writer's thread stores the runs in the order they come; on an error it closes
            // the queue (the stream's later runs are refused) and the error is thrown here.
            let runs = BoundedQueue<(String, [Attribution], NumberedTexts)>(capacity: 4)
            let stored = Pending { () -> Result<Void, Error> in
                Result {
                    while let (label, run, texts) = runs.take() {
                        do { try writer.store(run, texts, cluster: label) } catch {
                            runs.close()
                            throw error
                        }
                    }
                }
            }
            let fleet: FleetCorrelator.Result
            do {
                // The texts are numbered here, beside attribution: the writer's thread is the
                // busier one (SQLite's writing), and it only stores them.
                fleet = try correlate { label, run in
                    let run = Array(run)
                    _ = runs.put((label, run, writer.texts.number(run)))
                }
                runs.close()
                try stored.value.get()
            } catch {
                runs.close()
                _ = stored.value
                throw error
            }
            for cluster in fleet.clusters {
                try writer.write(cluster.cluster, cluster.result)
            }
            try writer.writeFailures(fleet.unassigned, cluster: "")
            try db.prepare(
                """
                INSERT INTO correlation_runs (ran_at, cutover_version, playbook, playbook_source, given, given_cluster, sources_seen)
                VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?1, ?2, ?3, ?4, ?5,
                        (SELECT count(*) FROM sources WHERE status <> 'in_progress'))
                """
            ).run([
                .text(CutoverVersion.current), .text(fleet.playbook), .text(settings.playbook), .text(settings.givenJSON),
                SQLValue(settings.cluster),
            ])
            return fleet
        }
    }
}

/// The prepared inserts of one `CorrelationStore.save`: used by one thread at a time (the
/// writer's thread stores the streamed failures, then the caller the rest).
private struct ResultWriter: @unchecked Sendable {
    let db: Database
    let playbook: String
    let milestone: Statement
    let node: Statement
    let bootstrap: Statement
    let nodeRound: Statement
    let coverage: Statement
    let failure: Statement
    let texts = FailureTexts()
    let text: Statement
    let cluster: Statement

    init(db: Database, playbook: String) throws {
        self.db = db
        self.playbook = playbook
        milestone = try db.prepare(
            """
            INSERT INTO milestone_results (cluster, round, name, effective_time, source, evidence, requires_reimage, playbook)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            """)
        node = try db.prepare(
            """
            INSERT INTO node_results (cluster, node, vmss, instance_id, pool, first_seen, removed_at, recreated_at, resource_group)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            """)
        bootstrap = try db.prepare(
            "INSERT INTO bootstrap_results (cluster, node, time, kind, strength, evidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        nodeRound = try db.prepare(
            "INSERT INTO node_round_results (cluster, node, round, bootstrapped_at, status) VALUES (?1, ?2, ?3, ?4, ?5)")
        coverage = try db.prepare(
            "INSERT INTO coverage_results (cluster, source, present, if_missing, windows) VALUES (?1, ?2, ?3, ?4, ?5)")
        failure = try db.prepare(
            """
            INSERT INTO failure_results (event_id, cluster, node, namespace, pod, category, reason, message_id, first_seen,
                last_seen, count, verdict, missed_round, missed_rounds, confidence, explanation_id, event_uid, wiring_incomplete)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
            """)
        text = try db.prepare("INSERT INTO failure_texts (text_id, text) VALUES (?1, ?2)")
        cluster = try db.prepare(
            """
            INSERT INTO cluster_results (cluster, name, resource_id, subscription, resource_group, node_resource_group,
                events_correlated, activity_correlated, nodes, failures)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
            """)
    }

    func write(_ c: Cluster, _ result: Correlator.Result) throws {
        let label = SQLValue.text(c.label)
        try cluster.run([
            label, .text(c.name), SQLValue(c.resourceID), SQLValue(c.subscription), SQLValue(c.resourceGroup),
            SQLValue(c.nodeResourceGroup), .integer(Int64(result.eventCount)), .integer(Int64(result.activityCount)),
            .integer(Int64(result.nodes.count)), .integer(Int64(result.attributions.count)),
        ])
        for m in result.milestones {
            try milestone.run([
                label, .integer(Int64(m.round.number)), .text(m.round.name), SQLValue(m.time?.description), .text(m.source.rawValue),
                .text(m.evidence), .integer(m.round.requiresReimage ? 1 : 0), .text(playbook),
            ])
        }
        for n in result.nodes {
            try node.run([
                label, .text(n.name), SQLValue(n.parsed?.vmss), SQLValue(n.parsed?.instanceID), SQLValue(n.parsed?.pool),
                .text(n.firstSeen.description), SQLValue(n.removedAt?.description), SQLValue(n.recreatedAt?.description),
                SQLValue(n.parsed.flatMap { result.scaleSetGroups[$0.vmss.lowercased()] }),
            ])
            for boot in n.bootstraps {
                try bootstrap.run([
                    label, .text(n.name), .text(boot.time.description), .text(boot.kind.rawValue), .text(boot.strength.rawValue),
                    .text(boot.evidence),
                ])
            }
        }
        for row in result.nodeRounds {
            try nodeRound.run([
                label, .text(row.node), .integer(Int64(row.round)), SQLValue(row.bootstrappedAt?.description), .text(row.status.rawValue),
            ])
        }
        for source in result.coverage.sources {
            try coverage.run([
                label, .text(source.name), .integer(source.present ? 1 : 0), .text(source.ifMissing),
                SQLValue(source.windows.map { $0.map(\.description).joined(separator: ", ") }),
            ])
        }
        // Streamed ones are stored already, by the writer's thread.
        if !result.streamed { try writeFailures(result.attributions, cluster: c.label) }
    }

    /// The attributions of a cluster that were not streamed: their texts numbered, then stored.
    func writeFailures(_ attributions: [Attribution], cluster label: String) throws {
        try store(attributions, texts.number(attributions), cluster: label)
    }

    /// The texts first used by these attributions, then the attributions, naming their texts by
    /// id: one row each, bound value by value and read in place (no array of values a row, no copy
    /// of each attribution, no time strings: the times are written into a buffer on the stack).
    func store(_ attributions: [Attribution], _ numbered: NumberedTexts, cluster label: String) throws {
        for (id, value) in numbered.new {
            try text.bind(1, id)
            try text.bind(2, value)
            defer { text.reset() }
            while try text.step() {}
        }
        try attributions.withUnsafeBufferPointer { all in
            guard let first = all.baseAddress else { return }
            for (a, ids) in zip(first..<first + all.count, numbered.ids) {
                // Read through the pointer: `a.pointee.failure` bound to a name would copy it.
                try failure.bind(1, a.pointee.failure.eventID)
                try failure.bind(2, label)
                try failure.bind(3, a.pointee.failure.node)
                try failure.bind(4, a.pointee.failure.namespace)
                try failure.bind(5, a.pointee.failure.pod)
                try failure.bind(6, a.pointee.failure.category.rawValue)
                try failure.bind(7, a.pointee.failure.reason)
                try failure.bind(8, ids.message)
                try failure.bind(11, a.pointee.failure.count)
                try failure.bind(12, a.pointee.verdict.rawValue)
                try failure.bind(13, a.pointee.missedRound)
                let missed = a.pointee.missedRounds
                try failure.bind(14, missed.isEmpty ? nil : "[" + missed.map(String.init).joined(separator: ",") + "]")
                try failure.bind(15, a.pointee.confidence.rawValue)
                try failure.bind(16, ids.explanation)
                try failure.bind(17, a.pointee.failure.uid)
                try failure.bind(18, a.pointee.wiringIncomplete ? 1 : 0)
                try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { times in
                    try failure.bindInPlace(9, time: a.pointee.failure.firstSeen, into: UnsafeMutableBufferPointer(rebasing: times[0..<24]))
                    try failure.bindInPlace(
                        10, time: a.pointee.failure.lastSeen, into: UnsafeMutableBufferPointer(rebasing: times[24..<48]))
                    defer { failure.reset() }
                    while try failure.step() {}
                }
            }
        }
    }
}

/// The ids of a run's texts, and the texts it used first (to be stored before its rows).
private struct NumberedTexts: Sendable {
    var ids: [(message: Int64, explanation: Int64)] = []
    var new: [(id: Int64, text: String)] = []
}

/// Each distinct message and explanation numbered once for `failure_texts`, known by its bytes
/// (to Swift's `==`, `é` and `e` + U+0301 are one text; to SQLite they are two). Ids are handed
/// out in order of first use: the table is emptied with the results.
private final class FailureTexts {
    var ids: [ByteOrder.Key: Int64] = [:]
    /// Per column, the last text and its id: runs of failures share one (2,987 explanations
    /// among 97,874 failures), and comparing the bytes is cheaper than hashing them.
    var last: [(text: String, id: Int64)?] = [nil, nil]

    func number(_ attributions: [Attribution]) -> NumberedTexts {
        var numbered = NumberedTexts()
        numbered.ids.reserveCapacity(attributions.count)
        attributions.withUnsafeBufferPointer { all in
            guard let first = all.baseAddress else { return }
            // Read through the pointer: `a.pointee.failure` bound to a name would copy it.
            for a in first..<first + all.count {
                numbered.ids.append((id(a.pointee.failure.message, column: 0, &numbered), id(a.pointee.explanation, column: 1, &numbered)))
            }
        }
        return numbered
    }

    private func id(_ text: String, column: Int, _ numbered: inout NumberedTexts) -> Int64 {
        if let last = last[column], ByteOrder.compare(last.text, text) == 0 { return last.id }
        let key = ByteOrder.Key(text)
        let id: Int64
        if let known = ids[key] {
            id = known
        } else {
            id = Int64(ids.count + 1)
            ids[key] = id
            numbered.new.append((id, text))
        }
        last[column] = (text, id)
        return id
    }
}
