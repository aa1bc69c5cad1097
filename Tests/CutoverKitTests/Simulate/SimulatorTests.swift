import Foundation
import Synchronization
import Testing

@testable import CutoverKit

@Suite("Simulator: deterministic, realistic, and cutover agrees with its truth")
struct SimulatorTests {
    /// Every file the writer saves is announced once with its size (what `simulate` prints on a
    /// terminal while a fleet is written); in a pipe the command prints its summary line only.
    @Test func everyWrittenFileIsAnnounced() throws {
        let dir = Paths.temporaryDirectory()
        let announced = Mutex<[String: Int]>([:])
        _ = try Pipeline.simulate(spec: SimulationSpec(), directory: dir.path) { path, bytes in
            announced.withLock { $0[path, default: 0] += bytes > 0 ? 1 : 100 }
        }
        let logs = dir.appendingPathComponent("logs")
        let files = try #require(FileManager.default.enumerator(atPath: logs.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".gz") }.map { logs.appendingPathComponent($0).path }
        #expect(files.count >= 5)
        #expect(announced.withLock { $0 } == Dictionary(uniqueKeysWithValues: files.map { ($0, 1) }))
        let piped = try runCutover(["simulate", "--out", "sim"], in: dir)
        #expect(piped.status == 0 && piped.stderr.split(separator: "\n").count == 1, "\(piped.stderr)")
    }

    @Test func sameSeedGivesTheSameIncident() {
        let a = IncidentSimulator(spec: SimulationSpec()).simulate()
        let b = IncidentSimulator(spec: SimulationSpec()).simulate()
        #expect(IncidentWriter().truth(a) == IncidentWriter().truth(b))
        #expect(IncidentWriter().exporterLines(a) == IncidentWriter().exporterLines(b))
    }

    @Test func theSampleIncidentHasEveryKindOfOutcome() {
        let incident = IncidentSimulator(spec: SimulationSpec()).simulate()
        let rounds = Set(incident.failures.compactMap(\.missedRounds.first))
        #expect(rounds == [1, 2, 3])
        let verdicts = Set(incident.failures.map(\.verdict))
        #expect(verdicts == ["missed_round", "converged", "pre_conversion"])
        #expect(incident.nodes.contains { $0.createdAt != nil && $0.removedAt != nil })  // a surge node
        #expect(incident.nodes.contains { !$0.reboots.isEmpty })
    }

