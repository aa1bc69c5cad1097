import Foundation

/// `cutover nightly`: the platform team's batch job. Ingests what is new in the inputs (the
/// manifest skips files read before), re-correlates, writes one postmortem per cluster of its
/// shard into `OUT/NIGHT/` with what changed since the last run, the shard's part of the fleet
/// index, the index itself once every shard's part is there, and `OUT/latest`.
///
/// In: input paths, an output directory, a database, the night (a UTC date), a shard. Out: the
/// files above and a `Result` whose exit code cron can act on. The snapshot the next run
/// compares with is stored last, in one transaction, so a run killed before it leaves the
/// previous snapshot for the next run to compare with.
public struct Nightly {
    public struct Options: Sendable {
        public var inputs: [String]
        public var out: String
        public var db: String
        /// The night's date, `YYYY-MM-DD` (UTC): the folder name and the retention cut-off.
        public var night: String
        public var shard = Shard(index: 0, count: 1)
        /// Prune events older than this many days that no result rests on (nil: keep all).
        public var keepDays: Int?
        public var lockTimeout: Double = 300
        public var ingest = Ingester.Options()

        public init(inputs: [String], out: String, db: String, night: String) {
            self.inputs = inputs
            self.out = out
            self.db = db
            self.night = night
        }
    }

    /// `I/N`: this process is shard I of N (`JOB_COMPLETION_INDEX` of an Indexed Job).
    public struct Shard: Sendable, Equatable, CustomStringConvertible {
        public var index: Int
        public var count: Int

        public init(index: Int, count: Int) {
            self.index = index
            self.count = count
        }

        public init?(_ text: String) {
            let parts = text.split(separator: "/").map { Int($0) }
            guard parts.count == 2, let i = parts[0], let n = parts[1], n >= 1, (0..<n).contains(i) else { return nil }
            self.init(index: i, count: n)
        }

        public var description: String { "\(index)/\(count)" }

        /// Whether a cluster is this shard's: a stable hash (FNV-1a 64, not Swift's per-process
        /// `Hasher`) of its resource id, or of its label when no id is known.
        public func owns(_ cluster: Cluster) -> Bool {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in (cluster.resourceID ?? cluster.label).lowercased().utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
            return Int(hash % UInt64(count)) == index
        }
    }

    public struct Result: Sendable {
        public var night: String
        public var clusters: Int
        public var unconvergedNodes: Int
        public var inputErrors: [String]
        public var pruned: Int
        public var ingest: IngestSummary
        /// Whether this run completed the fleet index (every shard's part was there).
        public var wroteIndex: Bool

        /// 3 when a node still has to be reimaged, else 2 when an input had errors, else 0.
        public var exitCode: Int32 { unconvergedNodes > 0 ? 3 : inputErrors.isEmpty ? 0 : 2 }
    }

    public let options: Options

    public init(options: Options) { self.options = options }

