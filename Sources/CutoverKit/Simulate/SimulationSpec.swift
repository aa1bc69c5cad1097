/// The knobs of a simulated incident. Same spec, same seed: byte-identical output.
public struct SimulationSpec: Sendable {
    public struct Pool: Sendable {
        public var name: String
        public var nodes: Int

        public init(name: String, nodes: Int) {
            self.name = name
            self.nodes = nodes
        }
    }

    public var seed: UInt64 = 7
    public var pools: [Pool] = [Pool(name: "system", nodes: 3), Pool(name: "apps", nodes: 10), Pool(name: "batch", nodes: 6)]
    /// Chance that a manual reimage round forgets a node, per round (rounds 2 and 3 are manual).
    public var missRates: [Int: Double] = [2: 0.2, 3: 0.25]
    /// Round 1's node-image upgrade of the last pool fails after all but this many nodes.
    public var failedUpgradeLeavesOut = 2
    /// Application pods started per node at the beginning of the window (ordinary noise).
    public var appPodsPerNode = 2

    public init() {}

    /// `small`: the shipped sample (19 nodes). `fleet`: about 2,000 nodes.
    public static func preset(_ name: String) -> SimulationSpec? {
        var spec = SimulationSpec()
        switch name {
        case "small":
            return spec
        case "fleet":
            spec.pools = (0..<20).map { Pool(name: "pool\($0)", nodes: 100) }
            spec.failedUpgradeLeavesOut = 30
            spec.appPodsPerNode = 6
            return spec
        default:
            return nil
        }
    }
}
