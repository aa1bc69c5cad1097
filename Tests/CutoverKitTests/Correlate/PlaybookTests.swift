import Foundation
import Testing

@testable import CutoverKit

@Suite("Playbooks decide which rounds need a reimage")
struct PlaybookTests {
    @Test func underTheCurrentDocsMissingOnlyTheOutboundRoundIsNoMiss() throws {
        var s = Scenario()
        s.threeRounds()
        s.seen(nodeA, at: "08:00")
        s.upgraderReimage(nodeA, at: "10:50")
        let f = s.pullFailure(nodeA, at: "13:00")
        let three = try #require(s.correlate().attributions.first { $0.failure.eventID == f })
        let current = try #require(s.correlate(playbook: .currentDocs).attributions.first { $0.failure.eventID == f })
        #expect(three.verdict == .missedRound && three.missedRound == 3)
        #expect(current.verdict == .converged)
    }

    @Test func aPlaybookFileDefinesRoundsByBodyField() throws {
        let path = Paths.temporaryDirectory().appendingPathComponent("playbook.json").path
        try #"""
        {"name": "registry-only",
         "rounds": [{"round": 1, "name": "new-registry", "field": "bootstrapProfile.containerRegistryId", "latest": true, "reimage": true}]}
        """#.write(toFile: path, atomically: true, encoding: .utf8)
        let playbook = try Playbook.load(path)
        #expect(playbook.name == "registry-only" && playbook.rounds.count == 1)
        var s = Scenario()
        s.threeRounds()
        s.seen(nodeA, at: "08:00")
        let f = s.pullFailure(nodeA, at: "13:00")
        let result = s.correlate(playbook: playbook)
        #expect(result.milestones.map(\.time) == [Scenario.t("10:33")])
        #expect(result.attributions.first { $0.failure.eventID == f }?.missedRound == 1)
    }

    @Test func aPlaybookFileRoundCanBeMarkedByAnEgressCut() throws {
        let path = Paths.temporaryDirectory().appendingPathComponent("playbook.json").path
        try #"""
        {"name": "firewall-cut",
         "rounds": [{"round": 1, "name": "cache", "field": "bootstrapProfile.artifactSource", "values": ["Cache"]},
                    {"round": 2, "name": "egress", "field": "networkProfile.outboundType", "values": ["none"], "egressCut": true,
                     "reimage": false}]}
        """#.write(toFile: path, atomically: true, encoding: .utf8)
        let playbook = try Playbook.load(path)
        #expect(playbook.rounds.map(\.marker.egressCut) == [false, true])
        #expect(playbook.rounds.map(\.requiresReimage) == [true, false])
        var s = Scenario()
        s.clusterWrite(started: "09:00", succeeded: "09:03", body: Scenario.body())
        s.networkWrite(
            "routeTables/routes/write", resource: "routeTables/rt/routes/bh", started: "11:00", succeeded: "11:02",
            body: #"{"properties":{"addressPrefix":"0.0.0.0/0","nextHopType":"None"}}"#)
        #expect(s.correlate(playbook: playbook).milestones.map(\.time) == [Scenario.t("09:03"), Scenario.t("11:02")])
    }

    @Test(arguments: ["no-such-playbook", #"{"rounds": []}"#, #"{"rounds": [{"round": 1, "name": "x"}]}"#])
    func badPlaybooksAreRefusedWithTheReason(content: String) throws {
        var argument = content
        if content.hasPrefix("{") {
            argument = Paths.temporaryDirectory().appendingPathComponent("p.json").path
            try content.write(toFile: argument, atomically: true, encoding: .utf8)
        }
        #expect(throws: Playbook.FileError.self) { try Playbook.load(argument) }
    }

    @Test func builtInsByName() throws {
        #expect(try Playbook.load("three-rounds") == .threeRounds)
        #expect(try Playbook.load("current-docs").rounds.map(\.requiresReimage) == [true, true, false])
    }
}