    public func run() throws -> Result {
        let o = options
        // Two nightly runs on one database never interleave: the second waits, then gives up
        // (`<db>.nightly.lock`). Each step below also takes the writer lock, as any writer does.
        let nightlyLock = try WriterLock(database: o.db + ".nightly", timeout: o.lockTimeout)
        defer { withExtendedLifetime(nightlyLock) {} }
        var ingest = o.ingest
        ingest.lockTimeout = o.lockTimeout
        let summary = try Pipeline.ingest(paths: o.inputs, dbPath: o.db, options: ingest)
        let pruned = try o.keepDays.map { try Self.prune(dbPath: o.db, olderThan: $0, night: o.night) } ?? 0
        try Pipeline.correlate(dbPath: o.db, lockTimeout: o.lockTimeout)
        let store = try ResultStore(path: o.db)
        let db = store.db
        let clusters = try store.clusters().filter { o.shard.owns($0) }
        let previous = try Snapshot.latest(db, shard: o.shard.description)
        let directory = (o.out as NSString).appendingPathComponent(o.night)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

        var current = Snapshot()
        var rows: [NightlyIndex.Row] = []
        var used: Set<String> = []
        let errors = try Self.inputErrors(db, files: summary.files)
        current.add("", .inputError, errors)
        for cluster in clusters {
            let postmortem = try PostmortemBuilder(db: db, cluster: cluster, fleet: true).build()
            let label = cluster.label
            current.add(label, .cluster, [label])
            let pods = Set(
                postmortem.pods.filter { $0.verdict == "missed_round" }.map {
                    "\($0.name) on \($0.node ?? "?") (round \($0.missedRound ?? 0))"
                })
            current.add(label, .pod, pods)
            current.add(label, .unconverged, Set(postmortem.unconverged.map(\.node)))
            let change = Change(cluster: label, previous: previous, current: current, firstRun: previous == nil)
            let file = FleetIndex.fileName(for: cluster, avoiding: used)
            used.insert(file)
            let markdown = Self.insert(change.markdown, into: MarkdownRenderer().render(postmortem))
            try Self.write(markdown, to: (directory as NSString).appendingPathComponent(file))
            rows.append(
                NightlyIndex.Row(
                    cluster: label, file: file, pods: postmortem.pods.count,
                    missedRoundPods: pods.count, unconvergedNodes: postmortem.unconverged.count, newPods: change.newPods.count,
                    resolvedNodes: change.resolved.count,
                    milestonesKnown: postmortem.milestones.filter { $0.time != nil }.count,
                    milestones: postmortem.milestones.count))
        }
        let vanished = (previous?.items(.cluster) ?? []).subtracting(current.items(.cluster)).sorted()
        let added = previous == nil ? [] : current.items(.cluster).subtracting(previous?.items(.cluster) ?? []).sorted()
        let newErrors = errors.subtracting(previous?.items(.inputError) ?? []).sorted()
        let part = NightlyIndex.Part(
            night: o.night, shard: o.shard.description, rows: rows, newClusters: added, vanishedClusters: vanished,
            inputErrors: errors.sorted(), newInputErrors: newErrors, pruned: pruned)
        try Self.write(try part.json(), to: (directory as NSString).appendingPathComponent(part.fileName))
        let wrote = try NightlyIndex.writeIfComplete(directory: directory, shards: o.shard.count)
        if wrote { try Self.pointLatest(out: o.out, night: o.night) }
        try current.save(db: o.db, night: o.night, shard: o.shard.description, pruned: pruned, lockTimeout: o.lockTimeout)
        return Result(
            night: o.night, clusters: clusters.count, unconvergedNodes: rows.reduce(0) { $0 + $1.unconvergedNodes },
            inputErrors: errors.sorted(), pruned: pruned, ingest: summary, wroteIndex: wrote)
    }

    /// The files of the database that did not read cleanly: failed, truncated, or with rejects,
    /// named as the postmortems name them (basenames, lengthened where two collide:
    /// `h=10/m=00/PT1H.json`).
    static func inputErrors(_ db: Database, files: [FileSummary]) throws -> Set<String> {
        let sources = try db.rows("SELECT path, status, rejects FROM sources ORDER BY path, source_id")
        let names = PostmortemBuilder.displayNames(sources.map { $0[0].text })
        var errors = Set<String>()
        for (row, name) in zip(sources, names) where ["failed", "truncated"].contains(row[1].text) || row[2].text != "0" {
            errors.insert("\(name): \(row[1].text)\(row[2].text == "0" ? "" : ", \(row[2].text) rejects")")
        }
        for file in files where file.status == .failed && !sources.contains(where: { $0[0].text == file.path }) {
            errors.insert("\((file.path as NSString).lastPathComponent): failed")
        }
        return errors
    }

    /// Deletes events older than `days` before the night that nothing rests on: correlation
    /// reads only the reasons it knows (`CorrelationFacts.relevantReasons`), the saved queries
    /// also `Started`, and node sightings are kept in their own table; so the results are the
    /// same before and after. Returns how many were deleted.
    public static func prune(dbPath: String, olderThan days: Int, night: String) throws -> Int {
        guard let end = try? Timestamp.parse(night + "T00:00:00Z") else { return 0 }
        let cutoff = end.adding(seconds: -Double(days) * 86_400).description
        let lock = try WriterLock(database: dbPath, timeout: 300)
        defer { withExtendedLifetime(lock) {} }
        let store = try EventStore(path: dbPath)
        let kept = (CorrelationFacts.relevantReasons + ["Started"]).map { "'\($0)'" }.joined(separator: ", ")
        // What retention deletes leaves no bytes behind in the database file (the writer's
        // connection has this off for deletes of copies).
        try store.db.execute("PRAGMA secure_delete = ON")
        try store.db.execute("BEGIN IMMEDIATE")
        do {
            try store.db.prepare(
                """
                DELETE FROM kube_events WHERE last_seen < ?1 AND coalesce(reason, '') NOT IN (\(kept))
                    AND event_id NOT IN (SELECT event_id FROM failure_results)
                """
            ).run([.text(cutoff)])
            let deleted = store.db.changes
            try store.db.execute("COMMIT")
            return deleted
        } catch {
            try? store.db.execute("ROLLBACK")
            throw error
        }
    }

    /// The since-last-run section goes after the header, before the summary.
    static func insert(_ section: String, into document: String) -> String {
        guard let range = document.range(of: "\n## Summary\n") else { return document + "\n" + section }
        return document.replacingCharacters(in: range, with: "\n" + section + "\n## Summary\n")
    }

