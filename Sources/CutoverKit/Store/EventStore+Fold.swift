/// The fold side of `EventStore`: the event indexes, dropped for a bulk load and built again
/// sorted, and the repeats of one event folded into one row at the end of each file.
extension EventStore {
    /// Puts back the event indexes a killed bulk load may have left dropped. Called when an
    /// ingest starts, not on every open, so a report run during an ingest never waits to build them.
    public func restoreIndexes() throws {
        try db.execute(EventStore.eventIndexesSQL)
    }

    /// The highest event id so far: rows appended after it belong to the current file.
    public func lastEventID() throws -> Int64 {
        Int64(try db.int("SELECT coalesce(max(event_id), 0) FROM kube_events"))
    }

    /// Drops the event indexes for a bulk load; `foldEvents` builds them again, sorted, which
    /// is several times cheaper than keeping them up to date row by row.
    public func beginBulkLoad() throws {
        try db.execute(
            "DROP INDEX IF EXISTS kube_events_by_uid; DROP INDEX IF EXISTS kube_events_by_reason; DROP INDEX IF EXISTS kube_events_pod_starts;"
        )
    }

    /// Restores the indexes if a bulk load dropped them, then folds the repeats among the rows
    /// after `after` and the rows before them: rows with one uid, and rows without a uid that
    /// agree on cluster, object, reason, host, first sighting and message (`KubeEvents` has
    /// no uid). Run inside the file's last transaction. Returns the number of rows folded away.
    @discardableResult
    public func foldEvents(after: Int64) throws -> Int {
        try db.execute(EventStore.eventIndexesSQL)
        try db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS fold_keys (k TEXT PRIMARY KEY, c INTEGER, f TEXT, keep INTEGER); DELETE FROM fold_keys;")
        let scope = after == 0 ? "" : "AND uid IN (SELECT uid FROM kube_events WHERE event_id > ?1 AND uid IS NOT NULL)"
        // Find the shared uids from the index alone, then read rows for those uids only.
        try db.prepare(
            "INSERT INTO fold_keys (k) SELECT uid FROM kube_events WHERE uid IS NOT NULL \(scope) GROUP BY uid HAVING count(*) > 1"
        ).run(after == 0 ? [] : [.integer(after)])
        var folded = 0
        if try db.int("SELECT count(*) FROM fold_keys") > 0 {
            try db.execute(
                """
                UPDATE fold_keys SET
                    c = (SELECT max(count) FROM kube_events e WHERE e.uid = fold_keys.k),
                    f = (SELECT min(first_seen) FROM kube_events e WHERE e.uid = fold_keys.k),
                    keep = (SELECT event_id FROM kube_events e WHERE e.uid = fold_keys.k
                            ORDER BY last_seen DESC, count DESC, event_id LIMIT 1);
                UPDATE kube_events SET count = fold_keys.c, first_seen = fold_keys.f,
                    \(RecordLayout.kubeEvents.preservingUpdate(row: "kube_events.", count: "fold_keys.c", first: "fold_keys.f", last: nil))
                    FROM fold_keys WHERE kube_events.event_id = fold_keys.keep;
                DELETE FROM kube_events WHERE event_id IN (
                    SELECT e.event_id FROM fold_keys JOIN kube_events e ON e.uid = fold_keys.k WHERE e.event_id <> fold_keys.keep);
                """)
            folded = db.changes
        }
        try db.execute("DELETE FROM fold_keys")
        if pendingUIDLessEvents > 0 { folded += try foldNaturalKeys() }
        return folded + (try foldTwins(after: after))
    }

    /// Rows without a uid that are one occurrence series become one: the highest count, on
    /// the row last seen latest.
    private func foldNaturalKeys() throws -> Int {
        let key = "cluster, object_namespace, object_kind, object_name, reason, source_host, first_seen, message"
        try db.execute(
            """
            DROP TABLE IF EXISTS temp.fold_series;
            CREATE TEMP TABLE fold_series AS SELECT * FROM (
                SELECT event_id, row_number() OVER w AS r, count(*) OVER p AS n, max(count) OVER p AS c
                FROM kube_events WHERE uid IS NULL
                WINDOW p AS (PARTITION BY \(key)), w AS (PARTITION BY \(key) ORDER BY last_seen DESC, count DESC, event_id))
            WHERE n > 1;
            UPDATE kube_events SET count = s.c,
                \(RecordLayout.kubeEvents.preservingUpdate(row: "kube_events.", count: "s.c", first: nil, last: nil))
                FROM fold_series s WHERE s.r = 1 AND kube_events.event_id = s.event_id;
            DELETE FROM kube_events WHERE event_id IN (SELECT event_id FROM fold_series WHERE r > 1);
            """)
        let folded = db.changes
        try db.execute("DROP TABLE temp.fold_series")
        return folded
    }

    /// Shapes without a uid (Container Insights `KubeEvents`) can carry the same event as a
    /// shape with one; such a row is folded into its twin: same object, reason and first
    /// sighting. Only runs when both kinds are in the database.
    private func foldTwins(after: Int64) throws -> Int {
        guard pendingUIDEvents + pendingUIDLessEvents > 0 else { return 0 }
        let stored = try db.rows("SELECT coalesce(sum(uidless_events), 0), coalesce(sum(kube_events - uidless_events), 0) FROM sources")
        let uidLess = pendingUIDLessEvents + (Int(stored.first?[0].text ?? "") ?? 0)
        let withUID = pendingUIDEvents + (Int(stored.first?[1].text ?? "") ?? 0)
        guard uidLess > 0 && withUID > 0 else { return 0 }
        try db.execute("DROP TABLE IF EXISTS temp.twins")
        try db.prepare(
            """
            CREATE TEMP TABLE twins AS
            SELECT n.event_id AS nid, o.event_id AS oid, n.count AS c, n.last_seen AS l
            FROM kube_events n JOIN kube_events o
              ON o.object_name = n.object_name AND o.reason = n.reason AND o.first_seen = n.first_seen
             AND coalesce(o.object_namespace, '') = coalesce(n.object_namespace, '')
            WHERE n.uid IS NULL AND o.uid IS NOT NULL AND (n.event_id > ?1 OR o.event_id > ?1)
            """
        ).run([.integer(after)])
        try db.execute(
            """
            UPDATE kube_events SET count = max(kube_events.count, t.c), last_seen = max(kube_events.last_seen, t.l),
                \(RecordLayout.kubeEvents.preservingUpdate(
                    row: "kube_events.", count: "max(kube_events.count, t.c)", first: nil, last: "max(kube_events.last_seen, t.l)"))
              FROM (SELECT oid, max(c) AS c, max(l) AS l FROM twins GROUP BY oid) t WHERE kube_events.event_id = t.oid;
            DELETE FROM kube_events WHERE event_id IN (SELECT nid FROM twins);
            """)
        let folded = db.changes
        try db.execute("DROP TABLE temp.twins")
        return folded
    }
}
