/// Simulates a network-isolation cutover in reality first, then records the events and
/// activity-log records that reality leaves behind, and the true cause of every failure.
///
/// In: a `SimulationSpec`. Out: an `Incident`. The truth is computed from the simulated
/// reimages and milestones, never by reading the records back. Timeline (UTC, 2026-11-03):
/// 08:00 deployments; 08:35 a bad tag (before the cutover); 09:00 round 1 (Cache) then a
/// node-image upgrade of every pool, the last pool failing part-way; 10:00 registry wiring;
/// 10:30 round 2 (registry id) then manual instance reimages that forget some nodes (one
/// node is reimaged by auto-repair instead, one skipped node is never touched again);
/// 11:15 intermittent pulls from the old registry; 12:00 round 3 (outbound none, or egress cut
/// by the network: `SimulationSpec.egress`) then a surge
/// upgrade of the second pool, one scale-set reimage (`instanceIds` body) of the first pool
/// and manual reimages of the others; 12:50 a restart that is not a reimage; 13:05 a
/// scale-out that reuses the surge node's instance id; 13:00–14:00 failures on every node
/// that missed a round, plus unrelated failures (bad tag, rate limit) on converged nodes.
public final class IncidentSimulator {
    let spec: SimulationSpec
    var rng: SeededGenerator
    var nodes: [Incident.SimNode] = []
    var events: [Incident.Event] = []
    var activity: [Incident.Activity] = []
    var failures: [Incident.FailureTruth] = []
    var milestones: [Incident.MilestoneTruth] = []
    var nodeUIDs: [String: String] = [:]
    /// The wiring step held back until after round 2's reimages (`SimulationSpec.lateWiring`).
    var lateLink: (String, String)?

    var cluster: String { spec.cluster.name }
    var subscription: String { spec.cluster.subscription }
    var resourceGroup: String { spec.cluster.resourceGroup }
    var nodeResourceGroup: String { spec.cluster.nodeResourceGroup }
    var start: Timestamp { spec.cluster.start }
    /// Registry names: letters and digits of the cluster's name after `aks-` (`acrprodweu`).
    var newRegistry: String { "acr" + cluster.replacingOccurrences(of: "aks-", with: "").filter { $0.isLetter || $0.isNumber } }
    var oldRegistry: String { newRegistry + "old" }

    public init(spec: SimulationSpec) {
        self.spec = spec
        self.rng = SeededGenerator(seed: spec.seed)
    }

    func at(_ hhmm: String) -> Timestamp {
        let parts = hhmm.split(separator: ":").compactMap { Int($0) }
        let seconds = (parts[0] - 8) * 3600 + parts[1] * 60 + (parts.count > 2 ? parts[2] : 0)
        return start.adding(seconds: Double(seconds))
    }

    public func simulate() -> Incident {
        makeNodes()
        if spec.egress == .natGateway { attachNatGateway(at: at("08:05")) }
        deployments(at: at("08:00"))
        let badTagNode = nodes[rng.int(0...(nodes.count - 1))].name
        failurePods(node: badTagNode, at: at("08:35"), kind: .badTag)

        // Round 1: Cache, then `az aks upgrade --node-image-only` on every pool.
        milestone(1, at: at("09:00"), body: clusterBody(cache: true, registry: nil, outbound: "loadBalancer"))
        for (i, pool) in spec.pools.enumerated() {
            let leaveOut = i == spec.pools.count - 1 ? spec.failedUpgradeLeavesOut : 0
            nodeImageUpgrade(pool: pool.name, at: at("09:10").adding(seconds: Double(i * 4)), leaveOut: leaveOut, surge: false, round: 1)
        }

        // One node the failed upgrade skipped is never noticed again: it misses every round.
        let neglected = nodes.indices.first { nodes[$0].mechanisms.contains { $0.contains("not reached") } }

        // Round 2: wiring, then the registry id, then manual reimages.
        wiring(at: at("10:00"))
        milestone(2, at: at("10:30"), body: clusterBody(cache: true, registry: newRegistry, outbound: "loadBalancer"))
        let autoRepaired = nodes.indices.filter { nodes[$0].removedAt == nil }.randomElement(using: &rng)
        for (k, i) in nodes.indices.filter({ nodes[$0].removedAt == nil }).enumerated() {
            let t = at("10:40").adding(seconds: Double(k * 2400 / max(nodes.count, 24)))
            if i == autoRepaired && i != neglected {
                autoRepair(i, at: t, round: 2)
            } else if rng.chance(spec.missRates[2] ?? 0) || i == neglected {
                nodes[i].mechanisms.append("round 2: forgotten")
            } else {
                manualReimage(i, at: t, round: 2)
            }
        }
        finishLateWiring()
        intermittentOldRegistryPulls(from: at("11:15"))

        // Round 3: egress removed (outbound none, or outside AKS); then, unless the playbook says this round needs no reimage
        // (then nobody reimages), the round-3 reimages.
        cutEgress(at: at("12:00"))
        if spec.playbook.round(3)?.requiresReimage ?? true { roundThreeReimages(neglected: neglected) }
        if let stale = nodes.indices.first(where: { !missed(nodes[$0], at: at("12:50")).isEmpty && nodes[$0].removedAt == nil }) {
            restart(stale, at: at("12:50"))
        }
        return afterTheCutover()
    }

