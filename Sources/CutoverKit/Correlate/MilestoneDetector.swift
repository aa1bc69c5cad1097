/// Finds each round's milestone in the activity log.
///
/// In: activity facts. Out: one `Milestone` per round of the playbook.
/// A cluster change is `Microsoft.ContainerService/managedClusters/write`; its records
/// (Started/Accepted/Succeeded/Failed) are paired by operationId, else correlationId. Only an
/// operation that reached Succeeded counts, at its Succeeded time. The request or response
/// body decides which setting it changed – each round's `Marker` names the field
/// (`properties.bootstrapProfile.artifactSource`, `…containerRegistryId`,
/// `properties.networkProfile.outboundType`). Since `az aks update` sends the whole cluster
/// each time, a round is the write where the value *changes*, not every write that carries it.
/// Writes without a body decide nothing here.
public struct MilestoneDetector {
    public var playbook: Playbook

    public init(playbook: Playbook) { self.playbook = playbook }

    struct ClusterWrite {
        var succeededAt: Timestamp
        var startedAt: Timestamp
        /// Round number → the marker field's value in this write's bodies.
        var values: [Int: String]
        var cluster: String?
        var key: String
        /// `managedClusters/write`, or the network operation for a body-less network write.
        var operation = "managedClusters/write"
        var network = false
    }

    public func detect(_ activity: [ActivityFact]) -> [Milestone] {
        var found: [Int: Milestone] = [:]
        var previous: [Int: String] = [:]
        for write in clusterWrites(activity) {
            for round in playbook.rounds {
                guard let value = write.values[round.number], !value.isEmpty else { continue }
                let before = previous[round.number]
                previous[round.number] = value
                let marker = round.marker
                let matches = marker.values.isEmpty || marker.values.contains(value.lowercased())
                let changed =
                    before.map { old in
                        marker.values.isEmpty
                            ? old.lowercased() != value.lowercased() : !marker.values.contains(old.lowercased())
                    } ?? true
                guard matches, changed, found[round.number] == nil || marker.latest else { continue }
                let shown = value.split(separator: "/").last.map(String.init) ?? value
                found[round.number] = Milestone(
                    round: round, time: write.succeededAt, startedAt: write.startedAt, source: .detected,
                    evidence: "managedClusters/write \(write.key) succeeded at \(write.succeededAt.minuteText): "
                        + "\(marker.path.joined(separator: ".")) → \(shown)",
                    cluster: write.cluster)
            }
        }
        // A round that egress cut outside AKS also marks: the first cut after the rounds before
        // it, when it comes before (or instead of) the cluster write – egress is gone from then on.
        let cuts = EgressCut.find(activity)
        for round in playbook.rounds where round.marker.egressCut {
            let after = found.filter { $0.key < round.number }.compactMap(\.value.time).max()
            guard let cut = cuts.first(where: { c in after.map { c.time > $0 } ?? true }) else { continue }
            if let write = found[round.number]?.time, write <= cut.time { continue }
            found[round.number] = Milestone(
                round: round, time: cut.time, startedAt: cut.startedAt, source: .detected,
                evidence: "egress cut outside AKS: \(cut.what); \(cut.summary) succeeded at \(cut.time.minuteText)")
        }
        return playbook.rounds.map { round in
            found[round.number]
                ?? Milestone(
                    round: round, time: nil, source: .notObserved,
                    evidence: round.marker.egressCut
                        ? "no succeeded managedClusters/write or network write with a body showing this change"
                        : "no succeeded managedClusters/write with a body showing this change")
        }
    }

    /// A gap without reimages this long separates two reimage waves.
    static let waveGap: Double = 15 * 60

