/// Which kinds of evidence the inputs hold, and what their absence means.
///
/// In: facts. Out: one `Coverage`, stored with the correlation and shown in the report. A
/// Warnings-only event source (Container Insights' default `KubeEvents`) has no upgrader,
/// `RegisteredNode` or `Scheduled` events, so a node's first appearance there is usually its
/// first failure, not its creation; the activity log of the node resource group may be absent,
/// and then manual reimages are invisible. Missing evidence lowers confidence; it is never
/// assumed away.
public struct Coverage: Sendable, Equatable {
    public struct Source: Sendable, Equatable {
        public var name: String
        public var present: Bool
        /// What its absence costs.
        public var ifMissing: String
    }

    public var sources: [Source]

    public init(_ facts: CorrelationFacts) {
        let reasons = Set(facts.events.map(\.reason))
        let operations = facts.activity.map(\.operation)
        sources = [
            Source(
                name: "Normal Kubernetes events (Scheduled, RegisteredNode)",
                present: reasons.contains("Scheduled") || reasons.contains("RegisteredNode"),
                ifMissing: "Warnings-only events: nodes first show up with their failures, so a node's first appearance "
                    + "says nothing about when it was created; surge and scale-out nodes cannot be told from old ones"),
            Source(
                name: "AKS upgrader events (node-image upgrades)", present: reasons.contains("Upgrade"),
                ifMissing: "node-image upgrades are seen only as pool-level activity-log records, or not at all"),
            Source(
                name: "Cluster activity log (managedClusters/write)",
                present: operations.contains("microsoft.containerservice/managedclusters/write"),
                ifMissing: "milestones cannot be detected: give them with --milestone N=TIME"),
            Source(
                name: "Node resource group activity log (Compute reimage/restart)",
                present: operations.contains { $0.hasPrefix("microsoft.compute/virtualmachinescalesets") },
                ifMissing: "manual `az vmss reimage` and restarts are invisible; from events alone a reimage looks like a reboot"),
        ]
    }

    public init(sources: [Source]) { self.sources = sources }

    /// True when the events hold no Normal events: first appearances are not creations.
    public var warningsOnly: Bool { !(sources.first?.present ?? true) }
}
