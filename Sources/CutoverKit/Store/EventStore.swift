import Foundation

/// The ingest side of the database: sources, events, activity records and rejects.
///
/// In: rows already encoded by the parse thread (`RecordLayout`, `RowEncoder`) with their
/// position. Out: rows. Kubernetes events are appended, then folded per file (`foldEvents`):
/// rows that share a uid become one, with the highest count, the earliest first sighting and
/// the latest last sighting and message. Appending and folding afterwards is what makes a bulk
/// load fast: keeping a unique index on random uids up to date row by row cost 12 s per
/// million events (docs/PERFORMANCE.md). Activity records dedupe on a natural key as they come.
/// Rejects are unique per (source, position), so a re-run never doubles them.
public final class EventStore {
    public let db: Database
    private let insertEvent: Statement
    private let insertActivity: Statement
    private let insertReject: Statement
    private let sameNaturalKey: Statement
    private let adoptID: Statement
    private static let insertRejectSQL =
        "INSERT OR IGNORE INTO rejects (source_id, position, line, reason, snippet) VALUES (?1, ?2, ?3, ?4, ?5)"

    /// Opens or creates the database at `path`, in WAL mode so readers can query during an ingest.
    ///
    /// `exclusive` is for loads nobody reads during (a nightly batch): the file is locked and
    /// written through a rollback journal instead – every page written once, not into the WAL
    /// and again at each checkpoint, about 12 % faster on a large load (docs/PERFORMANCE.md) and
    /// as safe against a kill. `endExclusive` (or any later open) puts it back in WAL mode.
    /// Refused while another process has the database open.
    public init(path: String, exclusive: Bool = false) throws {
        db = try Database(path: path)
        // 64 KiB pages (only possible before WAL is on, so only for a new file): events with
        // their raw record are about 1.4 KB, and big pages cut B-tree work on load (18.9 s →
        // 14.5 s per million events) and on correlation's scans (6.1 s → 4.8 s). 16 MiB of page
        // cache stays well inside the 100 MiB memory budget.
        try db.execute("PRAGMA page_size = 65536; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384;")
        if exclusive {
            // Taking the lock now means no reader slips in between the transactions.
            var mode: SQLValue?
            do {
                try db.execute("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;")
                mode = try db.scalar("PRAGMA journal_mode = DELETE")
            } catch let error as SQLiteError where [5, 6].contains(error.code & 0xFF) {
                // SQLITE_BUSY or SQLITE_LOCKED: another process has it open.
            }
            guard mode == .text("delete") else {
                throw SQLiteError(
                    code: 5,
                    message: "\(path) is open in another process, so it cannot be loaded exclusively: "
                        + "close the other reader or ingest without --exclusive")
            }
        } else {
            try db.execute("PRAGMA journal_mode = WAL")
        }
        try Schema.migrate(db)
        insertEvent = try db.prepare(RecordLayout.kubeEvents.insertSQL)
        insertActivity = try db.prepare(RecordLayout.activityRecords.insertSQL + " ON CONFLICT (dedupe_key) DO NOTHING")
        insertReject = try db.prepare(EventStore.insertRejectSQL)
        sameNaturalKey = try db.prepare("SELECT 1 FROM activity_records WHERE dedupe_key >= ?1 AND dedupe_key < ?2 LIMIT 1")
        adoptID = try db.prepare("UPDATE activity_records SET dedupe_key = ?1, event_data_id = ?2 WHERE dedupe_key = ?3")
    }

    /// Ends an exclusive load: the lock is released and the database is in WAL mode again.
    public func endExclusive() throws {
        try db.execute("PRAGMA locking_mode = NORMAL; PRAGMA journal_mode = WAL;")
    }

    /// A source already recorded with this content, if any: its id and status.
    public func source(hash: String, size: Int64) throws -> (id: Int64, status: String)? {
        let rows = try db.rows(
            "SELECT source_id, status FROM sources WHERE content_hash = ?1 AND size = ?2",
            [.text(hash), .integer(size)])
        guard let row = rows.first, case .integer(let id) = row[0] else { return nil }
        return (id, row[1].text)
    }

    /// An earlier read of the file at `path` (size, hash) that a file now `size` bytes long may
    /// have grown from: same path, smaller, read to its end.
    public func earlierRead(path: String, smallerThan size: Int64) throws -> (id: Int64, size: Int64, hash: String)? {
        let rows = try db.rows(
            """
            SELECT source_id, size, content_hash FROM sources
            WHERE path = ?1 AND size < ?2 AND status IN ('complete', 'truncated') AND content_hash IS NOT NULL
            ORDER BY size DESC LIMIT 1
            """, [.text(path), .integer(size)])
        guard let row = rows.first, case .integer(let id) = row[0], case .integer(let old) = row[1] else { return nil }
        return (id, old, row[2].text)
    }

