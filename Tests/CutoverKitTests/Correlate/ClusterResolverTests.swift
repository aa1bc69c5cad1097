import Testing

@testable import CutoverKit

/// Builds a database's worth of facts from several clusters, the way a subscription-wide
/// activity log and fleet event exports mix them.
private struct Fleet {
    var activity: [ActivityFact] = []
    var events: [EventFact] = []
    var sightings: [NodeSightingFact] = []
    var next: Int64 = 1

    mutating func id() -> Int64 {
        defer { next += 1 }
        return next
    }

    static func clusterID(_ name: String, rg: String, sub: String = "sub1") -> String {
        "/subscriptions/\(sub)/resourceGroups/\(rg)/providers/Microsoft.ContainerService/managedClusters/\(name)"
    }

    /// A succeeded write of `resource` at `at`, with an optional body.
    mutating func write(_ operation: String, _ resource: String, at: String, body: String? = nil, source: Int64 = 1) {
        let key = "op-\(next)"
        for status in ["Started", "Succeeded"] {
            activity.append(
                ActivityFact(
                    recordID: id(), operation: operation, status: status, time: Scenario.t(at), resourceKey: resource,
                    operationKey: key, requestBody: status == "Started" ? body : nil, sourceID: source, resourceID: resource))
        }
    }

    /// Rounds 1-3 of cluster `name` at the given times (bodies show each change).
    mutating func convert(_ name: String, rg: String, sub: String = "sub1", at times: [String], nodeResourceGroup: String? = nil) {
        let id = Self.clusterID(name, rg: rg, sub: sub)
        let node = nodeResourceGroup.map { #","nodeResourceGroup":"\#($0)""# } ?? ""
        let registry = "/subscriptions/\(sub)/resourceGroups/\(rg)/providers/Microsoft.ContainerRegistry/registries/acr\(name)"
        let bodies = [
            #"{"properties":{"bootstrapProfile":{"artifactSource":"Cache"},"networkProfile":{"outboundType":"loadBalancer"}\#(node)}}"#,
            #"{"properties":{"bootstrapProfile":{"artifactSource":"Cache","containerRegistryId":"\#(registry)"},"networkProfile":{"outboundType":"loadBalancer"}\#(node)}}"#,
            #"{"properties":{"bootstrapProfile":{"artifactSource":"Cache","containerRegistryId":"\#(registry)"},"networkProfile":{"outboundType":"none"}\#(node)}}"#,
        ]
        for (t, body) in zip(times, bodies) { write("microsoft.containerservice/managedclusters/write", id, at: t, body: body) }
    }

    mutating func reimage(vmss: String, instance: Int, group: String, sub: String = "sub1", at: String) {
        write(
            "microsoft.compute/virtualmachinescalesets/virtualmachines/reimage/action",
            "/subscriptions/\(sub)/resourceGroups/\(group)/providers/Microsoft.Compute/virtualMachineScaleSets/\(vmss)/virtualMachines/\(instance)",
            at: at)
    }

    @discardableResult
    mutating func failure(on node: String, at: String, cluster: String? = nil, source: Int64 = 2) -> Int64 {
        let eventID = id()
        events.append(
            EventFact(
                eventID: eventID, uid: "uid-\(eventID)", cluster: cluster, objectKind: "Pod", objectNamespace: "kube-system",
                objectName: "kube-proxy-\(eventID)", reason: "Failed",
                message:
                    "Failed to pull image \"mcr.microsoft.com/oss/kubernetes/kube-proxy:v1.30.6\": dial tcp 20.61.99.1:443: i/o timeout",
                sourceComponent: "kubelet", sourceHost: node, firstSeen: Scenario.t(at), sourceID: source))
        sightings.append(NodeSightingFact(cluster: cluster ?? "", node: node, first: Scenario.t("08:00")))
        return eventID
    }

    var facts: FleetFacts { FleetFacts(activity: activity, events: events, sightings: sightings) }

    func correlate(given: [Int: Timestamp] = [:], cluster: String? = nil) throws -> FleetCorrelator.Result {
        try FleetCorrelator(given: given, givenCluster: cluster).correlate(facts)
    }
}

@Suite("Clusters: every record finds its cluster, and each cluster is correlated on its own")
struct ClusterResolverTests {
    /// Staging and prod in one subscription, converted the same day at different times.
    private static func twoClusters() -> Fleet {
        var f = Fleet()
        f.convert("aks-staging", rg: "rg-staging", at: ["09:00", "10:00", "11:00"])
        f.convert("aks-prod", rg: "rg-prod", at: ["12:00", "13:00", "14:00"])
        return f
    }