    /// Writes through a temporary file and a rename, so a reader never sees half a file.
    static func write(_ text: String, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    /// `OUT/latest` → `NIGHT`, replaced atomically.
    static func pointLatest(out: String, night: String) throws {
        let link = (out as NSString).appendingPathComponent("latest")
        let temporary = link + ".tmp-\(getpid())"
        unlink(temporary)
        guard symlink(night, temporary) == 0, rename(temporary, link) == 0 else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: link])
        }
    }
}

/// What one nightly run found, per cluster and kind; stored in `nightly_items`.
struct Snapshot: Equatable {
    enum Kind: String {
        case cluster, pod, unconverged
        case inputError = "input_error"
    }

    var items: [String: [Kind: Set<String>]] = [:]

    mutating func add(_ cluster: String, _ kind: Kind, _ values: some Sequence<String>) {
        items[cluster, default: [:]][kind, default: []].formUnion(values)
    }

    func items(_ kind: Kind, cluster: String? = nil) -> Set<String> {
        if let cluster { return items[cluster]?[kind] ?? [] }
        return items.values.reduce(into: Set<String>()) { $0.formUnion($1[kind] ?? []) }
    }

    /// The last stored snapshot of this shard, nil before the first run.
    static func latest(_ db: Database, shard: String) throws -> Snapshot? {
        guard
            let run = try db.rows("SELECT max(run_id) FROM nightly_runs WHERE shard = ?1", [.text(shard)]).first?[0],
            case .integer(let id) = run
        else { return nil }
        var snapshot = Snapshot()
        for row in try db.rows("SELECT cluster, kind, item FROM nightly_items WHERE run_id = ?1", [.integer(id)]) {
            if let kind = Kind(rawValue: row[1].text) { snapshot.add(row[0].text, kind, [row[2].text]) }
        }
        return snapshot
    }

    func save(db path: String, night: String, shard: String, pruned: Int, lockTimeout: Double) throws {
        let lock = try WriterLock(database: path, timeout: lockTimeout)
        defer { withExtendedLifetime(lock) {} }
        let db = try EventStore(path: path).db
        try db.transaction {
            try db.prepare(
                """
                INSERT INTO nightly_runs (night, ran_at, cutover_version, shard, pruned)
                VALUES (?1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?2, ?3, ?4)
                """
            ).run([.text(night), .text(CutoverVersion.current), .text(shard), .integer(Int64(pruned))])
            let run = db.lastInsertRowID
            let insert = try db.prepare("INSERT INTO nightly_items (run_id, cluster, kind, item) VALUES (?1, ?2, ?3, ?4)")
            for (cluster, kinds) in items.sorted(by: { $0.key < $1.key }) {
                for (kind, values) in kinds.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                    for value in values.sorted() {
                        try insert.run([.integer(run), .text(cluster), .text(kind.rawValue), .text(value)])
                    }
                }
            }
        }
    }
}

/// One cluster's change since the last run: new pods blamed on a missed round, nodes that
/// converged, nodes still behind.
struct Change {
    var cluster: String
    var newPods: [String]
    var resolved: [String]
    var stillBehind: Int
    var firstRun: Bool
    var newCluster: Bool

    init(cluster: String, previous: Snapshot?, current: Snapshot, firstRun: Bool) {
        self.cluster = cluster
        self.firstRun = firstRun
        newCluster = !firstRun && !(previous?.items(.cluster).contains(cluster) ?? false)
        let before = previous?.items(.pod, cluster: cluster) ?? []
        newPods = current.items(.pod, cluster: cluster).subtracting(before).sorted()
        let behind = current.items(.unconverged, cluster: cluster)
        resolved = (previous?.items(.unconverged, cluster: cluster) ?? []).subtracting(behind).sorted()
        stillBehind = behind.count
    }

    var markdown: String {
        var out = ["## Since the last nightly run", ""]
        if firstRun {
            out.append("This is the first nightly run on this database: everything below is new.")
        } else {
            if newCluster { out.append("- New cluster: it was not in the last run.") }
            out.append("- New pods blamed on a missed round: \(newPods.count)\(newPods.isEmpty ? "." : ":")")
            for pod in newPods.prefix(20) { out.append("  - \(MarkdownEscape.blockStart(MarkdownEscape.inline(pod)))") }
            if newPods.count > 20 { out.append("  - and \(newPods.count - 20) more (`cutover query attributions`)") }
            out.append("- Nodes that converged since: \(resolved.count)\(resolved.isEmpty ? "." : ":")")
            for node in resolved.prefix(20) { out.append("  - \(MarkdownEscape.code(node))") }
            if resolved.count > 20 { out.append("  - and \(resolved.count - 20) more") }
            out.append("- Nodes still to reimage: \(stillBehind).")
        }
        out.append("")
        return out.joined(separator: "\n")
    }
}