    /// The earlier read `old` of a file that grew is replaced by the read `new` of all of it:
    /// its rejects (found again at the same positions) go, and it is marked superseded, so
    /// nothing is counted twice. Events and activity records fold as any overlap does.
    public func supersede(_ old: Int64, by new: Int64) throws {
        try db.prepare("DELETE FROM rejects WHERE source_id = ?1").run([.integer(old)])
        try db.prepare(
            """
            UPDATE sources SET status = 'superseded', rejects = 0,
                problem = 'the file grew after this read; it was read again whole as source ' || ?2
            WHERE source_id = ?1
            """
        ).run([.integer(old), .integer(new)])
    }

    /// Records the start of a file's ingest (or reuses the row of an interrupted one).
    public func beginSource(path: String, hash: String?, size: Int64?, compressed: Bool, reuse: Int64?) throws -> Int64 {
        let name = (path as NSString).lastPathComponent
        if let reuse {
            try db.prepare("UPDATE sources SET path = ?1, name = ?2, status = 'in_progress' WHERE source_id = ?3")
                .run([.text(path), .text(name), .integer(reuse)])
            return reuse
        }
        try db.prepare(
            """
            INSERT INTO sources (path, name, content_hash, size, compressed, ingested_at)
            VALUES (?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
            """
        ).run([.text(path), .text(name), SQLValue(hash), size.map { .integer($0) } ?? .null, .integer(compressed ? 1 : 0)])
        return db.lastInsertRowID
    }

    /// Stores the outcome of a file's ingest.
    public func finishSource(_ id: Int64, _ file: FileSummary) throws {
        try db.prepare(
            """
            UPDATE sources SET status = ?1, problem = ?2, kube_events = kube_events + ?3, uidless_events = uidless_events + ?8,
                activity_records = activity_records + ?4, duplicates = duplicates + ?5, skipped = skipped + ?6,
                rejects = (SELECT count(*) FROM rejects WHERE source_id = ?7),
                first_time = ?9, last_time = ?10, normal_events = ?11, node_group_records = ?12
            WHERE source_id = ?7
            """
        ).run([
            .text(file.status.rawValue), SQLValue(file.problem), .integer(Int64(file.kubeEvents)),
            .integer(Int64(file.activityRecords)), .integer(Int64(file.duplicates)), .integer(Int64(file.skipped)),
            .integer(id), .integer(Int64(pendingUIDLessEvents)), SQLValue(file.evidence.first?.description),
            SQLValue(file.evidence.last?.description), .integer(Int64(file.evidence.normalEvents)),
            .integer(Int64(file.evidence.nodeGroupRecords)),
        ])
        pendingUIDEvents = 0
        pendingUIDLessEvents = 0
    }

    /// Where an interrupted ingest of `source` stopped: the offset of the last record it
    /// stored (records are stored in file order, so every earlier one is stored too) and its
    /// first event row; nil when it stored nothing.
    public func resumePoint(source: Int64) throws -> (lastOffset: Int64, firstEvent: Int64?)? {
        let id: [SQLValue] = [.integer(source)]
        let events = try db.rows("SELECT max(position), min(event_id) FROM kube_events WHERE source_id = ?1", id).first
        let others = try db.scalar(
            """
            SELECT max(p) FROM (SELECT max(position) AS p FROM activity_records WHERE source_id = ?1
                                UNION ALL SELECT max(position) FROM rejects WHERE source_id = ?1)
            """, id)
        let offsets = [events?[0], others].compactMap { value -> Int64? in
            if case .integer(let v)? = value { return v }
            return nil
        }
        guard let last = offsets.max() else { return nil }
        if case .integer(let first)? = events?[1] { return (last, first) }
        return (last, nil)
    }

    /// Counts an event of the current file towards its totals (stored now or by an interrupted run).
    func count(hasUID: Bool) {
        if hasUID { pendingUIDEvents += 1 } else { pendingUIDLessEvents += 1 }
    }