    @Test func recordsUnderAManagedClusterAndInItsNodeResourceGroupAreItsOwn() {
        var f = Self.twoClusters()
        f.reimage(vmss: "aks-apps-11111111-vmss", instance: 0, group: "MC_rg-prod_aks-prod_westeurope", at: "12:30")
        f.reimage(vmss: "aks-apps-22222222-vmss", instance: 0, group: "MC_RG-STAGING_AKS-STAGING_WESTEUROPE", at: "09:30")
        f.write(
            "microsoft.storage/storageaccounts/write",
            "/subscriptions/sub1/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/logs", at: "09:00")
        let a = ClusterResolver().resolve(f.facts)
        #expect(a.clusters.map(\.label) == ["aks-prod", "aks-staging"])
        #expect(a.facts["aks-prod"]?.activity.count == 8)
        #expect(a.facts["aks-staging"]?.activity.count == 8)
        #expect(a.unassignedActivity == 2, "the storage account belongs to no cluster")
        #expect(a.clusters.first { $0.label == "aks-prod" }?.nodeResourceGroup == "mc_rg-prod_aks-prod_westeurope")
    }

    @Test func aCustomNodeResourceGroupIsLearntFromTheClustersBody() {
        var f = Fleet()
        f.convert("aks-staging", rg: "rg-staging", at: ["09:00", "10:00", "11:00"], nodeResourceGroup: "nodes-staging")
        f.convert("aks-prod", rg: "rg-prod", at: ["12:00", "13:00", "14:00"], nodeResourceGroup: "Nodes-Prod")
        f.reimage(vmss: "aks-apps-11111111-vmss", instance: 0, group: "NODES-PROD", at: "12:30")
        let a = ClusterResolver().resolve(f.facts)
        #expect(a.facts["aks-prod"]?.activity.count == 8)
        #expect(a.unassignedActivity == 0)
    }

    @Test func eventsFindTheirClusterByNameOrResourceIDWithoutRegardToCase() throws {
        var f = Self.twoClusters()
        f.failure(on: "aks-apps-11111111-vmss000000", at: "14:30", cluster: "AKS-PROD")
        f.failure(on: "aks-apps-22222222-vmss000000", at: "11:30", cluster: Fleet.clusterID("aks-staging", rg: "rg-staging").uppercased())
        let r = try f.correlate()
        #expect(r.unassigned.isEmpty)
        let prod = try #require(r.clusters.first { $0.cluster.label == "aks-prod" })
        #expect(prod.result.attributions.map(\.failure.node) == ["aks-apps-11111111-vmss000000"])
        #expect(prod.result.attributions.first?.missedRound == 1)
        let staging = try #require(r.clusters.first { $0.cluster.label == "aks-staging" })
        #expect(staging.result.attributions.map(\.failure.node) == ["aks-apps-22222222-vmss000000"])
    }

    /// The defect of the issue: a sibling's conversion must not move this cluster's milestones.
    @Test func aSiblingsConversionDoesNotMoveThisClustersMilestones() throws {
        var f = Self.twoClusters()
        f.failure(on: "aks-apps-11111111-vmss000000", at: "12:30", cluster: "aks-prod")
        let r = try f.correlate()
        let prod = try #require(r.clusters.first { $0.cluster.label == "aks-prod" })
        #expect(prod.result.milestones.map { $0.time } == [Scenario.t("12:00"), Scenario.t("13:00"), Scenario.t("14:00")])
        // At 12:30 only prod's round 1 is active; staging's rounds (09:00-11:00) count for nothing.
        #expect(prod.result.attributions.first?.missedRounds == [1])
    }

    @Test func anUnlabelledEventFindsItsClusterThroughItsScaleSet() throws {
        var f = Self.twoClusters()
        f.reimage(vmss: "aks-apps-11111111-vmss", instance: 3, group: "MC_rg-prod_aks-prod_westeurope", at: "12:30")
        let placed = f.failure(on: "aks-apps-11111111-vmss000000", at: "14:30")
        let r = try f.correlate()
        let prod = try #require(r.clusters.first { $0.cluster.label == "aks-prod" })
        #expect(prod.result.attributions.map(\.failure.eventID) == [placed])
    }

