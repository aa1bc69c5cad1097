/// The whole flow in one place: ingest → store → correlate → report.
///
/// Each command of the `cutover` executable calls one of these entry points.
public enum Pipeline {
    /// Streams `paths` into the database at `dbPath`.
    public static func ingest(
        paths: [String], dbPath: String, options: Ingester.Options = .init(),
        progress: ProgressLine? = nil
    ) throws -> IngestSummary {
        let store = try EventStore(path: dbPath, exclusive: options.exclusive)
        let summary = try Ingester(store: store, options: options, progress: progress).ingest(paths)
        if options.exclusive { try store.endExclusive() }
        return summary
    }

    /// Recomputes milestones, bootstraps and attributions from what the database holds.
    @discardableResult
    public static func correlate(
        dbPath: String, playbook: Playbook = .threeRounds,
        given: [Int: Timestamp] = [:]
    ) throws -> Correlator.Result {
        let store = try EventStore(path: dbPath)
        let io = CorrelationStore(db: store.db)
        let result = Correlator(playbook: playbook, given: given).correlate(try io.loadFacts())
        try io.save(result)
        return result
    }

    /// The markdown postmortem of a correlated database.
    public static func report(dbPath: String, cluster: String? = nil) throws -> String {
        let store = try EventStore(path: dbPath)
        let postmortem = try PostmortemBuilder(db: store.db, cluster: cluster).build()
        return MarkdownRenderer().render(postmortem)
    }
}

extension Pipeline {
    /// Simulates an incident and writes its logs and ground truth under `directory`.
    @discardableResult
    public static func simulate(spec: SimulationSpec, directory: String) throws -> Incident {
        let incident = IncidentSimulator(spec: spec).simulate()
        try IncidentWriter(shapes: spec.shapes, gzip: spec.gzip).write(incident, to: directory)
        return incident
    }
}
