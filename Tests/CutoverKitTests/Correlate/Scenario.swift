@testable import CutoverKit

/// Builds correlation scenarios in Swift: a cluster, its milestones, node events and failures.
struct Scenario {
    var activity: [ActivityFact] = []
    var events: [EventFact] = []
    /// What each input file covered; nil: unknown, as for a database from before schema 2.
    var sources: [SourceSpan]?
    var nextID: Int64 = 1

    static func t(_ hhmm: String) -> Timestamp {
        // swiftlint-free: every scenario happens on 2026-11-03.
        (try? Timestamp.parse("2026-11-03T\(hhmm):00Z")) ?? Timestamp(millis: 0)
    }

    mutating func id() -> Int64 {
        defer { nextID += 1 }
        return nextID
    }

    /// A managed-cluster write that started at `started` and succeeded at `succeeded`, with a body.
    mutating func clusterWrite(started: String, succeeded: String, body: String?, status: String = "Succeeded") {
        let op = "op-\(nextID)"
        let resource = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1"
        activity.append(
            ActivityFact(
                recordID: id(), operation: "Microsoft.ContainerService/managedClusters/write",
                status: "Started", time: Self.t(started), resourceKey: resource, operationKey: op,
                requestBody: body))
        activity.append(
            ActivityFact(
                recordID: id(), operation: "MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/WRITE",
                status: status, time: Self.t(succeeded), resourceKey: resource.uppercased(), operationKey: op))
    }

    /// A network write (`routeTables/routes/write`…) under the cluster's resource group.
    mutating func networkWrite(
        _ operation: String, resource: String, started: String, succeeded: String, body: String?, status: String = "Succeeded"
    ) {
        let op = "net-\(nextID)"
        let id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/\(resource)"
        activity.append(
            ActivityFact(
                recordID: self.id(), operation: "Microsoft.Network/\(operation)", status: "Started", time: Self.t(started),
                resourceKey: id, operationKey: op, requestBody: body))
        activity.append(
            ActivityFact(
                recordID: self.id(), operation: "Microsoft.Network/\(operation)", status: status, time: Self.t(succeeded),
                resourceKey: id, operationKey: op))
    }

    static func body(cache: Bool = true, registry: String? = nil, outbound: String = "loadBalancer") -> String {
        let reg =
            registry.map {
                #","containerRegistryId":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/\#($0)""#
            } ?? ""
        return
            #"{"properties":{"bootstrapProfile":{"artifactSource":"\#(cache ? "Cache" : "Direct")"\#(reg)},"networkProfile":{"outboundType":"\#(outbound)"}}}"#
    }

    /// The three milestones at 09:03, 10:33 and 12:03.
    mutating func threeRounds() {
        clusterWrite(started: "09:00", succeeded: "09:03", body: Self.body())
        clusterWrite(started: "10:30", succeeded: "10:33", body: Self.body(registry: "acr1"))
        clusterWrite(started: "12:00", succeeded: "12:03", body: Self.body(registry: "acr1", outbound: "none"))
    }

    mutating func nodeEvent(_ node: String, _ reason: String, _ message: String = "", component: String, at: String) {
        events.append(
            EventFact(
                eventID: id(), objectKind: "Node", objectName: node, reason: reason, message: message,
                sourceComponent: component, sourceHost: component == "kubelet" ? node : nil, firstSeen: Self.t(at)))
    }

    mutating func upgraderReimage(_ node: String, at: String) {
        nodeEvent(node, "Upgrade", "Successfully reimaged node: \(node)", component: "upgrader", at: at)
    }

    mutating func armInstance(_ operation: String, vmss: String, instance: Int, at: String) {
        activity.append(
            ActivityFact(
                recordID: id(), operation: "Microsoft.Compute/virtualMachineScaleSets/virtualmachines/\(operation)/action",
                status: "Succeeded", time: Self.t(at),
                resourceKey:
                    "/SUBSCRIPTIONS/S/RESOURCEGROUPS/MC_RG/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINESCALESETS/\(vmss.uppercased())/VIRTUALMACHINES/\(instance)",
                operationKey: "arm-\(nextID)"))
    }

    /// `az aks nodepool upgrade --node-image-only` of `pool`: Started, then `status`.
    mutating func poolUpgrade(_ pool: String, started: String, ended: String, status: String) {
        let resource = "/subscriptions/s/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/aks1/agentpools/\(pool)"
        let op = "Microsoft.ContainerService/managedClusters/agentPools/upgradeNodeImageVersion/action"
        let key = "pool-\(nextID)"
        activity.append(
            ActivityFact(recordID: id(), operation: op, status: "Started", time: Self.t(started), resourceKey: resource, operationKey: key))
        activity.append(
            ActivityFact(recordID: id(), operation: op, status: status, time: Self.t(ended), resourceKey: resource, operationKey: key))
    }

    /// A pod seen on `node` (makes the node appear) at `at`.
    mutating func seen(_ node: String, at: String) {
        events.append(
            EventFact(
                eventID: id(), objectKind: "Pod", objectNamespace: "shop", objectName: "web-\(nextID)",
                reason: "Scheduled", message: "Successfully assigned shop/web-\(nextID) to \(node)",
                sourceComponent: "default-scheduler", firstSeen: Self.t(at)))
    }

    @discardableResult
    mutating func pullFailure(
        _ node: String?, at: String,
        message: String =
            "Failed to pull image \"mcr.microsoft.com/oss/kubernetes/kube-proxy:v1.30.6\": dial tcp 20.61.99.1:443: i/o timeout",
        namespace: String = "kube-system", pod: String = "kube-proxy-abcde"
    ) -> Int64 {
        let eventID = id()
        events.append(
            EventFact(
                eventID: eventID, uid: "uid-\(eventID)", objectKind: "Pod", objectNamespace: namespace,
                objectName: pod, reason: "Failed", message: message, sourceComponent: "kubelet",
                sourceHost: node, firstSeen: Self.t(at), count: 4))
        return eventID
    }

    func correlate(given: [Int: Timestamp] = [:], playbook: Playbook = .threeRounds) -> Correlator.Result {
        var firstSeen: [String: Timestamp] = [:]
        for e in events {
            if let host = e.sourceHost { firstSeen[host] = min(firstSeen[host] ?? e.firstSeen, e.firstSeen) }
            if e.objectKind == "Node", let n = e.objectName { firstSeen[n] = min(firstSeen[n] ?? e.firstSeen, e.firstSeen) }
        }
        return Correlator(playbook: playbook, given: given)
            .correlate(CorrelationFacts(activity: activity, events: events, nodeFirstSeen: firstSeen, sources: sources))
    }

    func attribution(_ eventID: Int64, given: [Int: Timestamp] = [:]) -> Attribution? {
        correlate(given: given).attributions.first { $0.failure.eventID == eventID }
    }
}