    /// Round 3's reimages: a surge node-image upgrade of the second pool, one scale-set
    /// reimage (`instanceIds` body) of the first, manual instance reimages of the rest,
    /// forgetting some.
    func roundThreeReimages(neglected: Int?) {
        let surgePool = spec.pools[min(1, spec.pools.count - 1)].name
        nodeImageUpgrade(pool: surgePool, at: at("12:10"), leaveOut: 0, surge: true, round: 3)
        let firstPool = spec.pools[0].name
        var listed: [Int] = []
        for (k, i) in nodes.indices.filter({ nodes[$0].pool != surgePool && nodes[$0].removedAt == nil }).enumerated() {
            let t = at("12:10").adding(seconds: Double(k * 2400 / max(nodes.count, 24)))
            if rng.chance(spec.missRates[3] ?? 0) || i == neglected {
                nodes[i].mechanisms.append("round 3: forgotten")
            } else if nodes[i].pool == firstPool && firstPool != surgePool {
                listed.append(i)
            } else {
                manualReimage(i, at: t, round: 3)
            }
        }
        scaleSetReimage(listed, at: at("12:12"), round: 3)
    }

    /// 13:05 a scale-out reusing the surge node's id; 13:00–14:00 the failures.
    func afterTheCutover() -> Incident {
        if let surge = nodes.indices.first(where: { nodes[$0].removedAt != nil }) {
            scaleOut(reusing: surge, at: at("13:05"))
        }

        // After the cutover: failures where a round is missing, and unrelated ones elsewhere.
        let live = nodes.indices.filter { nodes[$0].removedAt == nil && nodes[$0].createdAt.map { $0 <= at("13:00") } ?? true }
        for (k, i) in live.enumerated() where !missed(nodes[i], at: at("13:00")).isEmpty {
            let t = at("13:00").adding(seconds: Double(k * 1800 / max(live.count, 1)))
            for pod in 0..<spec.failingPods {
                failurePods(node: nodes[i].name, at: t.adding(seconds: Double(pod * 13)), kind: .missedRound)
            }
        }
        let converged = live.filter { missed(nodes[$0], at: at("13:20")).isEmpty }
        let every = max(1, Int((1 / max(spec.noise, 0.001)).rounded()))
        for (k, i) in converged.enumerated() where k % every == 0 {
            let t = at("13:20").adding(seconds: Double(k * 1200 / max(converged.count, 1)))
            failurePods(node: nodes[i].name, at: t, kind: (k / every) % 2 == 0 ? .badTag : .rateLimit)
        }

        return Incident(
            seed: spec.seed, playbook: spec.playbook.name, cluster: cluster, subscription: subscription, resourceGroup: resourceGroup,
            nodeResourceGroup: nodeResourceGroup, start: start, end: at("14:30"), milestones: milestones,
            nodes: nodes, events: events.sorted { ($0.firstSeen, $0.uid) < ($1.firstSeen, $1.uid) },
            activity: activity.sorted { ($0.time, $0.eventDataId) < ($1.time, $1.eventDataId) }, failures: failures)
    }

    /// The rounds needing a reimage that node `n` had missed at `t`, in reality.
    func missed(_ n: Incident.SimNode, at t: Timestamp) -> [Int] {
        let boot = n.lastBootstrap(atOrBefore: t)
        return milestones.filter { m in
            m.succeededAt <= t && (boot.map { m.succeededAt > $0 } ?? true)
                && (spec.playbook.round(m.round)?.requiresReimage ?? true)
        }.map(\.round)
    }

    private func makeNodes() {
        for pool in spec.pools {
            let digits = String(10_000_000 + Int(rng.next() % 89_999_999))
            let vmss = "aks-\(pool.name)-\(digits)-vmss"
            for id in 0..<pool.nodes {
                let name = NodeName.name(vmss: vmss, instanceID: id)
                nodes.append(Incident.SimNode(name: name, pool: pool.name, vmss: vmss, instanceID: id))
                nodeUIDs[name] = rng.uuid()
            }
        }
    }
}
