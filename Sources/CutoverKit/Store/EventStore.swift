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
        // Debian builds SQLite with SECURE_DELETE on, which zeroes every deleted row and freed
        // page: the indexes dropped for a bulk load and the results a correlation replaces –
        // products of what the file keeps. Off, `correlate` on 98,000 failures writes 148 MB
        // instead of 209 MB (docs/PERFORMANCE.md). The nightly prune, which deletes records for
        // good, turns it on for its own delete; the fold zeroes the copies it deletes (`FAST`).
        try db.execute("PRAGMA secure_delete = OFF")
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

    /// Counts an event of the current file towards its totals (stored now or by an interrupted run).
    func count(hasUID: Bool) {
        if hasUID { pendingUIDEvents += 1 } else { pendingUIDLessEvents += 1 }
    }

    /// Binds a row's values (`RecordLayout.insertColumns` order) and its place in the input, and steps.
    private func insert(
        _ s: Statement, _ values: ArraySlice<StoredValue>, arena: UnsafeRawBufferPointer, source: Int64, position: RecordPosition
    ) throws {
        let index = try s.bind(values, arena: arena, from: 1)
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

    /// The indexes events need: folding repeats by uid, correlation's read by reason, and the
    /// pods' container starts that `pods-that-never-recovered` asks for (a partial index of
    /// about 12 MB per million events; the query names it, as the planner prefers the reason index).
    static let eventIndexesSQL =
        uidIndexSQL + """
            CREATE INDEX IF NOT EXISTS kube_events_by_reason ON kube_events(reason);
            CREATE INDEX IF NOT EXISTS kube_events_pod_starts ON kube_events(object_namespace, object_name, last_seen)
                WHERE reason = 'Started' AND object_kind = 'Pod';
            """

    /// The index the fold reads: `foldEvents` builds it before the others.
    static let uidIndexSQL = "CREATE INDEX IF NOT EXISTS kube_events_by_uid ON kube_events(uid) WHERE uid IS NOT NULL;\n"

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

    /// Events of the current file with and without a uid, for `foldTwins`.
    public var pendingUIDEvents = 0
    public var pendingUIDLessEvents = 0
}

extension Statement {
    /// Binds a row's values in order from parameter `first`; returns the next parameter's index.
    /// The arena's texts are read in place: it must stay valid until the statement is reset.
    func bind(_ values: some Sequence<StoredValue>, arena: UnsafeRawBufferPointer, from first: Int32) throws -> Int32 {
        var index = first
        for value in values {
            switch value {
            case .null: try bind(index, nil as String?)
            case .integer(let v): try bind(index, v)
            case .text(let v): try bind(index, v)
            case .bytes(let range): try bindInPlace(index, bytes: UnsafeRawBufferPointer(rebasing: arena[range]))
            }
            index += 1
        }
        return index
    }
}