    /// Binds a row's values (`RecordLayout.insertColumns` order) and its place in the input, and steps.
    private func insert(
        _ s: Statement, _ values: ArraySlice<StoredValue>, arena: UnsafeRawBufferPointer, source: Int64, position: RecordPosition
    ) throws {
        var index: Int32 = 1
        for value in values {
            switch value {
            case .null: try s.bind(index, nil as String?)
            case .integer(let v): try s.bind(index, v)
            case .text(let v): try s.bind(index, v)
            case .bytes(let range): try s.bind(index, bytes: UnsafeRawBufferPointer(rebasing: arena[range]))
            }
            index += 1
        }
        try s.bind(index, source)
        try s.bind(index + 1, position.offset)
        defer { s.reset() }
        try s.step()
    }

    func insertEvent(
        _ values: ArraySlice<StoredValue>, hasUID: Bool, arena: UnsafeRawBufferPointer, source: Int64, position: RecordPosition
    ) throws {
        count(hasUID: hasUID)
        try insert(insertEvent, values, arena: arena, source: source, position: position)
    }

    /// Inserts an activity record; false when the same record was stored before: the same
    /// eventDataId and natural key, or – for a shape without eventDataId, or a row stored from
    /// one – the same natural key.
    func insertActivity(
        _ r: ActivityRecord, _ values: ArraySlice<StoredValue>, arena: UnsafeRawBufferPointer, source: Int64, position: RecordPosition
    ) throws -> Bool {
        let prefix = r.naturalKey + "|"
        if let id = r.eventDataId {
            // A copy without eventDataId stands for one record with it: the first that comes
            // takes it over (the next ones, with other ids, are records of their own).
            try adoptID.run([.text(r.dedupeKey), .text(id), .text(prefix + "~")])
            if db.changes > 0 { return false }
        } else {
            // Without one, any record of the same natural key is this record.
            try sameNaturalKey.bind(1, prefix)
            try sameNaturalKey.bind(2, r.naturalKey + "}")  // '}' follows '|': the keys that start with the prefix
            let found = try sameNaturalKey.step()
            sameNaturalKey.reset()
            if found { return false }
        }
        try insert(insertActivity, values, arena: arena, source: source, position: position)
        return db.changes > 0
    }

    public func reject(source: Int64, position: RecordPosition, reason: String, snippet: [UInt8]) throws {
        let s = insertReject
        try s.bind(1, source)
        try s.bind(2, position.offset)
        try s.bind(3, position.line)
        try s.bind(4, reason)
        try s.bind(5, String(decoding: snippet, as: UTF8.self))
        defer { s.reset() }
        try s.step()
    }

    /// The indexes events need: folding repeats by uid, correlation's read by reason.
    static let eventIndexesSQL = """
        CREATE INDEX IF NOT EXISTS kube_events_by_uid ON kube_events(uid) WHERE uid IS NOT NULL;
        CREATE INDEX IF NOT EXISTS kube_events_by_reason ON kube_events(reason);
        """

    /// Records an ingest in `ingest_runs` (shown by the `meta` view).
    public func recordRun(paths: [String], cluster: String?, summary: IngestSummary) throws {
        let arguments = "[" + paths.map(JSONText.quote).joined(separator: ",") + "]"
        try db.prepare(
            """
            INSERT INTO ingest_runs (ran_at, cutover_version, arguments, cluster, files, records, rejects)
            VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?1, ?2, ?3, ?4, ?5, ?6)
            """
        ).run([
            .text(CutoverVersion.current), .text(arguments), SQLValue(cluster), .integer(Int64(summary.files.count)),
            .integer(Int64(summary.kubeEvents + summary.activityRecords)), .integer(Int64(summary.rejects)),
        ])
    }

    /// Widens the stored first/last sighting of each node, per cluster label.
    func recordSightings(_ sightings: [NodeSighting.Key: NodeSighting]) throws {
        let s = try db.prepare(
            """
            INSERT INTO node_sightings (cluster, node, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT (cluster, node) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen),
                last_seen = max(last_seen, excluded.last_seen)
            """)
        for (key, seen) in sightings.sorted(by: { ($0.key.cluster, $0.key.node) < ($1.key.cluster, $1.key.node) }) {
            try s.run([.text(key.cluster), .text(key.node), .text(seen.first.description), .text(seen.last.description)])
        }
    }

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
        try db.execute("DROP INDEX IF EXISTS kube_events_by_uid; DROP INDEX IF EXISTS kube_events_by_reason;")
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

    /// Events of the current file with and without a uid, for `foldTwins`.
    public var pendingUIDEvents = 0
    public var pendingUIDLessEvents = 0
}
