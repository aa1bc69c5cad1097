/// Finds each round's milestone in the activity log.
///
/// In: activity facts. Out: one `Milestone` per round of the playbook.
/// A cluster change is `Microsoft.ContainerService/managedClusters/write`; its records
/// (Started/Accepted/Succeeded/Failed) are paired by operationId, else correlationId. Only an
/// operation that reached Succeeded counts, at its Succeeded time. The request or response
/// body decides which setting it changed: `properties.bootstrapProfile.artifactSource`,
/// `properties.bootstrapProfile.containerRegistryId`, `properties.networkProfile.outboundType`.
/// Since `az aks update` sends the whole cluster each time, a round is the write where the
/// value *changes*, not every write that carries it. Writes without a body are listed in the
/// evidence but decide nothing here.
public struct MilestoneDetector {
    public var playbook: Playbook

    public init(playbook: Playbook) { self.playbook = playbook }

    /// The settings a cluster write left in place, as far as its bodies show them.
    struct ClusterSettings: Equatable {
        var artifactSource: String?
        var registryID: String?
        var outboundType: String?
    }

    struct ClusterWrite {
        var succeededAt: Timestamp
        var startedAt: Timestamp
        var settings: ClusterSettings
        var cluster: String?
        var key: String
    }

    public func detect(_ activity: [ActivityFact]) -> [Milestone] {
        let writes = clusterWrites(activity)
        var found: [Int: Milestone] = [:]
        var previous = ClusterSettings()
        for write in writes {
            let s = write.settings
            let evidence = "managedClusters/write \(write.key) succeeded at \(write.succeededAt.minuteText)"
            if let source = s.artifactSource, source.lowercased() == "cache",
                previous.artifactSource?.lowercased() != "cache", found[1] == nil, let round = playbook.round(1)
            {
                found[1] = Milestone(
                    round: round, time: write.succeededAt, startedAt: write.startedAt, source: .detected,
                    evidence: evidence + ": bootstrapProfile.artifactSource → Cache", cluster: write.cluster)
            }
            if let registry = s.registryID, !registry.isEmpty,
                registry.lowercased() != previous.registryID?.lowercased(), let round = playbook.round(2)
            {
                // The latest change is the one a node must have bootstrapped after.
                found[2] = Milestone(
                    round: round, time: write.succeededAt, startedAt: write.startedAt, source: .detected,
                    evidence: evidence + ": bootstrapProfile.containerRegistryId → \(lastSegment(registry))",
                    cluster: write.cluster)
            }
            if let outbound = s.outboundType, ["none", "block"].contains(outbound.lowercased()),
                !["none", "block"].contains(previous.outboundType?.lowercased() ?? ""), found[3] == nil,
                let round = playbook.round(3)
            {
                found[3] = Milestone(
                    round: round, time: write.succeededAt, startedAt: write.startedAt, source: .detected,
                    evidence: evidence + ": networkProfile.outboundType → \(outbound)", cluster: write.cluster)
            }
            previous.artifactSource = s.artifactSource ?? previous.artifactSource
            previous.registryID = s.registryID ?? previous.registryID
            previous.outboundType = s.outboundType ?? previous.outboundType
        }
        return playbook.rounds.map { round in
            found[round.number]
                ?? Milestone(
                    round: round, time: nil, source: .notObserved,
                    evidence: "no succeeded managedClusters/write with a body showing this change")
        }
    }

    /// Succeeded cluster writes in time order, with the settings their bodies show.
    func clusterWrites(_ activity: [ActivityFact]) -> [ClusterWrite] {
        var groups: [String: [ActivityFact]] = [:]
        for fact in activity where fact.operation == "microsoft.containerservice/managedclusters/write" {
            groups[fact.operationKey, default: []].append(fact)
        }
        var writes: [ClusterWrite] = []
        for (key, records) in groups {
            guard let succeeded = records.filter({ $0.status == "Succeeded" }).min(by: { $0.time < $1.time }) else { continue }
            var settings = ClusterSettings()
            for record in records.sorted(by: { $0.time < $1.time }) {
                for body in [record.requestBody, record.responseBody].compactMap({ $0 }) {
                    let found = MilestoneDetector.settings(inBody: body)
                    settings.artifactSource = found.artifactSource ?? settings.artifactSource
                    settings.registryID = found.registryID ?? settings.registryID
                    settings.outboundType = found.outboundType ?? settings.outboundType
                }
            }
            writes.append(
                ClusterWrite(
                    succeededAt: succeeded.time, startedAt: records.map(\.time).min() ?? succeeded.time,
                    settings: settings, cluster: clusterName(succeeded.resourceKey), key: key))
        }
        return writes.sorted { ($0.succeededAt, $0.key) < ($1.succeededAt, $1.key) }
    }

    /// Reads the three settings from a managed-cluster body (`{"properties":{…}}` or the
    /// properties themselves).
    static func settings(inBody body: String) -> ClusterSettings {
        var json = JSONIndex()
        guard (try? json.load(body)) != nil, json.kind(JSONIndex.root) == .object else { return ClusterSettings() }
        let properties = json.child(JSONIndex.root, "properties") ?? JSONIndex.root
        let bootstrap = json.child(properties, "bootstrapProfile")
        let network = json.child(properties, "networkProfile")
        return ClusterSettings(
            artifactSource: json.nonEmpty(bootstrap.flatMap { json.child($0, "artifactSource") }),
            registryID: json.nonEmpty(bootstrap.flatMap { json.child($0, "containerRegistryId") }),
            outboundType: json.nonEmpty(network.flatMap { json.child($0, "outboundType") }))
    }

    private func clusterName(_ resourceKey: String) -> String? {
        let parts = resourceKey.split(separator: "/")
        guard let i = parts.firstIndex(of: "managedclusters"), i + 1 < parts.count else { return nil }
        return String(parts[i + 1])
    }

    private func lastSegment(_ id: String) -> String {
        id.split(separator: "/").last.map(String.init) ?? id
    }
}