    /// A `kubectl get events` dump comes from one API server: once some of its events are
    /// placed in one cluster, the rest of the file follows; a file that ties to nothing is
    /// left without a cluster and said so.
    @Test func theRestOfAFileFollowsItsPlacedEventsAndAnUnplaceableFileIsNoCluster() throws {
        var f = Self.twoClusters()
        f.reimage(vmss: "aks-apps-11111111-vmss", instance: 3, group: "MC_rg-prod_aks-prod_westeurope", at: "12:30")
        f.failure(on: "aks-apps-11111111-vmss000000", at: "14:30", source: 5)
        let follower = f.failure(on: "aks-batch-33333333-vmss000001", at: "14:31", source: 5)
        let orphan = f.failure(on: "aks-batch-44444444-vmss000001", at: "14:32", source: 6)
        let r = try f.correlate()
        let prod = try #require(r.clusters.first { $0.cluster.label == "aks-prod" })
        #expect(prod.result.attributions.contains { $0.failure.eventID == follower })
        #expect(r.unassigned.map(\.failure.eventID) == [orphan])
        #expect(r.unassigned.first?.verdict == .noCluster)
        #expect(r.unassigned.first?.explanation.contains("--cluster NAME") == true)
        let coverage = try #require(prod.result.coverage.sources.first { $0.name == "Every event's cluster known" })
        #expect(!coverage.present)
        #expect(coverage.ifMissing.hasPrefix("1 event(s) (1 of them failures)"), "\(coverage.ifMissing)")
    }

    @Test func clustersOfTheSameNameInTwoSubscriptionsAreToldApart() throws {
        var f = Fleet()
        f.convert("aks-prod", rg: "rg-a", sub: "sub1", at: ["09:00", "10:00", "11:00"])
        f.convert("aks-prod", rg: "rg-b", sub: "sub2", at: ["12:00", "13:00", "14:00"])
        f.failure(on: "aks-apps-11111111-vmss000000", at: "14:30", cluster: "aks-prod")
        let r = try f.correlate()
        #expect(r.clusters.map(\.cluster.label) == ["rg-a/aks-prod", "rg-b/aks-prod"])
        #expect(r.unassigned.count == 1, "a bare name that two clusters answer to is no cluster")
        var same = Fleet()
        same.convert("aks-prod", rg: "rg", sub: "sub1", at: ["09:00", "10:00", "11:00"])
        same.convert("aks-prod", rg: "rg", sub: "sub2", at: ["12:00", "13:00", "14:00"])
        #expect(try same.correlate().clusters.map(\.cluster.label) == ["sub1/rg/aks-prod", "sub2/rg/aks-prod"])
    }

    /// With one cluster (or none) nothing changes: every record is the cluster's, including
    /// wiring in other resource groups.
    @Test func aDatabaseWithOneClusterIsOneClusterAsBefore() throws {
        var f = Fleet()
        f.convert("aks-prod", rg: "rg-prod", at: ["12:00", "13:00", "14:00"])
        f.write(
            "microsoft.network/privatednszones/write",
            "/subscriptions/sub1/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io", at: "11:00")
        f.failure(on: "aks-apps-11111111-vmss000000", at: "14:30")
        let a = ClusterResolver().resolve(f.facts)
        #expect(a.clusters.map(\.label) == ["aks-prod"])
        #expect(a.facts["aks-prod"]?.activity.count == 8)
        #expect(a.facts["aks-prod"]?.events.count == 1)
        var none = Fleet()
        none.failure(on: "aks-apps-11111111-vmss000000", at: "14:30")
        #expect(ClusterResolver().resolve(none.facts).clusters == [.unnamed])
    }

