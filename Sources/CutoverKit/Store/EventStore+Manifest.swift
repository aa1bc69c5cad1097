import Foundation

/// The manifest side of `EventStore`: one `sources` row per input file, keyed on its content,
/// and where an interrupted read of it stopped.
extension EventStore {
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
}
