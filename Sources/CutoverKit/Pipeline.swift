import Foundation

/// The whole flow in one place: ingest → store → correlate → report.
///
/// Each command of the `cutover` executable calls one of these entry points.
public enum Pipeline {
    /// Streams `paths` into the database at `dbPath`.
    public static func ingest(
        paths: [String], dbPath: String, options: Ingester.Options = .init(),
        progress: ProgressLine? = nil
    ) throws -> IngestSummary {
        let lock = try WriterLock(database: dbPath, timeout: options.lockTimeout)
        defer { withExtendedLifetime(lock) {} }
        let store = try EventStore(path: dbPath, exclusive: options.exclusive)
        var options = options
        // `cutover run .` in the folder that holds the database must not read the database.
        options.excluding.formUnion(databaseFiles(dbPath))
        let summary = try Ingester(store: store, options: options, progress: progress).ingest(paths)
        try store.recordRun(paths: paths, cluster: options.cluster, summary: summary)
        if options.exclusive { try store.endExclusive() }
        return summary
    }

    /// Recomputes milestones, bootstraps and attributions, cluster by cluster, from what the
    /// database holds; `given` milestones belong to `cluster` (needed when there are several).
    @discardableResult
    public static func correlate(
        dbPath: String, playbook: Playbook = .threeRounds,
        given: [Int: Timestamp] = [:], cluster: String? = nil, playbookSource: String? = nil, lockTimeout: Double = 300
    ) throws -> FleetCorrelator.Result {
        guard FileManager.default.fileExists(atPath: dbPath) else { throw StoreError.noDatabase(dbPath) }
        let lock = try WriterLock(database: dbPath, timeout: lockTimeout)
        defer { withExtendedLifetime(lock) {} }
        let store = try EventStore(path: dbPath)
        let io = CorrelationStore(db: store.db)
        var facts: FleetFacts? = try io.loadFacts()
        let correlator = FleetCorrelator(playbook: playbook, given: given, givenCluster: cluster)
        let settings = CorrelationSettings(playbook: playbookSource ?? playbook.name, given: given, cluster: cluster)
        // Correlated inside the transaction that stores it, the failure rows written as they are made.
        return try io.save(playbook: playbook.name, settings: settings) { stream in
            let result = try correlator.correlate(facts!, stream: stream)
            // Nothing reads the facts any more: they are freed on the other core while this one writes.
            let done = facts!
            facts = nil
            Lifetime.releaseInBackground(consume done)
            return result
        }
    }

    /// The markdown postmortem of one cluster of a correlated database: the one `cluster`
    /// names, or the only one.
    public static func report(dbPath: String, cluster: String? = nil, json: Bool = false) throws -> String {
        let store = try ResultStore(path: dbPath)
        let clusters = try store.clusters()
        let chosen = try Cluster.pick(
            cluster, from: clusters, hint: "name one with --cluster NAME, or write one postmortem each with --out DIR")
        let postmortem = try PostmortemBuilder(db: store.db, cluster: chosen, fleet: clusters.count > 1).build()
        let document = json ? try PostmortemJSON(postmortem).encoded() : MarkdownRenderer().render(postmortem)
        // 98,000 failure rows and 32,000 pods: freed on the other core while the caller writes.
        Lifetime.releaseInBackground(consume postmortem)
        return document
    }

    /// One postmortem per cluster, with file names, and the index that links them.
    public static func reports(dbPath: String, json: Bool = false) throws -> (
        postmortems: [(file: String, markdown: String)], index: String
    ) {
        let store = try ResultStore(path: dbPath)
        let clusters = try store.clusters()
        var postmortems: [(file: String, markdown: String)] = []
        var rows: [FleetIndex.Row] = []
        var used: Set<String> = []
        for cluster in clusters.isEmpty ? [.unnamed] : clusters {
            let postmortem = try PostmortemBuilder(db: store.db, cluster: cluster, fleet: clusters.count > 1).build()
            let file = FleetIndex.fileName(for: cluster, avoiding: used)
            used.insert(file)
            postmortems.append(
                json
                    ? (String(file.dropLast(3)) + ".json", try PostmortemJSON(postmortem).encoded())
                    : (file, MarkdownRenderer().render(postmortem)))
            rows.append(FleetIndex.Row(cluster: cluster, file: file, postmortem: postmortem))
        }
        let unassigned = try store.db.int("SELECT count(*) FROM failure_results WHERE verdict = 'no_cluster'")
        return (postmortems, FleetIndex(rows: rows, unassignedFailures: unassigned).markdown)
    }
}

extension Pipeline {
    /// The database's own files, never inputs: itself, its WAL, shared memory, journal and lock.
    static func databaseFiles(_ dbPath: String) -> Set<String> {
        Set(["", "-wal", "-shm", "-journal", ".lock"].map { dbPath + $0 })
    }

    /// The input files the database at `dbPath` holds that are not among `paths` (by path or
    /// by content): another run's incident. Nil when there are none, or no database yet.
    public static func otherInputs(dbPath: String, paths: [String]) throws -> (count: Int, example: String)? {
        guard FileManager.default.fileExists(atPath: dbPath) else { return nil }
        let db = try ResultStore(path: dbPath).db
        let stored = try db.rows("SELECT path, content_hash, size FROM sources ORDER BY source_id")
        guard !stored.isEmpty else { return nil }
        let files = Ingester.expand(paths, excluding: databaseFiles(dbPath)).files
        let given = Set(files.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        var other = stored.filter { !given.contains(URL(fileURLWithPath: $0[0].text).standardizedFileURL.path) }
        if !other.isEmpty {
            let hashes = Set(files.compactMap { try? ContentHash.of(path: $0) }.map { "\($0.hash)/\($0.size)" })
            other.removeAll { hashes.contains("\($0[1].text)/\($0[2].text)") }
        }
        return other.first.map { (other.count, $0[0].text) }
    }

    /// Simulates an incident and writes its logs and ground truth under `directory`.
    @discardableResult
    public static func simulate(spec: SimulationSpec, directory: String, written: (@Sendable (String, Int) -> Void)? = nil) throws
        -> Incident
    {
        let incident = IncidentSimulator(spec: spec).simulate()
        try IncidentWriter(shapes: spec.shapes, gzip: spec.gzip, written: written).write(incident, to: directory)
        return incident
    }
}
