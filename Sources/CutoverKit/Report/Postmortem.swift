/// Everything the postmortem shows, read from the database, sorted, ready to render.
public struct Postmortem: Sendable {
    public struct MilestoneRow: Sendable, Equatable {
        public var round: Int
        public var name: String
        public var time: String?
        public var source: String
        public var evidence: String
        public var requiresReimage: Bool
    }

    public struct FailureRow: Sendable, Equatable {
        public var firstSeen: String
        public var lastSeen: String = ""
        public var node: String?
        public var namespace: String?
        public var pod: String?
        public var category: String
        public var reason: String
        public var count: Int
        public var verdict: String
        public var missedRound: Int?
        public var missedRounds: String?
        public var confidence: String
        public var explanation: String
        public var message: String
        public var wiringIncomplete = false
    }

    public struct MissedNode: Sendable, Equatable {
        public var node: String
        public var pool: String?
        public var vmss: String?
        public var instanceID: Int?
        /// The node resource group, when an activity record names the scale set.
        public var resourceGroup: String?
        public var failures: Int
        public var firstFailure: String
        /// Its last bootstrap before the milestone (UTC), when one is known.
        public var lastBootstrap: String?
    }

    /// A node that still has a round to bootstrap into (`missed` in `node_rounds`), whatever failed.
    public struct UnconvergedNode: Sendable, Equatable {
        public var node: String
        public var pool: String?
        public var vmss: String?
        public var instanceID: Int?
        public var resourceGroup: String?
        public var missedRounds: [Int]
    }

    public struct NodeMatrixRow: Sendable, Equatable {
        public var node: String
        /// When the node left the cluster (a surge node after its upgrade), if it did.
        public var removedAt: String?
        /// Per round in order: "done 10:41", "MISSED", "gone", "n/a", "?".
        public var cells: [String]
    }

    public struct CohortRow: Sendable, Equatable {
        public var round: Int
        public var name: String
        public var withRound: Int
        public var failingWith: Int
        public var withoutRound: Int
        public var failingWithout: Int
    }

    public struct InputRow: Sendable, Equatable {
        public var name: String
        public var status: String
        public var kubeEvents: Int
        public var activityRecords: Int
        public var duplicates: Int
        public var skipped: Int
        public var rejects: Int
        /// The earliest and latest record time in the file (stored text), when recorded.
        public var firstTime: String?
        public var lastTime: String?
        /// SHA-256 of the file as ingested (hex), when known.
        public var sha256: String?
    }

    public struct RejectRow: Sendable, Equatable {
        public var file: String
        public var line: Int
        public var reason: String
    }

    public var cluster: String?
    /// The managed cluster's resource id, when the inputs showed it.
    public var resourceID: String?
    /// The playbook the rounds came from.
    public var playbook: String?
    public var windowStart: String?
    public var windowEnd: String?
    public var milestones: [MilestoneRow]
    public var failures: [FailureRow] { didSet { grouped = nil } }
    /// `failures` grouped by pod and verdict (`MarkdownRenderer.pods`), when the builder started
    /// that beside its other work; nil once `failures` changes.
    var grouped: Pending<[MarkdownRenderer.PodFailure]>?
    /// The pods the document counts: one for each pod and verdict of `failures`.
    var pods: [MarkdownRenderer.PodFailure] { grouped?.value ?? MarkdownRenderer.pods(failures) }
    /// Per round number: the nodes whose earliest missed round it is.
    public var missedNodes: [Int: [MissedNode]]
    public var matrix: [NodeMatrixRow]
    public var cohorts: [CohortRow]
    /// Evidence sources the inputs lacked, with what that costs.
    public var missingEvidence: [(source: String, cost: String)]
    /// Every kind of evidence: whether the inputs hold it, and the time windows they cover
    /// (ISO 8601 intervals, comma-separated; nil when unknown).
    public var evidence: [(source: String, present: Bool, windows: String?)]
    public var inputs: [InputRow]
    public var rejects: [RejectRow]
    public var rejectCount: Int
    /// Per round and pool, the nodes that bootstrapped between that milestone and the next:
    /// the reimage waves of the timeline.
    public struct Wave: Sendable, Equatable {
        public var round: Int
        public var pool: String
        public var first: String
        public var last: String
        public var nodes: Int
    }
    public var waves: [Wave] = []
    /// Nodes still to reimage, and each pool's present node count (for a pool-wide upgrade).
    public var unconverged: [UnconvergedNode] = []
    public var poolSizes: [String: Int] = [:]
    /// The cluster's name and resource group, for `az aks` commands.
    public var clusterName: String?
    public var clusterResourceGroup: String?
    /// What built the database: each ingest's paths, the last correlation's playbook and given milestones.
    public var ingests: [String] = []
    public var correlation: (playbook: String, given: String)?
    /// SHA-256 over the results this postmortem shows (milestones, node rounds, attributions):
    /// the same inputs and cutover give the same fingerprint.
    public var fingerprint: String {
        get { hashing?.value ?? knownFingerprint }
        set { (knownFingerprint, hashing) = (newValue, nil) }
    }
    var knownFingerprint = ""
    /// The fingerprint while the builder's thread still hashes: the document waits for it only
    /// where it prints it, at the end.
    var hashing: Pending<String>?
}

extension Postmortem {
    /// One command of the remediation: a reimage of a scale set's instances, or a node-image
    /// upgrade of a pool most of whose nodes are behind.
    public struct RemediationStep: Sendable, Equatable {
        public var command: String
        public var nodes: [String]
        /// Set for a pool-wide upgrade: the pool and its present node count.
        public var pool: String?
        public var poolSize: Int?
    }

    /// The commands that reimage every node still behind, one per scale set (or pool), and the
    /// nodes no command can be given for (their scale set is unknown, or its name is not valid).
    public var remediation: (steps: [RemediationStep], withoutCommand: [String]) {
        var steps: [RemediationStep] = []
        var withoutCommand: [String] = []
        for (vmss, nodes) in Dictionary(grouping: unconverged, by: { $0.vmss ?? "" }).sorted(by: { $0.key < $1.key }) {
            let names = nodes.map(\.node)
            if let pool = nodes.first?.pool, let size = poolSizes[pool], nodes.count * 2 > size,
                let command = AzureCommand.nodepoolUpgrade(resourceGroup: clusterResourceGroup, cluster: clusterName, pool: pool)
            {
                steps.append(RemediationStep(command: command, nodes: names, pool: pool, poolSize: size))
                continue
            }
            let ids = nodes.compactMap(\.instanceID).sorted()
            if !vmss.isEmpty, ids.count == nodes.count,
                let command = AzureCommand.vmssReimage(resourceGroup: nodes.first?.resourceGroup, vmss: vmss, instanceIDs: ids)
            {
                steps.append(RemediationStep(command: command, nodes: names))
            } else {
                withoutCommand += names
            }
        }
        return (steps, withoutCommand)
    }
}
