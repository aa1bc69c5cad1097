/// Which kinds of evidence the inputs hold, over which time, and what their absence means.
///
/// In: facts. Out: one `Coverage`, stored with the correlation and shown in the report. A
/// Warnings-only event source (Container Insights' default `KubeEvents`) has no upgrader,
/// `RegisteredNode` or `Scheduled` events, so a node's first appearance there is usually its
/// first failure, not its creation; the activity log of the node resource group may be absent,
/// and then manual reimages are invisible. An export may also cover only part of the incident
/// (`kubectl get events` keeps the last hour): a reimage outside every window that could show
/// one is invisible too. Missing evidence lowers confidence; it is never assumed away.
public struct Coverage: Sendable, Equatable {
    public struct Source: Sendable, Equatable {
        public var name: String
        public var present: Bool
        /// What its absence costs.
        public var ifMissing: String
        /// The time the inputs holding it cover (merged); nil when unknown.
        public var windows: [TimeWindow]?
    }

    public var sources: [Source]
    /// When a node's reimage would show: spans of inputs with Normal events or node resource
    /// group records. Nil when the inputs' spans are unknown.
    public var reimageWindows: [TimeWindow]?
    /// Whether any input held Normal events (nil: the inputs' spans are unknown).
    public var normalEvents: Bool?

    /// Records of one file are taken to cover the gaps between them up to this long (an
    /// activity log is sparse; hourly `PT1H.json` files follow one another).
    static let mergeGap: Double = 60 * 60
    /// An uncovered stretch shorter than this is not worth a warning.
    static let minimumGap: Double = 10 * 60

    public init(_ facts: CorrelationFacts) {
        let reasons = Set(facts.events.map(\.reason))
        let operations = facts.activity.map(\.operation)
        let spans = facts.sources
        func windows(_ holds: (SourceSpan) -> Bool) -> [TimeWindow]? {
            spans.map { TimeWindow.merge($0.filter(holds).map(\.window), gap: Self.mergeGap) }
        }
        let normal = windows(\.normalEvents)
        let nodeGroup = windows(\.nodeGroup)
        normalEvents = spans.map { $0.contains(where: \.normalEvents) }
        sources = [
            Source(
                name: "Normal Kubernetes events (Scheduled, RegisteredNode)",
                present: reasons.contains("Scheduled") || reasons.contains("RegisteredNode"),
                ifMissing: "Warnings-only events: nodes first show up with their failures, so a node's first appearance "
                    + "says nothing about when it was created; surge and scale-out nodes cannot be told from old ones",
                windows: normal),
            Source(
                name: "AKS upgrader events (node-image upgrades)", present: reasons.contains("Upgrade"),
                ifMissing: "node-image upgrades are seen only as pool-level activity-log records, or not at all",
                windows: reasons.contains("Upgrade") ? normal : []),
            Source(
                name: "Cluster activity log (managedClusters/write)",
                present: operations.contains("microsoft.containerservice/managedclusters/write"),
                ifMissing: "milestones cannot be detected: give them with --milestone N=TIME", windows: windows(\.activity)),
            Source(
                name: "Node resource group activity log (Compute reimage/restart)",
                present: operations.contains { $0.hasPrefix("microsoft.compute/virtualmachinescalesets") },
                ifMissing: "manual `az vmss reimage` and restarts are invisible; from events alone a reimage looks like a reboot",
                windows: nodeGroup),
        ]
        reimageWindows = spans.map { _ in TimeWindow.merge((normal ?? []) + (nodeGroup ?? []), gap: 0) }
    }

    public init(sources: [Source], reimageWindows: [TimeWindow]? = nil, normalEvents: Bool? = nil) {
        self.sources = sources
        self.reimageWindows = reimageWindows
        self.normalEvents = normalEvents
    }

    /// Whether the cluster's activity log is known to cover `t` (spans recorded, and one of its
    /// files spans `t`): then a cluster change before `t` would show in it.
    public func clusterActivityCovers(_ t: Timestamp) -> Bool {
        guard let log = sources.first(where: { $0.name.hasPrefix("Cluster activity log") }), log.present, let windows = log.windows
        else { return false }
        return windows.contains { $0.from <= t && t <= $0.to }
    }

    /// True when the events hold no Normal events: first appearances are not creations.
    public var warningsOnly: Bool { normalEvents.map { !$0 } ?? !registrations }

    /// Whether the events hold `Scheduled` or `RegisteredNode`, which show when pods and nodes appeared.
    public var registrations: Bool { sources.first?.present ?? true }

    /// The stretches of `from...to` (at least `minimumGap` long) that no input able to show a
    /// reimage covers; empty when covered, or when the inputs' spans are unknown.
    public func blindSpots(from: Timestamp, to: Timestamp) -> [TimeWindow] {
        guard let covered = reimageWindows, from < to else { return [] }
        var gaps: [TimeWindow] = []
        var cursor = from
        for w in covered where w.to > cursor && w.from < to {
            if w.from > cursor { gaps.append(TimeWindow(from: cursor, to: w.from)) }
            cursor = max(cursor, w.to)
        }
        if cursor < to { gaps.append(TimeWindow(from: cursor, to: to)) }
        return gaps.filter { Double($0.to.millis - $0.from.millis) >= Self.minimumGap * 1000 }
    }
}
