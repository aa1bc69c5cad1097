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
    /// is several times cheaper than keeping them up to date row by row. Their pages are freed
    /// as they are, not zeroed: the indexes built again cover the same rows and more, and take
    /// the freed pages first, in the same transaction.
    public func beginBulkLoad() throws {
        try db.execute(
            "DROP INDEX IF EXISTS kube_events_by_uid; DROP INDEX IF EXISTS kube_events_by_reason; DROP INDEX IF EXISTS kube_events_pod_starts;"
        )
    }

    /// Restores the indexes if a bulk load dropped them, then folds the repeats among the rows
    /// after `after` and the rows before them: rows with one uid, and rows without a uid that
    /// agree on cluster, object, reason, host, first sighting and message (`KubeEvents` has
    /// no uid). Run inside the file's last transaction. Returns the number of rows folded away.
    ///
    /// The uid index comes first, the fold reads it; the other two, when a bulk load dropped
    /// them, are built after the fold, on the rows left, so its deletes never touch them.
    @discardableResult
    public func foldEvents(after: Int64) throws -> Int {
        // The copies folded away are zeroed in their pages (no more I/O than the delete's own:
        // SQLite's `FAST`), so when retention later deletes the row kept, no copy of it stays
        // behind in the file's free space.
        try db.execute("PRAGMA secure_delete = FAST")
        defer { try? db.execute("PRAGMA secure_delete = OFF") }
        try db.execute(EventStore.uidIndexSQL)
        var folded = try foldSharedUIDs(after: after)
        try db.execute(EventStore.eventIndexesSQL)
        if pendingUIDLessEvents > 0 { folded += try foldNaturalKeys() }
        return folded + (try foldTwins(after: after))
    }

    /// Rows with one uid become one: the highest count and the earliest first sighting, on the
    /// row last seen latest (then the higher count, then the first stored).
    ///
    /// Every step reads or writes the event rows in table order: the rows of the shared uids are
    /// found from the index alone and read by ascending id, one pass over their pages. Seeking
    /// each uid's rows through the index instead reads a 64 KiB page for each row wherever it
    /// lies: 13.8 s of a 41 s ingest on the 97,874-failure incident (1.3 M events, 119,683
    /// repeats), against 3–4 s this way (docs/PERFORMANCE.md).
    private func foldSharedUIDs(after: Int64) throws -> Int {
        let scope = after == 0 ? "" : "AND uid IN (SELECT uid FROM kube_events WHERE event_id > ?1 AND uid IS NOT NULL)"
        defer { try? db.execute("DROP TABLE IF EXISTS temp.fold_rows; DROP TABLE IF EXISTS temp.fold_plan;") }
        try db.prepare(
            """
            CREATE TEMP TABLE fold_rows AS SELECT uid, last_seen, count, event_id, first_seen FROM kube_events
            WHERE event_id IN (SELECT event_id FROM kube_events INDEXED BY kube_events_by_uid WHERE uid IN (
                SELECT uid FROM kube_events WHERE uid IS NOT NULL \(scope) GROUP BY uid HAVING count(*) > 1))
            """
        ).run(after == 0 ? [] : [.integer(after)])
        let rows = try db.int("SELECT count(*) FROM fold_rows")
        guard rows > 0 else { return 0 }
        // The row each uid keeps is the first in `fold_order`; the plan lists them by id.
        try db.execute(
            """
            CREATE INDEX temp.fold_order ON fold_rows(uid, last_seen DESC, count DESC, event_id, first_seen);
            CREATE TEMP TABLE fold_plan AS SELECT
                (SELECT r.event_id FROM fold_rows r WHERE r.uid = g.uid ORDER BY r.last_seen DESC, r.count DESC, r.event_id LIMIT 1) AS keep,
                g.c AS c, g.f AS f
            FROM (SELECT uid, max(count) AS c, min(first_seen) AS f FROM fold_rows GROUP BY uid) g ORDER BY keep;
            UPDATE kube_events SET count = fold_plan.c, first_seen = fold_plan.f,
                \(RecordLayout.kubeEvents.preservingUpdate(row: "kube_events.", count: "fold_plan.c", first: "fold_plan.f", last: nil))
                FROM fold_plan WHERE kube_events.event_id = fold_plan.keep;
            """)
        // A delete through the uid index reads a 64 KiB index page at random for each row (about
        // 31 µs with the 16 MiB cache); building the index again sorted costs about 1.2 µs a row
        // of the whole table. Many repeats: drop it for the delete (`foldEvents` builds it again),
        // its pages zeroed as they are freed, as `FAST` leaves freed pages as they were (about
        // 1 s for the 53 MB index of 1.3 M events).
        let deletes = rows - (try db.int("SELECT count(*) FROM fold_plan"))
        if deletes * 25 > (try db.int("SELECT coalesce(max(event_id), 0) FROM kube_events")) {
            try db.execute("PRAGMA secure_delete = ON; DROP INDEX kube_events_by_uid; PRAGMA secure_delete = FAST;")
        }
        try db.execute("DELETE FROM kube_events WHERE event_id IN (SELECT event_id FROM fold_rows EXCEPT SELECT keep FROM fold_plan)")
        return db.changes
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
