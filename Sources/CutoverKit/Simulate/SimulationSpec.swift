/// The export shapes the simulator can write, each as real tools produce it.
public enum ExportShape: String, CaseIterable, Sendable {
    /// kubernetes-event-exporter stdout sink: compact core/v1 Events, one per line.
    case exporter = "event-exporter"
    /// `kubectl get events -A -o json`: a pretty List, the last hour only.
    case kubectlList = "kubectl-list"
    /// `kubectl get events -A -w -o json`: concatenated pretty objects, from 11:00.
    case kubectlWatch = "kubectl-watch"
    /// `kubectl get events.v1.events.k8s.io -A -o json`: events.k8s.io/v1 List, the last hour.
    case eventsV1 = "events-v1"
    /// Container Insights `KubeEvents` rows from `az monitor log-analytics query` (JSON array):
    /// Warning events only, as Container Insights collects by default.
    case kubeEvents = "kube-events"
    /// The same rows exported from the portal as CSV (`TimeGenerated [UTC]`, `11/3/2026, 1:04:55.597 PM`).
    case kubeEventsCSV = "kube-events-csv"
    /// `az monitor activity-log list`: a JSON array of REST EventData, newest first.
    case activityLogCLI = "az-activity-log"
    /// Diagnostic settings to storage: `PT1H.json`, one record per line, one file per hour.
    case pt1h = "pt1h"
    /// Diagnostic settings to Event Hubs: `{"records":[…]}` messages, one per line.
    case eventHubs = "event-hubs"
    /// Log Analytics `AzureActivity` rows exported as a JSON array.
    case azureActivity = "azure-activity"
    /// The same rows exported from the portal as CSV.
    case azureActivityCSV = "azure-activity-csv"

    public var isKubernetes: Bool {
        switch self {
        case .exporter, .kubectlList, .kubectlWatch, .eventsV1, .kubeEvents, .kubeEventsCSV: return true
        default: return false
        }
    }
}

/// How the simulated operators remove egress in round 3 (docs/DOMAIN.md §9).
public enum EgressMethod: String, CaseIterable, Sendable {
    /// `az aks update --outbound-type none`: a managed-cluster write.
    case outboundType = "outbound-type"
    /// A black-hole default route (`0.0.0.0/0` → `None`) in the node subnet's route table.
    case routeTable = "route-table"
    /// An NSG rule on the node subnet denying outbound traffic to the Internet.
    case nsg
    /// The node subnet's default outbound access turned off.
    case subnet
    /// The NAT gateway detached from the node subnet (it was attached at 08:05).
    case natGateway = "nat-gateway"
}

/// Who the simulated cluster is and when its conversion runs.
public struct SimulatedCluster: Sendable, Equatable {
    public var name: String
    public var subscription: String
    public var resourceGroup: String
    /// When its day starts (its deployments; round 1 follows an hour later).
    public var start: Timestamp

    public init(
        name: String = "aks-prod-weu", subscription: String = "3f2b8c1e-7d4a-4e9b-9c61-0a5d2e8f4b17",
        resourceGroup: String? = nil, start: Timestamp = Timestamp(millis: 1_793_692_800_000)  // 2026-11-03T08:00:00Z
    ) {
        self.name = name
        self.subscription = subscription
        self.resourceGroup = resourceGroup ?? "rg-" + (name.hasPrefix("aks-") ? String(name.dropFirst(4)) : name)
        self.start = start
    }

    public var nodeResourceGroup: String { "MC_\(resourceGroup)_\(name)_westeurope" }
    public var resourceID: String {
        "/subscriptions/\(subscription)/resourceGroups/\(resourceGroup)/providers/Microsoft.ContainerService/managedClusters/\(name)"
    }
}

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
    /// Ordinary events per node (pod roll-outs), before failures and reimages.
    public var eventsPerNode = 15
    /// Share of converged nodes that get an unrelated failure (bad tag, rate limit): noise
    /// that must never be blamed on a round.
    public var noise = 0.2
    /// Pods that fail on each node that missed a round. A node without a round's config fails
    /// every pod whose image it cannot pull, so real incidents have many per node; the shipped
    /// samples have one.
    public var failingPods = 1
    /// The export shapes to write; the first Kubernetes shape holds every event, the others
    /// overlap it as real exports do.
    public var shapes: [ExportShape] = [.exporter, .kubectlList, .activityLogCLI, .pt1h]
    /// The procedure the operators follow: with `current-docs` nobody reimages after round 3,
    /// and missing it causes nothing.
    public var playbook = Playbook.threeRounds
    public var gzip = true
    /// Whether cluster writes carry their request body (real activity logs rarely do).
    public var bodies = true
    /// Whether the private DNS zone's VNet link comes only after round 2's reimages, so
    /// that some reimaged nodes fail until it exists ("wiring incomplete").
    public var lateWiring = false
    /// How round 3 removes egress: through AKS or with the network outside it.
    public var egress = EgressMethod.outboundType
    /// The cluster's name, resource group, subscription and start of day.
    public var cluster = SimulatedCluster()

    public init() {}

    /// Pools `system`, `apps`, `batch`, `pool3`… sharing `nodes` as evenly as possible.
    public static func pools(nodes: Int, count: Int) -> [Pool] {
        let names = ["system", "apps", "batch"]
        let count = max(1, min(count, nodes))
        return (0..<count).map { i in
            Pool(name: i < names.count ? names[i] : "pool\(i)", nodes: nodes / count + (i < nodes % count ? 1 : 0))
        }
    }

    /// `small`: the shipped sample (19 nodes). `fleet`: 2,000 nodes and about a million events.
    public static func preset(_ name: String) -> SimulationSpec? {
        var spec = SimulationSpec()
        switch name {
        case "small":
            return spec
        case "fleet":
            spec.pools = pools(nodes: 2000, count: 20)
            spec.failedUpgradeLeavesOut = 30
            spec.eventsPerNode = 500
            spec.noise = 0.02
            spec.shapes = [.exporter, .activityLogCLI, .pt1h]
            return spec
        default:
            return nil
        }
    }
}