    /// Fills the rounds no body showed from the order of events (docs/DOMAIN.md §9): operators
    /// reimage right after each change, so the last cluster write without a telling body
    /// before each reimage wave is taken as the milestone that wave answered, in round order.
    /// A round that egress cut can mark may also take a body-less network write (route table,
    /// NSG, subnet), when it is the later of the two. `reimages` are the times of reimage
    /// actions and per-node reimage evidence.
    public func inferMissing(_ milestones: [Milestone], activity: [ActivityFact], reimages: [Timestamp]) -> [Milestone] {
        let missing = milestones.filter { $0.source == .notObserved }
        guard !missing.isEmpty else { return milestones }
        let known = Set(milestones.compactMap { $0.source == .detected ? $0.time : nil })
        let writes = clusterWrites(activity).filter { $0.values.isEmpty && !known.contains($0.succeededAt) }
        let network = bodylessNetworkWrites(activity).filter { !known.contains($0.succeededAt) }
        var waves: [Timestamp] = []
        for t in reimages.sorted() where waves.isEmpty || t.millis - (waves.last ?? t).millis > Int64(Self.waveGap * 1000) {
            waves.append(t)
        }
        // Each wave with the last write of either kind before it (and after the wave before).
        var picked: [(cluster: ClusterWrite?, network: ClusterWrite?, wave: Timestamp)] = []
        var previousWave: Timestamp?
        for wave in waves {
            func last(_ candidates: [ClusterWrite]) -> ClusterWrite? {
                candidates.last { w in w.succeededAt <= wave && (previousWave.map { w.succeededAt > $0 } ?? true) }
            }
            let pick = (cluster: last(writes), network: last(network), wave: wave)
            if pick.cluster != nil || pick.network != nil { picked.append(pick) }
            previousWave = wave
        }
        // Detected milestones keep their place: an inferred one must fit between its neighbours.
        var result = milestones
        var next = 0
        for (index, milestone) in milestones.enumerated() where milestone.source == .notObserved {
            let after = milestones[..<index].compactMap(\.time).max()
            let before = milestones[(index + 1)...].compactMap(\.time).min()
            func candidate(_ i: Int) -> ClusterWrite? {
                let p = picked[i]
                guard milestone.round.marker.egressCut, let n = p.network else { return p.cluster }
                return p.cluster.map { $0.succeededAt > n.succeededAt ? $0 : n } ?? n
            }
            while next < picked.count, candidate(next).map({ w in after.map { w.succeededAt <= $0 } ?? false }) ?? true {
                next += 1
            }
            guard next < picked.count, let write = candidate(next) else { break }
            let wave = picked[next].wave
            if let b = before, write.succeededAt >= b { continue }
            next += 1
            result[index] = Milestone(
                round: milestone.round, time: write.succeededAt, startedAt: write.startedAt, source: .inferred,
                evidence: "inferred: \(write.operation) \(write.key) succeeded at \(write.succeededAt.minuteText), "
                    + "the last \(write.network ? "network" : "cluster") write before the reimage wave that began at "
                    + "\(wave.minuteText); no body showed the change – confirm with --milestone \(milestone.round.number)=TIME",
                cluster: write.cluster)
        }
        return result
    }

    /// Succeeded network writes that could cut egress and carry no body at all.
    func bodylessNetworkWrites(_ activity: [ActivityFact]) -> [ClusterWrite] {
        var groups: [String: [ActivityFact]] = [:]
        for fact in activity where EgressCut.operations.contains(fact.operation) { groups[fact.operationKey, default: []].append(fact) }
        return groups.compactMap { key, records -> ClusterWrite? in
            guard records.allSatisfy({ $0.requestBody == nil && $0.responseBody == nil }),
                let succeeded = records.filter({ $0.status == "Succeeded" }).min(by: { $0.time < $1.time })
            else { return nil }
            let name = succeeded.operation.split(separator: "/").dropFirst().joined(separator: "/")
            return ClusterWrite(
                succeededAt: succeeded.time, startedAt: records.map(\.time).min() ?? succeeded.time, values: [:], cluster: nil,
                key: key, operation: name, network: true)
        }.sorted { ($0.succeededAt, $0.key) < ($1.succeededAt, $1.key) }
    }

    /// Succeeded cluster writes in time order, with the marker values their bodies show.
    func clusterWrites(_ activity: [ActivityFact]) -> [ClusterWrite] {
        var groups: [String: [ActivityFact]] = [:]
        for fact in activity where fact.operation == "microsoft.containerservice/managedclusters/write" {
            groups[fact.operationKey, default: []].append(fact)
        }
        var writes: [ClusterWrite] = []
        for (key, records) in groups {
            guard let succeeded = records.filter({ $0.status == "Succeeded" }).min(by: { $0.time < $1.time }) else { continue }
            var values: [Int: String] = [:]
            for record in records.sorted(by: { $0.time < $1.time }) {
                for body in [record.requestBody, record.responseBody].compactMap({ $0 }) {
                    for (round, value) in markerValues(inBody: body) { values[round] = value }
                }
            }
            writes.append(
                ClusterWrite(
                    succeededAt: succeeded.time, startedAt: records.map(\.time).min() ?? succeeded.time,
                    values: values, cluster: clusterName(succeeded.resourceKey), key: key))
        }
        return writes.sorted { ($0.succeededAt, $0.key) < ($1.succeededAt, $1.key) }
    }

    /// Each round's marker value in a managed-cluster body (`{"properties":{…}}` or the
    /// properties themselves).
    func markerValues(inBody body: String) -> [Int: String] {
        var json = JSONIndex()
        guard (try? json.load(body)) != nil, json.kind(JSONIndex.root) == .object else { return [:] }
        let properties = json.child(JSONIndex.root, "properties") ?? JSONIndex.root
        var values: [Int: String] = [:]
        for round in playbook.rounds {
            var node: Int? = properties
            for key in round.marker.path { node = node.flatMap { json.child($0, named: key) } }
            if let value = json.nonEmpty(node) { values[round.number] = value }
        }
        return values
    }

    private func clusterName(_ resourceKey: String) -> String? {
        let parts = resourceKey.split(separator: "/")
        guard let i = parts.firstIndex(of: "managedclusters"), i + 1 < parts.count else { return nil }
        return String(parts[i + 1])
    }
}