    @Test func shippedSamplesAreWhatTheSimulatorWrites() throws {
        let dir = Paths.temporaryDirectory()
        try Pipeline.simulate(spec: SimulationSpec(), directory: dir.path)
        let fresh = try String(contentsOf: dir.appendingPathComponent("truth.json"), encoding: .utf8)
        let shipped = try String(contentsOf: Paths.samples.appendingPathComponent("truth.json"), encoding: .utf8)
        #expect(
            fresh == shipped, "samples/ is stale: regenerate it with `swift run cutover simulate --preset small --seed 7 --out samples`")
    }

    /// Runs the whole pipeline on a simulated incident and compares every failure with the truth.
    static func accuracy(
        seed: UInt64, shapes: [ExportShape]? = nil, nodes: Int? = nil, playbook: Playbook = .threeRounds, bodies: Bool = true,
        egress: EgressMethod = .outboundType
    ) throws -> (agree: Int, total: Int, blamedConverged: Int) {
        var spec = SimulationSpec()
        spec.seed = seed
        spec.playbook = playbook
        spec.bodies = bodies
        spec.egress = egress
        if let shapes { spec.shapes = shapes }
        if let nodes { spec.pools = SimulationSpec.pools(nodes: nodes, count: 4) }
        let (incident, result) = try simulateAndCorrelate(spec)
        return agreement(incident, result)
    }

    /// How many of the incident's failures cutover got right (verdict, first missed round,
    /// node), and how many converged ones it blamed on a round.
    static func agreement(_ incident: Incident, _ result: Correlator.Result) -> (agree: Int, total: Int, blamedConverged: Int) {
        let byUID = Dictionary(uniqueKeysWithValues: result.attributions.compactMap { a in a.failure.uid.map { ($0, a) } })
        var agree = 0
        var blamed = 0
        for truth in incident.failures {
            guard let a = byUID[truth.eventUID] else { continue }
            if a.verdict.rawValue == truth.verdict && a.missedRound == truth.missedRounds.first && a.failure.node == truth.node {
                agree += 1
            }
            if truth.verdict == "converged" && a.verdict == .missedRound { blamed += 1 }
        }
        return (agree, incident.failures.count, blamed)
    }

    /// Simulates `spec`, then ingests and correlates what it wrote.
    static func simulateAndCorrelate(_ spec: SimulationSpec) throws -> (Incident, Correlator.Result) {
        let dir = Paths.temporaryDirectory()
        let incident = try Pipeline.simulate(spec: spec, directory: dir.path)
        let db = dir.appendingPathComponent("sim.sqlite").path
        _ = try Pipeline.ingest(paths: [dir.appendingPathComponent("logs").path], dbPath: db)
        return (incident, try only(Pipeline.correlate(dbPath: db, playbook: spec.playbook)))
    }

    /// The result of a database that holds one cluster.
    static func only(_ fleet: FleetCorrelator.Result) throws -> Correlator.Result {
        try #require(fleet.clusters.count == 1, "one cluster expected, got \(fleet.clusters.map(\.cluster.label))")
        return fleet.clusters[0].result
    }

    @Test(arguments: [7, 11, 23, 42, 1009] as [UInt64])
    func cutoverAgreesWithTheTruth(seed: UInt64) throws {
        let (agree, total, blamed) = try Self.accuracy(seed: seed)
        #expect(total > 20)
        #expect(agree == total, "\(agree) of \(total) failures agree with the truth for seed \(seed)")
        #expect(blamed == 0)
    }

    static let shapeMixes: [[ExportShape]] = [
        [.kubectlWatch, .activityLogCLI],
        [.eventsV1, .exporter, .azureActivity, .pt1h],
        [.kubectlList, .kubectlWatch, .eventHubs],
        [.exporter, .activityLogCLI, .eventHubs, .azureActivity, .pt1h],
        [.exporter, .kubeEventsCSV, .azureActivityCSV, .pt1h],
        [.kubectlList, .kubeEvents, .activityLogCLI],
    ]

    @Test(arguments: zip([3, 5, 8, 13, 21, 34] as [UInt64], shapeMixes))
    func cutoverAgreesWithTheTruthWhateverTheExportShapes(seed: UInt64, shapes: [ExportShape]) throws {
        let (agree, total, blamed) = try Self.accuracy(seed: seed, shapes: shapes, nodes: 48)
        #expect(total > 40)
        #expect(agree == total, "\(agree) of \(total) failures agree with the truth for \(shapes.map(\.rawValue))")
        #expect(blamed == 0)
    }

    /// A node that missed a round fails every pod it cannot pull for: many failures a node, the
    /// same few error texts thousands of times (what correlation reads each text once for).
    @Test func manyFailingPodsANodeAreEachAttributedRight() throws {
        var spec = SimulationSpec()
        spec.seed = 19
        spec.pools = SimulationSpec.pools(nodes: 40, count: 4)
        let one = IncidentSimulator(spec: spec).simulate()
        spec.failingPods = 6
        let (incident, result) = try Self.simulateAndCorrelate(spec)
        let missed = { (i: Incident) in i.failures.filter { $0.verdict == "missed_round" } }
        #expect(missed(incident).count >= 4 * missed(one).count)
        let perNode = Dictionary(grouping: missed(incident), by: \.node).values.map { Set($0.map(\.eventUID)).count }
        #expect(perNode.max() ?? 0 >= 6 * 4)
        let (agree, total, blamed) = Self.agreement(incident, result)
        #expect(agree == total, "\(agree) of \(total) failures agree with the truth with 6 failing pods a node")
        #expect(blamed == 0)
    }

    @Test(arguments: [2, 9] as [UInt64])
    func underTheCurrentDocsOnlyRoundsOneAndTwoAreBlamed(seed: UInt64) throws {
        let (agree, total, blamed) = try Self.accuracy(seed: seed, nodes: 40, playbook: .currentDocs)
        #expect(total > 10)
        #expect(agree == total, "\(agree) of \(total) failures agree with the truth")
        #expect(blamed == 0)
        var spec = SimulationSpec()
        spec.seed = seed
        spec.playbook = .currentDocs
        let incident = IncidentSimulator(spec: spec).simulate()
        #expect(!incident.failures.contains { $0.missedRounds.contains(3) })
    }

    @Test(arguments: [4, 17, 29] as [UInt64])
    func withoutBodiesTheMilestonesAreInferredAndStillRight(seed: UInt64) throws {
        let (agree, total, blamed) = try Self.accuracy(seed: seed, nodes: 40, bodies: false)
        #expect(total > 10)
        #expect(agree == total, "\(agree) of \(total) failures agree with the truth without request bodies")
        #expect(blamed == 0)
    }

    /// Round 3 done with the network instead of `--outbound-type none`: the cut is the
    /// milestone, at the network write's Succeeded time, and every failure still agrees.
    @Test(
        arguments: zip(
            [EgressMethod.routeTable, .nsg, .subnet, .natGateway, .routeTable, .nsg], [true, true, true, true, false, false]))
    func egressCutOutsideAKSMarksRoundThree(method: EgressMethod, bodies: Bool) throws {
        var spec = SimulationSpec()
        spec.seed = 31
        spec.egress = method
        spec.bodies = bodies
        spec.pools = SimulationSpec.pools(nodes: 30, count: 3)
        let (incident, result) = try Self.simulateAndCorrelate(spec)
        let truth = try #require(incident.milestones.first { $0.round == 3 })
        let round3 = try #require(result.milestones.first { $0.round.number == 3 })
        #expect(round3.time == truth.succeededAt)
        #expect(round3.source == (bodies ? .detected : .inferred), "\(round3.evidence)")
        #expect(round3.evidence.contains(bodies ? "egress cut outside AKS" : "network write"), "\(round3.evidence)")
        let (agree, total, blamed) = Self.agreement(incident, result)
        #expect(total > 10)
        #expect(agree == total, "\(agree) of \(total) failures agree with the truth with egress cut by \(method)")
        #expect(blamed == 0)
    }

    /// Container Insights' default export drops Normal events: cutover cannot always be right,
    /// but whenever it disagrees with the truth it must say its confidence is low.
    @Test(arguments: [6, 15] as [UInt64])
    func withWarningsOnlyEventsEveryDisagreementIsLowConfidence(seed: UInt64) throws {
        var spec = SimulationSpec()
        spec.seed = seed
        spec.pools = SimulationSpec.pools(nodes: 40, count: 4)
        spec.shapes = [.kubeEvents, .activityLogCLI, .pt1h]
        let dir = Paths.temporaryDirectory()
        let incident = try Pipeline.simulate(spec: spec, directory: dir.path)
        let db = dir.appendingPathComponent("w.sqlite").path
        _ = try Pipeline.ingest(paths: [dir.appendingPathComponent("logs").path], dbPath: db)
        let result = try Self.only(Pipeline.correlate(dbPath: db))
        #expect(result.coverage.warningsOnly)
        var truths: [String: Set<String>] = [:]
        for f in incident.failures { truths[f.node, default: []].insert("\(f.verdict) \(f.missedRounds.first ?? 0)") }
        let disagreeing = result.attributions.filter { a in
            !(truths[a.failure.node ?? ""] ?? []).contains("\(a.verdict.rawValue) \(a.missedRound ?? 0)")
        }
        #expect(result.attributions.count > 20)
        #expect(disagreeing.allSatisfy { $0.confidence == .low }, "\(disagreeing.filter { $0.confidence != .low }.map(\.explanation))")
    }

    /// The private DNS link comes after round 2's reimages: the nodes reimaged before it fail,
    /// and cutover must say "wiring incomplete", not blame a round.
    @Test(arguments: [3, 12] as [UInt64])
    func lateWiringIsExplainedNotBlamedOnARound(seed: UInt64) throws {
        var spec = SimulationSpec()
        spec.seed = seed
        spec.lateWiring = true
        spec.pools = SimulationSpec.pools(nodes: 30, count: 3)
        let dir = Paths.temporaryDirectory()
        let incident = try Pipeline.simulate(spec: spec, directory: dir.path)
        let db = dir.appendingPathComponent("lw.sqlite").path
        _ = try Pipeline.ingest(paths: [dir.appendingPathComponent("logs").path], dbPath: db)
        let byUID = Dictionary(
            uniqueKeysWithValues: try Pipeline.correlate(dbPath: db).attributions.compactMap { a in a.failure.uid.map { ($0, a) } })
        let wiring = incident.failures.filter { $0.cause == "wiring_incomplete" }
        #expect(wiring.count >= 4)
        for truth in incident.failures {
            let a = try #require(byUID[truth.eventUID])
            #expect(a.verdict.rawValue == truth.verdict && a.missedRound == truth.missedRounds.first)
            #expect(a.explanation.contains("Wiring incomplete") == (truth.cause == "wiring_incomplete"), "\(a.explanation)")
            #expect(a.wiringIncomplete == (truth.cause == "wiring_incomplete"))
        }
        // The finding is a column the report and the SQL read, not words to search for.
        let stored = try Database(path: db, readOnly: true).int("SELECT count(*) FROM attributions WHERE wiring_incomplete = 1")
        #expect(stored == wiring.count)
        #expect(try Pipeline.report(dbPath: db).contains("| wiring incomplete |"))
    }
}
