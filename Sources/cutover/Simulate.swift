import ArgumentParser
import CutoverKit
import Foundation

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a realistic synthetic incident (logs in real export shapes + truth.json).",
        discussion: """
            Shapes: \(ExportShape.allCases.map(\.rawValue).joined(separator: ", ")).
            The shipped samples/ are made with the first example.
            Example:
              cutover simulate --preset small --seed 7 --out samples
              cutover simulate --preset fleet --out /tmp/fleet
              cutover simulate --nodes 60 --pools 4 --miss-rate 3=0.5 --shapes kubectl-watch,events-v1,azure-activity --out /tmp/x
              cutover simulate --egress nsg --no-bodies --out /tmp/nsg
              cutover simulate --clusters 2 --shapes event-exporter,az-activity-log,pt1h --out /tmp/fleet2
            """)

    @Option(
        name: .long, help: "small (19 nodes, the samples) or fleet (2,000 nodes, about a million events).",
        completion: .list(["small", "fleet"]))
    var preset: String = "small"
    @Option(name: .long, help: "Random seed; the same seed gives byte-identical files.") var seed: UInt64 = 7
    @Option(name: .long, help: "Total nodes (overrides the preset).") var nodes: Int?
    @Option(name: .long, help: "Number of node pools (overrides the preset).") var pools: Int?
    @Option(
        name: .long,
        help: ArgumentHelp("Chance that a manual reimage round forgets a node, as ROUND=P (rounds 2 and 3).", valueName: "ROUND=P"))
    var missRate: [String] = []
    @Option(name: .long, help: "Ordinary events per node.") var eventsPerNode: Int?
    @Option(name: .long, help: "Share of converged nodes with an unrelated failure (0...1).") var noise: Double?
    @Option(name: .long, help: "Pods that fail on each node that missed a round (1...50). (default: 1)") var failingPods: Int?
    @Option(name: .long, help: "Comma-separated export shapes to write.") var shapes: String?
    @Flag(name: .long, help: "Write plain files instead of gzip.") var plain = false
    @Flag(name: .long, help: "Cluster writes without request bodies, as most real activity logs are.") var noBodies = false
    @Flag(name: .long, help: "The private DNS link comes only after round 2's reimages (wiring incomplete).") var lateWiring = false
    @Option(
        name: .long,
        help: "How round 3 removes egress: \(EgressMethod.allCases.map(\.rawValue).joined(separator: ", ")) (outside AKS but the first).",
        completion: .list(EgressMethod.allCases.map(\.rawValue)))
    var egress: String = EgressMethod.outboundType.rawValue
    @Option(
        name: .long, help: "The procedure the operators follow: three-rounds or current-docs.",
        completion: .list(Playbook.builtIn.map(\.name)))
    var playbook: String = Playbook.threeRounds.name
    @Option(
        name: .long,
        help: """
            Clusters converted the same day in one subscription (same pool names, 100 minutes apart), written as one \
            subscription's activity log, one fleet exporter stream and workspace export, and kubectl dumps per cluster.
            """)
    var clusters: Int = 1
    @Option(name: .long, help: "Directory to write logs/ and truth.json into.", completion: .directory) var out: String

    func validate() throws {
        guard SimulationSpec.preset(preset) != nil else { throw ValidationError("--preset must be small or fleet") }
        guard (1...20).contains(clusters) else { throw ValidationError("--clusters must be between 1 and 20") }
        _ = try spec()
    }

    func spec() throws -> SimulationSpec {
        var spec = SimulationSpec.preset(preset) ?? SimulationSpec()
        spec.seed = seed
        if nodes != nil || pools != nil {
            let total = nodes ?? spec.pools.reduce(0) { $0 + $1.nodes }
            guard total >= 3 else { throw ValidationError("--nodes must be at least 3") }
            spec.pools = SimulationSpec.pools(nodes: total, count: pools ?? spec.pools.count)
            spec.failedUpgradeLeavesOut = min(spec.failedUpgradeLeavesOut, max(1, (spec.pools.last?.nodes ?? 1) / 3))
        }
        for item in missRate {
            let parts = item.split(separator: "=").map(String.init)
            guard parts.count == 2, let round = Int(parts[0]), [2, 3].contains(round), let p = Double(parts[1]), (0...1).contains(p) else {
                throw ValidationError("--miss-rate \(item): expected ROUND=P with ROUND 2 or 3 and P in 0...1, e.g. 3=0.25")
            }
            spec.missRates[round] = p
        }
        if let eventsPerNode { spec.eventsPerNode = max(5, eventsPerNode) }
        if let noise {
            guard (0...1).contains(noise) else { throw ValidationError("--noise must be between 0 and 1") }
            spec.noise = noise
        }
        if let failingPods {
            guard (1...50).contains(failingPods) else { throw ValidationError("--failing-pods must be between 1 and 50") }
            spec.failingPods = failingPods
        }
        if let shapes {
            spec.shapes = try shapes.split(separator: ",").map { name in
                guard let shape = ExportShape(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError(
                        "--shapes: unknown shape \(name); known: \(ExportShape.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return shape
            }
            guard spec.shapes.contains(where: \.isKubernetes), spec.shapes.contains(where: { !$0.isKubernetes }) else {
                throw ValidationError("--shapes needs at least one Kubernetes shape and one activity-log shape")
            }
        }
        spec.gzip = !plain
        spec.bodies = !noBodies
        spec.lateWiring = lateWiring
        guard let method = EgressMethod(rawValue: egress) else {
            throw ValidationError("--egress must be one of \(EgressMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        spec.egress = method
        guard let chosen = Playbook.builtIn.first(where: { $0.name == playbook }) else {
            throw ValidationError("--playbook must be one of \(Playbook.builtIn.map(\.name).joined(separator: ", "))")
        }
        spec.playbook = chosen
        return spec
    }

    /// On a terminal, a line per phase and per file written (a fleet takes minutes); nothing
    /// in a pipe or a log, where the summary line says it all.
    static func announce(_ text: String) {
        if isatty(2) == 1 { printError("simulate: " + text) }
    }

    static let written: @Sendable (String, Int) -> Void = { path, bytes in
        let size = bytes >= 1_000_000 ? "\(ProgressLine.grouped(bytes / 1_000_000)) MB" : "\(ProgressLine.grouped(bytes / 1_000)) KB"
        announce("wrote \(path) (\(size) before compression)")
    }

    func run() throws {
        let spec = try spec()
        Self.announce(
            "generating the incident in memory: pools of \(ProgressLine.grouped(spec.pools.map(\.nodes).reduce(0, +))) nodes"
                + (clusters > 1 ? " in each of \(clusters) clusters" : "") + " (a fleet takes a minute or more)")
        if clusters > 1 {
            var fleet = FleetSimulation.sameSubscription(base: spec, count: clusters)
            fleet.written = Self.written
            let incidents = try fleet.write(to: out)
            printError(
                "simulated \(incidents.count) clusters in one subscription (\(incidents.map(\.cluster).joined(separator: ", "))): "
                    + "\(incidents.map(\.nodes.count).reduce(0, +)) nodes, \(incidents.map(\.events.count).reduce(0, +)) events, "
                    + "\(incidents.map(\.failures.count).reduce(0, +)) failure events into \(out)"
                    + (spec.shapes.contains { $0.isKubernetes && !FleetSimulation.fleetShapes.contains($0) }
                        ? "; the kubectl shapes are in logs/kube/CLUSTER/ (ingest them with --cluster CLUSTER)" : ""))
            return
        }
        let incident = try Pipeline.simulate(spec: spec, directory: out, written: Self.written)
        printError(
            "simulated \(incident.nodes.count) nodes, \(incident.events.count) events, "
                + "\(incident.activity.count) activity records, \(incident.failures.count) failure events into \(out)")
    }
}
