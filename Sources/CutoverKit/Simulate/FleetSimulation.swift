import Foundation

/// Several clusters converted on the same day in one subscription, written as the exports a
/// platform team really has: the subscription's activity log, a fleet event exporter and a
/// shared Log Analytics workspace, and `kubectl` dumps that name no cluster.
///
/// In: one `SimulationSpec` per cluster and the export shapes. Out: the incidents (each with
/// its own truth) and, under `directory`, `logs/arm/…` (every cluster's records merged, as a
/// subscription-wide diagnostic setting writes them), `logs/kube/…` and `truth.json`.
public struct FleetSimulation: Sendable {
    public var clusters: [SimulationSpec]
    /// Kubernetes shapes. `event-exporter`, `kube-events` and `kube-events-csv` are written once
    /// with every cluster's events, each tagged with its cluster; the `kubectl` shapes once per
    /// cluster, under `logs/kube/<cluster>/`, with no cluster field (ingest them with `--cluster`).
    public var kubeShapes: [ExportShape]
    /// Activity-log shapes, each holding every cluster's records.
    public var armShapes: [ExportShape]
    /// The clusters whose events were exported (nil: every one): "one cluster's events and the
    /// whole subscription's activity log".
    public var eventsOf: Set<String>?
    public var gzip = true
    /// Told each file written, as `IncidentWriter.written`.
    public var written: (@Sendable (_ path: String, _ bytes: Int) -> Void)?

    public init(clusters: [SimulationSpec], kubeShapes: [ExportShape], armShapes: [ExportShape], eventsOf: Set<String>? = nil) {
        self.clusters = clusters
        self.kubeShapes = kubeShapes
        self.armShapes = armShapes
        self.eventsOf = eventsOf
    }

    /// Shapes written once for the whole fleet, each record tagged with its cluster.
    public static let fleetShapes: Set<ExportShape> = [.exporter, .kubeEvents, .kubeEventsCSV]

    /// `count` clusters in one subscription with the same pool names (`system`, `apps`,
    /// `batch`), each starting its day 100 minutes after the previous one (so one's round 2
    /// lands between the other's rounds), seeds `seed`, `seed + 1`, ….
    public static func sameSubscription(
        seed: UInt64, count: Int = 2, nodes: Int = 24, kubeShapes: [ExportShape] = [.exporter],
        armShapes: [ExportShape] = [.activityLogCLI, .pt1h]
    ) -> FleetSimulation {
        var base = SimulationSpec()
        base.seed = seed
        base.pools = SimulationSpec.pools(nodes: nodes, count: 3)
        base.failedUpgradeLeavesOut = max(1, min(base.failedUpgradeLeavesOut, (base.pools.last?.nodes ?? 3) / 3))
        base.shapes = kubeShapes + armShapes
        return sameSubscription(base: base, count: count)
    }

    /// `count` copies of `base` as clusters of one subscription (its shapes split into
    /// Kubernetes and activity-log ones).
    public static func sameSubscription(base: SimulationSpec, count: Int) -> FleetSimulation {
        let names = ["aks-staging-weu", "aks-prod-weu", "aks-qa-weu", "aks-data-weu", "aks-edge-weu"]
        let specs = (0..<max(1, count)).map { i -> SimulationSpec in
            var spec = base
            spec.seed = base.seed + UInt64(i)
            let name = i < names.count ? names[i] : "aks-c\(i)-weu"
            spec.cluster = SimulatedCluster(
                name: name, subscription: base.cluster.subscription, start: base.cluster.start.adding(seconds: Double(i * 6000)))
            return spec
        }
        var fleet = FleetSimulation(
            clusters: specs, kubeShapes: base.shapes.filter(\.isKubernetes), armShapes: base.shapes.filter { !$0.isKubernetes })
        fleet.gzip = base.gzip
        return fleet
    }

    /// Simulates every cluster and writes their exports; returns the incidents.
    @discardableResult
    public func write(to directory: String) throws -> [Incident] {
        let incidents = clusters.map { IncidentSimulator(spec: $0).simulate() }
        let writer = IncidentWriter(shapes: kubeShapes + armShapes, gzip: gzip, written: written)
        let logs = (directory as NSString).appendingPathComponent("logs")
        try writer.makeDirectories(logs)
        let exported = incidents.filter { eventsOf?.contains($0.cluster) ?? true }
        let perCluster = kubeShapes.filter { !Self.fleetShapes.contains($0) }
        // As for one cluster, the first Kubernetes shape holds every event; the others overlap it.
        let complete = kubeShapes.first.map { !Self.fleetShapes.contains($0) } ?? false
        for shape in kubeShapes where Self.fleetShapes.contains(shape) {
            switch shape {
            case .exporter:
                try writer.save(writer.exporterLines(exported), to: "\(logs)/kube/event-exporter.ndjson")
            case .kubeEvents:
                let rows = exported.flatMap(writer.kubeEventsRows).map { JSONValue.object($0) }
                try writer.save(JSONValue.array(rows).pretty(indent: 2, sortedKeys: false) + "\n", to: "\(logs)/kube/kube-events.json")
            default:
                let rows = exported.flatMap(writer.kubeEventsRows)
                try writer.save(
                    writer.csv(rows, timeColumns: ["TimeGenerated", "FirstSeen", "LastSeen"]), to: "\(logs)/kube/kube-events.csv")
            }
        }
        for incident in exported {
            let dir = "\(logs)/kube/\(incident.cluster)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for (i, shape) in perCluster.enumerated() {
                let (name, text) = writer.kubernetesFile(shape, incident, complete: complete && i == 0)
                try writer.save(text, to: "\(dir)/\(name)")
            }
        }
        try writer.writeActivity(incidents.flatMap { i in i.activity.map { ($0, i) } }, logs: logs)
        let truth = JSONValue.object([
            ("note", .string("Ground truth of a simulated fleet incident, per cluster, computed from the simulation.")),
            ("clusters", .array(incidents.map(writer.truth))),
        ])
        try (truth.pretty(indent: 2, sortedKeys: false) + "\n")
            .write(toFile: (directory as NSString).appendingPathComponent("truth.json"), atomically: true, encoding: .utf8)
        return incidents
    }
}
