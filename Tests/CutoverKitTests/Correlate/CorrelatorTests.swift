import Testing

@testable import CutoverKit

let nodeA = "aks-apps-12345678-vmss000004"
let nodeB = "aks-apps-12345678-vmss00000a"

@Suite("Node names map to scale-set instances (base 36)")
struct NodeNameTests {
    @Test(arguments: [
        ("aks-nodepool1-12345678-vmss00000a", "nodepool1", "aks-nodepool1-12345678-vmss", 10),
        ("aks-workflows-32391530-vmss00001y", "workflows", "aks-workflows-32391530-vmss", 70),
        ("AKS-APPS-12345678-VMSS00002D", "apps", "aks-apps-12345678-vmss", 85),
    ])
    func parses(name: String, pool: String, vmss: String, id: Int) throws {
        let parsed = try #require(NodeName(name))
        #expect(parsed.pool == pool && parsed.vmss == vmss && parsed.instanceID == id)
        #expect(NodeName.name(vmss: vmss, instanceID: id) == name.lowercased())
    }

    @Test(arguments: ["aks-nodepool1-27465827-0", "kind-control-plane", "aks-x-vmss00000a"])
    func refusesOtherNames(name: String) { #expect(NodeName(name) == nil) }

    @Test func scaleSetInstanceFromUpperCaseResourceID() throws {
        let id =
            "/SUBSCRIPTIONS/S/RESOURCEGROUPS/MC_RG/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINESCALESETS/AKS-APPS-1-VMSS/VIRTUALMACHINES/10"
        let instance = try #require(ScaleSetInstance(resourceID: id))
        #expect(instance.vmss == "aks-apps-1-vmss" && instance.instanceID == 10)
    }

    /// The segment words are matched on the bytes as `lowercased() ==` matches them, on
    /// generated segments: each word in mixed case, with a letter swapped for a character that
    /// lower-cases to it or looks like it (the Kelvin sign, dotted and dotless i, a combining
    /// accent, fullwidth letters), cut short and run long.
    @Test func segmentWordsMatchAsLowerCasingWould() {
        var rng = SeededGenerator(seed: 3)
        let odd = ["\u{212A}", "\u{130}", "\u{131}", "e\u{301}", "\u{FF52}", "I", "S", "\u{17F}", "", "x"]
        var tried = 0
        for word in ["resourcegroups", "virtualmachinescalesets"] {
            for _ in 0..<2000 {
                var chars = word.map { Bool.random(using: &rng) ? $0.uppercased() : String($0) }
                if Int.random(in: 0..<3, using: &rng) == 0 {
                    chars[Int.random(in: 0..<chars.count, using: &rng)] = odd.randomElement(using: &rng)!
                }
                let part = Substring(chars.joined())
                let id =
                    "/subscriptions/s/\(word == "resourcegroups" ? part : "resourceGroups")/mc_rg/providers/x/"
                    + "\(word == "virtualmachinescalesets" ? part : "virtualMachineScaleSets")/aks-a-1-vmss"
                #expect(
                    ScaleSetInstance.isWord(part, word == "resourcegroups" ? "resourcegroups" : "virtualmachinescalesets")
                        == (part.lowercased() == word), "\(part)")
                #expect((ScaleSetInstance.resourceGroup(of: id) != nil) == (part.lowercased() == word), "\(id)")
                tried += 1
            }
        }
        #expect(tried == 4000)
    }
}

@Suite("Milestones are the cluster writes whose body changes the setting")
struct MilestoneDetectorTests {
    @Test func eachRoundAtItsSucceededTime() {
        var s = Scenario()
        s.threeRounds()
        let m = s.correlate().milestones
        #expect(m.map(\.time) == [Scenario.t("09:03"), Scenario.t("10:33"), Scenario.t("12:03")])
        #expect(m.allSatisfy { $0.source == .detected })
        #expect(m[2].evidence.contains("outboundType → none"))
    }