    @Test func aRegistryBothClustersLinkIsBothClusters() {
        var f = Self.twoClusters()
        let shared = "/subscriptions/sub1/resourceGroups/rg-shared/providers/Microsoft.ContainerRegistry/registries/acrshared"
        f.write(
            "microsoft.containerservice/managedclusters/write", Fleet.clusterID("aks-prod", rg: "rg-prod"), at: "15:00",
            body: #"{"properties":{"bootstrapProfile":{"containerRegistryId":"\#(shared)"}}}"#)
        f.write(
            "microsoft.containerservice/managedclusters/write", Fleet.clusterID("aks-staging", rg: "rg-staging"), at: "15:00",
            body: #"{"properties":{"bootstrapProfile":{"containerRegistryId":"\#(shared.uppercased())"}}}"#)
        f.write("microsoft.containerregistry/registries/cacherules/write", shared + "/cacheRules/aks-managed-mcr", at: "14:50")
        let a = ClusterResolver().resolve(f.facts)
        #expect(a.facts["aks-prod"]?.activity.contains { $0.operation.hasSuffix("cacherules/write") } == true)
        #expect(a.facts["aks-staging"]?.activity.contains { $0.operation.hasSuffix("cacherules/write") } == true)
        #expect(a.unassignedActivity == 0)
    }

    @Test func givenMilestonesNeedTheirClusterWhenThereAreSeveral() throws {
        let f = Self.twoClusters()
        #expect(throws: ClusterError.givenNeedsCluster(known: ["aks-prod", "aks-staging"])) {
            try f.correlate(given: [2: Scenario.t("13:30")])
        }
        #expect(throws: ClusterError.unknownCluster("aks-qa", known: ["aks-prod", "aks-staging"])) {
            try f.correlate(given: [2: Scenario.t("13:30")], cluster: "aks-qa")
        }
        let r = try f.correlate(given: [2: Scenario.t("13:30")], cluster: "AKS-PROD")
        let prod = try #require(r.clusters.first { $0.cluster.label == "aks-prod" })
        let staging = try #require(r.clusters.first { $0.cluster.label == "aks-staging" })
        #expect(prod.result.milestones[1].source == .given)
        #expect(prod.result.milestones[1].time == Scenario.t("13:30"))
        #expect(staging.result.milestones[1].source == .detected)
    }
}

/// Unknown is not "before": a failure is `pre_conversion` only when the first round is known to
/// come after it; a round without a known time that may have come before is said to be unknown.
@Suite("Failures when a milestone is not known")
struct UnknownMilestoneTests {
    @Test func withNoMilestoneKnownAFailureIsMilestoneUnknownNotPreConversion() throws {
        var s = Scenario()
        s.seen("aks-apps-1-vmss000000", at: "08:00")
        let f = s.pullFailure("aks-apps-1-vmss000000", at: "13:30")
        let a = try #require(s.attribution(f))
        #expect(a.verdict == .milestoneUnknown)
        #expect(a.confidence == .low)
        #expect(a.explanation.contains("Give the time with --milestone N=TIME"), "\(a.explanation)")
    }

    @Test func aFailureBeforeAKnownFirstRoundIsPreConversion() throws {
        var s = Scenario()
        s.clusterWrite(started: "09:00", succeeded: "09:03", body: Scenario.body())
        s.seen("aks-apps-1-vmss000000", at: "08:00")
        let f = s.pullFailure("aks-apps-1-vmss000000", at: "08:30")
        #expect(try #require(s.attribution(f)).verdict == .preConversion)
    }

    /// Round 3 has no known time. Where the activity log covers the failure and shows no cluster
    /// write that could be it, round 3 has not happened; a body-less write before the failure
    /// could be it, and then the verdict is low confidence.
    @Test func aLaterUnknownRoundLowersConfidenceOnlyWhereItMayHaveHappened() throws {
        var s = Scenario()
        s.clusterWrite(started: "09:00", succeeded: "09:03", body: Scenario.body())
        s.clusterWrite(started: "10:30", succeeded: "10:33", body: Scenario.body(registry: "acr1"))
        s.seen("aks-apps-1-vmss000000", at: "08:00")
        s.upgraderReimage("aks-apps-1-vmss000000", at: "10:50")
        let f = s.pullFailure("aks-apps-1-vmss000000", at: "13:30", message: "manifest unknown")
        s.sources = [SourceSpan(window: TimeWindow(from: Scenario.t("08:00"), to: Scenario.t("14:00")), normalEvents: true, activity: true)]
        let covered = try #require(s.attribution(f))
        #expect(covered.verdict == .converged)
        #expect(!covered.explanation.contains("not known"), "\(covered.explanation)")
        s.clusterWrite(started: "12:00", succeeded: "12:02", body: nil)
        let maybe = try #require(s.attribution(f))
        #expect(maybe.verdict == .converged)
        #expect(maybe.confidence == .low)
        #expect(maybe.explanation.contains("When round(s) 3 took effect is not known"), "\(maybe.explanation)")
    }
}
