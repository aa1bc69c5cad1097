import Foundation
import Testing

@testable import CutoverKit

@Suite("Fleet: several clusters in one subscription, per-cluster accuracy against the truth")
struct FleetSimulatorTests {
    struct Score: CustomStringConvertible {
        var agree = 0
        var total = 0
        /// Failures cutover put in another cluster than the one they happened in.
        var wrongCluster = 0
        var blamedConverged = 0
        var description: String { "\(agree) of \(total) agree, \(wrongCluster) in the wrong cluster, \(blamedConverged) converged blamed" }
    }

    /// Writes `fleet`, ingests it the way an SRE would (the `kubectl` dumps of each cluster
    /// with `--cluster` when `labelDumps`), correlates, and scores every cluster's failures.
    static func score(_ fleet: FleetSimulation, labelDumps: Bool) throws -> [String: Score] {
        let dir = Paths.temporaryDirectory()
        let incidents = try fleet.write(to: dir.path)
        let logs = dir.appendingPathComponent("logs")
        let db = dir.appendingPathComponent("fleet.sqlite").path
        let shared = try FileManager.default.contentsOfDirectory(atPath: logs.appendingPathComponent("kube").path)
            .map { logs.appendingPathComponent("kube/\($0)").path }
            .filter { path in !incidents.contains { path.hasSuffix("/" + $0.cluster) } }
        _ = try Pipeline.ingest(paths: [logs.appendingPathComponent("arm").path] + shared, dbPath: db)
        for incident in incidents {
            let dump = logs.appendingPathComponent("kube/\(incident.cluster)").path
            guard FileManager.default.fileExists(atPath: dump) else { continue }
            var options = Ingester.Options()
            if labelDumps { options.cluster = incident.cluster }
            _ = try Pipeline.ingest(paths: [dump], dbPath: db, options: options)
        }
        let result = try Pipeline.correlate(dbPath: db, playbook: fleet.clusters[0].playbook)
        var placed: [String: (String, Attribution)] = [:]
        for c in result.clusters {
            for a in c.result.attributions { if let uid = a.failure.uid { placed[uid] = (c.cluster.label, a) } }
        }
        for a in result.unassigned { if let uid = a.failure.uid { placed[uid] = ("", a) } }
        var scores: [String: Score] = [:]
        for incident in incidents where fleet.eventsOf?.contains(incident.cluster) ?? true {
            var score = Score()
            for truth in incident.failures {
                score.total += 1
                guard let (label, a) = placed[truth.eventUID] else { continue }
                if label != incident.cluster {
                    score.wrongCluster += label.isEmpty ? 0 : 1
                    continue
                }
                if a.verdict.rawValue == truth.verdict && a.missedRound == truth.missedRounds.first && a.failure.node == truth.node {
                    score.agree += 1
                }
                if truth.verdict == "converged" && a.verdict == .missedRound { score.blamedConverged += 1 }
            }
            scores[incident.cluster] = score
        }
        return scores
    }

    static func expectAccurate(_ scores: [String: Score], clusters: Int, _ what: String) {
        #expect(scores.count == clusters, "\(what): \(scores)")
        for (cluster, s) in scores.sorted(by: { $0.key < $1.key }) {
            #expect(s.total > 20, "\(cluster), \(what): \(s)")
            #expect(s.agree * 100 >= s.total * 99, "\(cluster), \(what): \(s)")
            #expect(s.wrongCluster == 0, "\(cluster), \(what): \(s)")
            #expect(s.blamedConverged == 0, "\(cluster), \(what): \(s)")
        }
    }

    /// The export mixes of the issue: a fleet exporter (`clusterName`) or a shared workspace
    /// (`ClusterId`) with the subscription's activity log in every shape, and `kubectl` dumps
    /// given with `--cluster`.
    static let mixes: [(kube: [ExportShape], arm: [ExportShape])] = [
        ([.exporter], [.activityLogCLI, .pt1h]),
        ([.exporter, .kubeEventsCSV], [.azureActivityCSV, .pt1h]),
        ([.kubectlWatch], [.eventHubs]),
        ([.kubectlList, .kubeEvents], [.activityLogCLI]),
        ([.eventsV1, .exporter], [.azureActivity, .pt1h]),
    ]

    @Test(arguments: zip([5, 19, 27, 44, 61] as [UInt64], 0..<mixes.count))
    func everyClusterIsRightWhateverTheExportMix(seed: UInt64, mix: Int) throws {
        let fleet = FleetSimulation.sameSubscription(seed: seed, count: 2, kubeShapes: Self.mixes[mix].kube, armShapes: Self.mixes[mix].arm)
        let what = "seed \(seed), \(Self.mixes[mix].kube.map(\.rawValue)) + \(Self.mixes[mix].arm.map(\.rawValue))"
        Self.expectAccurate(try Self.score(fleet, labelDumps: true), clusters: 2, what)
    }

    /// The case that broke cutover before: only one cluster's events (a `kubectl` dump with no
    /// cluster field, not labelled), but the whole subscription's activity log.
    @Test(arguments: [8, 33, 71] as [UInt64])
    func oneClustersEventsWithTheWholeSubscriptionsActivityLog(seed: UInt64) throws {
        var fleet = FleetSimulation.sameSubscription(
            seed: seed, count: 3, kubeShapes: [.kubectlWatch], armShapes: [.activityLogCLI, .pt1h])
        fleet.eventsOf = ["aks-prod-weu"]
        Self.expectAccurate(try Self.score(fleet, labelDumps: false), clusters: 1, "seed \(seed), unlabelled watch of one cluster")
    }

    /// Four clusters, one fleet exporter stream and `kubectl` dumps of each, one of which is
    /// given with `--cluster` and the others not.
    @Test func fourClustersWithAFleetStream() throws {
        let fleet = FleetSimulation.sameSubscription(seed: 90, count: 4, kubeShapes: [.exporter, .kubectlList], armShapes: [.pt1h])
        Self.expectAccurate(try Self.score(fleet, labelDumps: false), clusters: 4, "four clusters")
    }

    @Test func theSameSeedGivesTheSameFleetAndPoolNamesRepeat() throws {
        let fleet = FleetSimulation.sameSubscription(seed: 3, count: 2)
        let a = fleet.clusters.map { IncidentSimulator(spec: $0).simulate() }
        let b = fleet.clusters.map { IncidentSimulator(spec: $0).simulate() }
        #expect(a.map { IncidentWriter().truth($0) } == b.map { IncidentWriter().truth($0) })
        #expect(Set(a[0].nodes.map(\.pool)) == Set(a[1].nodes.map(\.pool)))
        #expect(Set(a[0].nodes.map(\.name)).isDisjoint(with: a[1].nodes.map(\.name)))
        #expect(a[0].milestones[0].succeededAt != a[1].milestones[0].succeededAt)
    }
}