    @Test func aWriteThatKeepsCacheIsNotANewRoundOne() {
        var s = Scenario()
        s.clusterWrite(started: "09:00", succeeded: "09:03", body: Scenario.body())
        s.clusterWrite(started: "09:30", succeeded: "09:33", body: Scenario.body())
        #expect(s.correlate().milestones[0].time == Scenario.t("09:03"))
    }

    @Test func failedWritesAndBodylessWritesDecideNothing() {
        var s = Scenario()
        s.clusterWrite(started: "09:00", succeeded: "09:03", body: Scenario.body(), status: "Failed")
        s.clusterWrite(started: "09:10", succeeded: "09:13", body: nil)
        let m = s.correlate().milestones
        #expect(m.allSatisfy { $0.source == .notObserved && $0.time == nil })
    }

    @Test func theLatestRegistryChangeIsRoundTwo() {
        var s = Scenario()
        s.clusterWrite(started: "09:00", succeeded: "09:03", body: Scenario.body(registry: "old"))
        s.clusterWrite(started: "10:30", succeeded: "10:33", body: Scenario.body(registry: "new"))
        let m = s.correlate().milestones
        #expect(m[0].time == Scenario.t("09:03"))
        #expect(m[1].time == Scenario.t("10:33"))
    }

    @Test func withoutBodiesEachReimageWaveNamesTheWriteBeforeIt() {
        var s = Scenario()
        s.clusterWrite(started: "09:00", succeeded: "09:03", body: nil)
        s.clusterWrite(started: "09:30", succeeded: "09:33", body: nil)  // a write no wave answers (a tag change, say)
        s.clusterWrite(started: "10:30", succeeded: "10:33", body: nil)
        s.clusterWrite(started: "12:00", succeeded: "12:03", body: nil)
        for (at, node) in [("09:10", 1), ("09:20", 2), ("10:40", 1), ("12:10", 1)] {
            s.armInstance("reimage", vmss: "aks-apps-12345678-vmss", instance: node, at: at)
        }
        // armInstance writes Succeeded records; the waves come from per-node evidence then.
        let m = s.correlate().milestones
        #expect(m.map(\.source) == [.inferred, .inferred, .inferred])
        #expect(m.map(\.time) == [Scenario.t("09:03"), Scenario.t("10:33"), Scenario.t("12:03")])
        #expect(m[1].evidence.contains("the reimage wave that began at 2026-11-03 10:40"))
    }

    @Test func anInferredMilestoneNeverOvertakesADetectedOne() {
        var s = Scenario()
        s.clusterWrite(started: "09:00", succeeded: "09:03", body: Scenario.body())
        s.clusterWrite(started: "08:00", succeeded: "08:03", body: nil)
        s.armInstance("reimage", vmss: "aks-apps-12345678-vmss", instance: 1, at: "08:10")
        let m = s.correlate().milestones
        #expect(m[0].source == .detected && m[0].time == Scenario.t("09:03"))
        #expect(m[1].source == .notObserved)  // the 08:03 write comes before round 1: it cannot be round 2
    }

    /// Two rounds by body, then egress cut with the network at 12:01.
    static func twoRoundsThenCut(_ operation: String, _ resource: String, _ body: String?, status: String = "Succeeded") -> Scenario {
        var s = Scenario()
        s.clusterWrite(started: "09:00", succeeded: "09:03", body: Scenario.body())
        s.clusterWrite(started: "10:30", succeeded: "10:33", body: Scenario.body(registry: "acr1"))
        s.networkWrite(operation, resource: resource, started: "12:00", succeeded: "12:01", body: body, status: status)
        return s
    }

    @Test(arguments: [
        ("routeTables/routes/write", "routeTables/rt/routes/bh", #"{"properties":{"addressPrefix":"0.0.0.0/0","nextHopType":"None"}}"#),
        (
            "routeTables/write", "routeTables/rt",
            #"{"properties":{"routes":[{"name":"a","properties":{"addressPrefix":"10.0.0.0/8","nextHopType":"VnetLocal"}},{"name":"b","properties":{"ADDRESSPREFIX":"Internet","nextHopType":"none"}}]}}"#
        ),
        (
            "networkSecurityGroups/securityRules/write", "networkSecurityGroups/nsg/securityRules/deny",
            #"{"properties":{"direction":"Outbound","access":"Deny","destinationAddressPrefix":"Internet","priority":100}}"#
        ),
        (
            "networkSecurityGroups/write", "networkSecurityGroups/nsg",
            #"{"properties":{"securityRules":[{"properties":{"direction":"outbound","access":"deny","destinationAddressPrefixes":["10.1.0.0/16","0.0.0.0/0"]}}]}}"#
        ),
        ("virtualNetworks/subnets/write", "virtualNetworks/vnet/subnets/nodes", #"{"properties":{"defaultOutboundAccess":false}}"#),
        (
            "virtualNetworks/write", "virtualNetworks/vnet",
            #"{"properties":{"subnets":[{"name":"nodes","properties":{"addressPrefix":"10.224.0.0/16","defaultOutboundAccess":false}}]}}"#
        ),
    ])
    func egressCutOutsideAKSIsRoundThree(operation: String, resource: String, body: String) {
        let m = Self.twoRoundsThenCut(operation, resource, body).correlate().milestones
        #expect(m[2].time == Scenario.t("12:01"))
        #expect(m[2].source == .detected)
        #expect(m[2].evidence.hasPrefix("egress cut outside AKS"), "\(m[2].evidence)")
    }

    @Test(arguments: [
        // A route to a firewall, an allow rule, a deny towards the VNet, default outbound left on.
        (
            "routeTables/routes/write", "routeTables/rt/routes/fw",
            #"{"properties":{"addressPrefix":"0.0.0.0/0","nextHopType":"VirtualAppliance"}}"#
        ),
        (
            "networkSecurityGroups/securityRules/write", "networkSecurityGroups/nsg/securityRules/allow",
            #"{"properties":{"direction":"Outbound","access":"Allow","destinationAddressPrefix":"Internet"}}"#
        ),
        (
            "networkSecurityGroups/securityRules/write", "networkSecurityGroups/nsg/securityRules/deny-vnet",
            #"{"properties":{"direction":"Outbound","access":"Deny","destinationAddressPrefix":"VirtualNetwork"}}"#
        ),
        ("virtualNetworks/subnets/write", "virtualNetworks/vnet/subnets/nodes", #"{"properties":{"defaultOutboundAccess":true}}"#),
    ])
    func networkWritesThatKeepEgressAreNotRoundThree(operation: String, resource: String, body: String) {
        let m = Self.twoRoundsThenCut(operation, resource, body).correlate().milestones
        #expect(m[2].source == .notObserved)
    }

    @Test func aFailedCutIsNotRoundThree() {
        let body = #"{"properties":{"addressPrefix":"0.0.0.0/0","nextHopType":"None"}}"#
        let m = Self.twoRoundsThenCut("routeTables/routes/write", "routeTables/rt/routes/bh", body, status: "Failed").correlate().milestones
        #expect(m[2].source == .notObserved)
    }

    @Test func aNatGatewayDetachedFromItsSubnetIsRoundThree() {
        var s = Self.twoRoundsThenCut(
            "virtualNetworks/subnets/write", "virtualNetworks/vnet/subnets/nodes", #"{"properties":{"addressPrefix":"10.224.0.0/16"}}"#)
        // Without the earlier body showing the NAT gateway, nothing says it was detached.
        #expect(s.correlate().milestones[2].source == .notObserved)
        s.networkWrite(
            "virtualNetworks/subnets/write", resource: "virtualNetworks/vnet/subnets/nodes", started: "08:00", succeeded: "08:01",
            body: #"{"properties":{"addressPrefix":"10.224.0.0/16","natGateway":{"id":"/subscriptions/s/natGateways/ng"}}}"#)
        let m = s.correlate().milestones[2]
        #expect(m.time == Scenario.t("12:01"))
        #expect(m.evidence.contains("NAT gateway detached"))
    }

    @Test func theEarlierOfTheOutboundChangeAndTheCutWinsAndACutBeforeTheOtherRoundsDoesNot() {
        let deny = #"{"properties":{"direction":"Outbound","access":"Deny","destinationAddressPrefix":"*"}}"#
        var s = Self.twoRoundsThenCut("networkSecurityGroups/securityRules/write", "networkSecurityGroups/nsg/securityRules/d", deny)
        s.clusterWrite(started: "12:30", succeeded: "12:33", body: Scenario.body(registry: "acr1", outbound: "none"))
        #expect(s.correlate().milestones[2].time == Scenario.t("12:01"))
        var early = Scenario()
        early.networkWrite(
            "networkSecurityGroups/securityRules/write", resource: "networkSecurityGroups/nsg/securityRules/old",
            started: "08:00", succeeded: "08:01", body: deny)
        early.threeRounds()
        #expect(early.correlate().milestones[2].time == Scenario.t("12:03"))
    }

    @Test func underAPlaybookWithoutEgressCutTheNetworkIsIgnored() {
        var playbook = Playbook.threeRounds
        playbook.rounds[2].marker.egressCut = false
        let body = #"{"properties":{"addressPrefix":"0.0.0.0/0","nextHopType":"None"}}"#
        let s = Self.twoRoundsThenCut("routeTables/routes/write", "routeTables/rt/routes/bh", body)
        let m = s.correlate(playbook: playbook).milestones
        #expect(m[2].source == .notObserved)
    }

    @Test func aGivenMilestoneWinsAndIsMarked() {
        var s = Scenario()
        s.threeRounds()
        let m = s.correlate(given: [2: Scenario.t("11:00")]).milestones
        #expect(m[1].time == Scenario.t("11:00") && m[1].source == .given)
        #expect(m[1].evidence.contains("the logs show 2026-11-03 10:33"))
    }
}

@Suite("Attribution follows the contract, one rule per test")
struct AttributionTests {
    @Test func nodeNeverReimagedMissedTheEarliestActiveRound() throws {
        var s = Scenario()
        s.threeRounds()
        s.seen(nodeA, at: "08:00")
        let f = s.pullFailure(nodeA, at: "13:00")
        let a = try #require(s.attribution(f))
        #expect(a.verdict == .missedRound && a.missedRound == 1 && a.missedRounds == [1, 2, 3])
        #expect(a.confidence == .medium)  // rests on the node's first appearance
        #expect(a.explanation.contains("fits"))
    }

    @Test func perNodeReimageBetweenRoundsLeavesOnlyTheLaterOnesMissed() throws {
        var s = Scenario()
        s.threeRounds()
        s.seen(nodeA, at: "08:00")
        s.upgraderReimage(nodeA, at: "09:20")
        s.armInstance("reimage", vmss: "aks-apps-12345678-vmss", instance: 4, at: "10:45")
        let f = s.pullFailure(nodeA, at: "13:00")
        let a = try #require(s.attribution(f))
        #expect(a.verdict == .missedRound && a.missedRound == 3 && a.missedRounds == [3])
        #expect(a.confidence == .high)
        #expect(a.basis?.kind == .armInstanceReimage)
    }

    @Test func aRebootIsNeverABootstrap() throws {
        var s = Scenario()
        s.threeRounds()
        s.seen(nodeA, at: "08:00")
        s.nodeEvent(nodeA, "Rebooted", "Node \(nodeA) has been rebooted, boot id: 1", component: "kubelet", at: "12:30")
        s.armInstance("restart", vmss: "aks-apps-12345678-vmss", instance: 4, at: "12:31")
        let f = s.pullFailure(nodeA, at: "13:00")
        #expect(s.attribution(f)?.missedRound == 1)
    }

    @Test func nodeWithEveryRoundIsConvergedAndTheErrorIsExplained() throws {
        var s = Scenario()
        s.threeRounds()
        s.seen(nodeA, at: "08:00")
        s.nodeEvent(nodeA, "RegisteredNode", component: "node-controller", at: "12:20")
        let f = s.pullFailure(
            nodeA, at: "13:00", message: "Failed to pull image \"contoso.azurecr.io/shop/web:9\": contoso.azurecr.io/shop/web:9: not found")
        let a = try #require(s.attribution(f))
        #expect(a.verdict == .converged && a.confidence == .high)
        #expect(a.explanation.contains("image not found"))
    }

    @Test func surgeNodeCreatedAfterTheMilestonesHasThem() throws {
        var s = Scenario()
        s.threeRounds()
        s.nodeEvent(nodeB, "RegisteredNode", component: "node-controller", at: "12:15")
        let f = s.pullFailure(nodeB, at: "12:40")
        let a = try #require(s.attribution(f))
        #expect(a.verdict == .converged)
    }

    @Test func failureBeforeAnyRoundIsPreConversion() throws {
        var s = Scenario()
        s.threeRounds()
        let f = s.pullFailure(nodeA, at: "08:35")
        #expect(s.attribution(f)?.verdict == .preConversion)
    }

    @Test func failureWithoutANodeIsUnplaced() throws {
        var s = Scenario()
        s.threeRounds()
        let f = s.pullFailure(nil, at: "13:00")
        let a = try #require(s.attribution(f))
        #expect(a.verdict == .unplaced && a.confidence == .low)
    }

    @Test func theNodeComesFromThePodsScheduledEventWhenTheEventHasNoHost() throws {
        var s = Scenario()
        s.threeRounds()
        s.events.append(
            EventFact(
                eventID: 900, objectKind: "Pod", objectNamespace: "kube-system", objectName: "kube-proxy-abcde",
                reason: "Scheduled", message: "Successfully assigned kube-system/kube-proxy-abcde to \(nodeA)",
                sourceComponent: "default-scheduler", firstSeen: Scenario.t("08:00")))
        let f = s.pullFailure(nil, at: "13:00")
        let a = try #require(s.attribution(f))
        #expect(a.failure.node == nodeA && a.failure.nodeSource == "the pod's Scheduled event")
        #expect(a.verdict == .missedRound)
    }

    @Test func unrelatedErrorTextLowersConfidenceOnAMissedNode() throws {
        var s = Scenario()
        s.threeRounds()
        s.seen(nodeA, at: "08:00")
        s.upgraderReimage(nodeA, at: "09:20")
        s.upgraderReimage(nodeA, at: "10:50")
        let f = s.pullFailure(
            nodeA, at: "13:00", message: "Failed to pull image \"docker.io/library/redis:7\": 429 Too Many Requests - toomanyrequests")
        let a = try #require(s.attribution(f))
        #expect(a.verdict == .missedRound && a.missedRound == 3 && a.confidence == .low)
        #expect(a.explanation.contains("unrelated cause"))
    }

    @Test func aBootstrapDuringTheMilestoneOperationIsLowConfidence() throws {
        var s = Scenario()
        s.threeRounds()
        s.seen(nodeA, at: "08:00")
        s.upgraderReimage(nodeA, at: "12:01")  // while the 12:00–12:03 write was still running
        let f = s.pullFailure(nodeA, at: "13:00")
        let a = try #require(s.attribution(f))
        #expect(a.confidence == .low)
        #expect(a.explanation.contains("overlapped"))
    }

    @Test func scaleSetReimageCountsOnlyForTheInstancesItsBodyLists() throws {
        var s = Scenario()
        s.threeRounds()
        s.seen(nodeA, at: "08:00")
        s.seen("aks-apps-12345678-vmss000005", at: "08:00")
        let vmss = "/subscriptions/s/resourcegroups/mc_rg/providers/microsoft.compute/virtualmachinescalesets/aks-apps-12345678-vmss"
        let op = "Microsoft.Compute/virtualMachineScaleSets/reimage/action"
        s.activity.append(
            ActivityFact(
                recordID: 500, operation: op, status: "Started", time: Scenario.t("12:10"), resourceKey: vmss,
                operationKey: "vmss-op", requestBody: #"{"instanceIds":["5"]}"#))
        s.activity.append(
            ActivityFact(
                recordID: 501, operation: op, status: "Succeeded", time: Scenario.t("12:15"), resourceKey: vmss,
                operationKey: "vmss-op"))
        let listed = s.pullFailure("aks-apps-12345678-vmss000005", at: "13:00")
        let unlisted = s.pullFailure(nodeA, at: "13:00")
        #expect(s.attribution(listed)?.missedRound == nil)
        #expect(s.attribution(listed)?.basis?.kind == .armScaleSetReimage)
        #expect(s.attribution(unlisted)?.missedRound == 1)
    }

    @Test func scaleSetReimageWithoutABodyIsAssumedEverywhereWithLowConfidence() throws {
        var s = Scenario()
        s.threeRounds()
        s.seen(nodeA, at: "08:00")
        let vmss = "/subscriptions/s/resourcegroups/mc_rg/providers/microsoft.compute/virtualmachinescalesets/aks-apps-12345678-vmss"
        s.activity.append(
            ActivityFact(
                recordID: 501, operation: "Microsoft.Compute/virtualMachineScaleSets/reimage/action",
                status: "Succeeded", time: Scenario.t("12:15"), resourceKey: vmss, operationKey: "vmss-op"))
        let f = s.pullFailure(nodeA, at: "13:00")
        let a = try #require(s.attribution(f))
        #expect(a.verdict == .converged && a.confidence == .low)
        #expect(a.basis?.kind == .armScaleSetReimageUnlisted)
    }

    @Test func aSucceededPoolUpgradeIsAWeakHintWhereNoPerNodeEvidenceExists() throws {
        var s = Scenario()
        s.threeRounds()
        s.seen(nodeA, at: "08:00")
        s.poolUpgrade("apps", started: "12:10", ended: "12:40", status: "Succeeded")
        let f = s.pullFailure(nodeA, at: "13:00")
        let a = try #require(s.attribution(f))
        #expect(a.verdict == .converged && a.confidence == .low && a.basis?.kind == .poolNodeImageUpgrade)
    }

    @Test func aFailedPoolUpgradeGivesNoHint() throws {
        var s = Scenario()
        s.threeRounds()
        s.seen(nodeA, at: "08:00")
        s.poolUpgrade("apps", started: "12:10", ended: "12:40", status: "Failed")
        let f = s.pullFailure(nodeA, at: "13:00")
        #expect(s.attribution(f)?.missedRound == 1)
    }

    @Test func warningsOnlyEventsMakeAFirstAppearanceLowConfidence() throws {
        var s = Scenario()
        s.threeRounds()
        let f = s.pullFailure(nodeA, at: "13:00")  // the node's only event: Warnings-only sources look like this
        let a = try #require(s.attribution(f))
        #expect(a.confidence == .low)
        #expect(a.explanation.contains("Warnings-only"))
        #expect(s.correlate().coverage.warningsOnly)
    }

    /// Normal events without Scheduled or RegisteredNode (an exporter filtering on reason) are
    /// not "Warnings-only": the explanation says what is missing.
    @Test func normalEventsWithoutRegistrationsAreNotCalledWarningsOnly() throws {
        var s = Scenario()
        s.threeRounds()
        let f = s.pullFailure(nodeA, at: "13:00")
        s.sources = [SourceSpan(window: TimeWindow(from: Scenario.t("08:00"), to: Scenario.t("14:00")), normalEvents: true, activity: true)]
        let a = try #require(s.attribution(f))
        #expect(!s.correlate().coverage.warningsOnly)
        #expect(a.confidence == .low)
        #expect(!a.explanation.contains("Warnings-only"), "\(a.explanation)")
        #expect(a.explanation.contains("no Scheduled or RegisteredNode events"), "\(a.explanation)")
        s.sources = [
            SourceSpan(window: TimeWindow(from: Scenario.t("08:00"), to: Scenario.t("14:00")), normalEvents: false, activity: true)
        ]
        #expect(try #require(s.attribution(f)).explanation.contains("Warnings-only"))
    }

    /// A `kubectl get events` dump keeps the last hour: between round 2 (10:33) and its start
    /// (12:30) nothing could show a reimage of the node, so "missed round 2" is a guess.
    @Test func aMissedRoundRestingOnAWindowNoInputCoversIsLowConfidence() throws {
        var s = Scenario()
        s.threeRounds()
        s.seen(nodeA, at: "08:00")
        s.upgraderReimage(nodeA, at: "09:30")
        let f = s.pullFailure(nodeA, at: "13:00")
        let listSpan = TimeWindow(from: Scenario.t("12:30"), to: Scenario.t("13:30"))
        let clusterLog = TimeWindow(from: Scenario.t("08:00"), to: Scenario.t("14:00"))
        s.sources = [SourceSpan(window: listSpan, normalEvents: true), SourceSpan(window: clusterLog, activity: true)]
        let a = try #require(s.attribution(f))
        #expect(a.verdict == .missedRound && a.missedRound == 2)
        #expect(a.confidence == .low)
        #expect(a.explanation.contains("2026-11-03 10:33:00–2026-11-03 12:30:00"), "\(a.explanation)")
        #expect(s.correlate().coverage.blindSpots(from: Scenario.t("10:33"), to: Scenario.t("13:00")).count == 1)

        // The node resource group's activity log covering the gap is enough.
        s.sources?.append(
            SourceSpan(window: TimeWindow(from: Scenario.t("10:00"), to: Scenario.t("12:45")), activity: true, nodeGroup: true))
        let covered = try #require(s.attribution(f))
        #expect(covered.confidence == .high, "\(covered.explanation)")
        #expect(!covered.explanation.contains("No input"))
    }

    @Test func windowsOfOneKindMergeAcrossShortGapsButNotLongOnes() {
        let w = { (a: String, b: String) in TimeWindow(from: Scenario.t(a), to: Scenario.t(b)) }
        let merged = TimeWindow.merge([w("11:00", "11:14"), w("10:40", "10:59"), w("12:12", "12:51"), w("14:30", "14:40")], gap: 3600)
        #expect(merged == [w("10:40", "12:51"), w("14:30", "14:40")])
        let coverage = Coverage(sources: [], reimageWindows: merged)
        #expect(coverage.blindSpots(from: Scenario.t("10:33"), to: Scenario.t("12:00")).isEmpty)  // 7 minutes: too short to matter
        #expect(coverage.blindSpots(from: Scenario.t("12:00"), to: Scenario.t("15:00")) == [w("12:51", "14:30"), w("14:40", "15:00")])
        #expect(Coverage(sources: []).blindSpots(from: Scenario.t("08:00"), to: Scenario.t("15:00")).isEmpty)
    }

    @Test func aReusedInstanceIdIsANewNodeButAReimageIsNot() throws {
        var s = Scenario()
        s.threeRounds()
        s.nodeEvent(nodeB, "RegisteredNode", component: "node-controller", at: "09:30")
        s.nodeEvent(nodeB, "RemovingNode", component: "node-controller", at: "12:44")
        s.nodeEvent(nodeB, "RegisteredNode", component: "node-controller", at: "13:05")
        s.seen(nodeA, at: "08:00")
        s.nodeEvent(nodeA, "RemovingNode", component: "node-controller", at: "09:20")
        s.upgraderReimage(nodeA, at: "09:23")
        s.nodeEvent(nodeA, "RegisteredNode", component: "node-controller", at: "09:23")
        let result = s.correlate()
        let b = try #require(result.nodes.first { $0.name == nodeB })
        let a = try #require(result.nodes.first { $0.name == nodeA })
        #expect(b.recreatedAt == Scenario.t("13:05") && b.removedAt == nil)
        #expect(a.recreatedAt == nil)
        let round1 = result.nodeRounds.first { $0.node == nodeB && $0.round == 1 }
        #expect(round1?.bootstrappedAt == Scenario.t("13:05"))
    }

    @Test func nodeRoundsSayDoneMissedOrGone() {
        var s = Scenario()
        s.threeRounds()
        s.seen(nodeA, at: "08:00")
        s.upgraderReimage(nodeA, at: "09:20")
        s.nodeEvent(nodeB, "RegisteredNode", component: "node-controller", at: "09:30")
        s.nodeEvent(nodeB, "RemovingNode", component: "node-controller", at: "09:50")
        let rows = s.correlate().nodeRounds
        func status(_ node: String, _ round: Int) -> Correlator.NodeRound.Status? {
            rows.first { $0.node == node && $0.round == round }?.status
        }
        #expect(status(nodeA, 1) == .done && status(nodeA, 2) == .missed)
        #expect(status(nodeB, 1) == .done && status(nodeB, 2) == .gone)
    }
}

@Suite("Error texts are classified by host and kind")
struct ErrorSignalTests {
    @Test(arguments: [
        ("dial tcp: lookup mcr.microsoft.com on 168.63.129.16:53: no such host", ErrorSignal.Kind.dnsFailure, ErrorSignal.Host.mcr),
        ("Head \"https://myacr.azurecr.io/v2/app/manifests/v1\": dial tcp 10.0.0.5:443: i/o timeout", .timeout, .acr),
        ("failed to fetch anonymous token: unexpected status: 403 Forbidden (https://old.azurecr.io/oauth2/token)", .forbidden, .acr),
        ("failed to fetch oauth token: unexpected status: 401 Unauthorized", .unauthorized, .unknown),
        ("manifest for mcr.microsoft.com/oss/x:1 not found: manifest unknown: manifest unknown", .notFound, .mcr),
        ("https://registry-1.docker.io/v2/library/redis/manifests/7: 429 Too Many Requests", .throttled, .publicRegistry),
    ])
    func classifies(message: String, kind: ErrorSignal.Kind, host: ErrorSignal.Host) {
        let signal = ErrorSignal(message: message)
        #expect(signal.kind == kind && signal.host == host)
    }

    @Test func fitsTheRoundsItShould() {
        #expect(ErrorSignal(kind: .timeout, host: .mcr).fits(round: 1))
        #expect(ErrorSignal(kind: .forbidden, host: .acr).fits(round: 2))
        #expect(ErrorSignal(kind: .timeout, host: .unknown).fits(round: 3))
        #expect(!ErrorSignal(kind: .notFound, host: .acr).fits(round: 2))
        #expect(ErrorSignal(kind: .notFound, host: .acr).pointsToUnrelatedCause)
    }
}

@Suite("Failures are picked out and categorised")
struct FailureClassifierTests {
    @Test(arguments: [
        (
            "kube-system", "coredns-5d78c9869d-x2k4q", "BackOff", "Back-off restarting failed container coredns",
            Failure.Category?.some(.addon)
        ),
        ("kube-system", "ama-logs-x2k4q", "Unhealthy", "Liveness probe failed: timeout", .addon),
        ("shop", "web-1", "Failed", "Failed to pull image \"contoso.azurecr.io/web:1\": not found", .imagePull),
        ("shop", "web-1", "BackOff", "Back-off pulling image \"contoso.azurecr.io/web:1\"", .imagePull),
        ("shop", "web-1", "BackOff", "Back-off restarting failed container web", nil),
        ("shop", "web-1", "Pulled", "Successfully pulled image", nil),
        ("kube-system", "my-own-thing-1", "BackOff", "Back-off restarting failed container", nil),
        (
            "shop", "web-1", "FailedCreatePodSandBox", "failed to get sandbox image \"mcr.microsoft.com/oss/kubernetes/pause:3.6\"",
            .imagePull
        ),
    ])
    func categorises(namespace: String, pod: String, reason: String, message: String, expected: Failure.Category?) {
        #expect(FailureClassifier.category(namespace: namespace, pod: pod, reason: reason, message: message) == expected)
    }
}
