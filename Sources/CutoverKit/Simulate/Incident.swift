/// A simulated cutover: what really happened (nodes, reimages, milestones, failures with
/// their true cause) and the log records that reality leaves behind.
public struct Incident: Sendable {
    public struct SimNode: Sendable {
        public var name: String
        public var pool: String
        public var vmss: String
        public var instanceID: Int
        /// When the node joined (nil: it existed before the logs start).
        public var createdAt: Timestamp?
        /// Real bootstraps (reimages), in time order.
        public var bootstraps: [Timestamp] = []
        public var reboots: [Timestamp] = []
        public var removedAt: Timestamp?
        /// How each round's reimage reached it, for the README and the truth file.
        public var mechanisms: [String] = []

        /// The latest moment before `t` at which the node had fresh config.
        func lastBootstrap(atOrBefore t: Timestamp) -> Timestamp? {
            bootstraps.last { $0 <= t } ?? createdAt.flatMap { $0 <= t ? $0 : nil }
        }
    }

    public struct MilestoneTruth: Sendable {
        public var round: Int
        public var startedAt: Timestamp
        public var succeededAt: Timestamp
    }

    /// One Kubernetes event object as the API server would hold it at its last update.
    public struct Event: Sendable {
        public var uid: String
        public var name: String
        public var namespace: String
        public var objectKind: String
        public var objectNamespace: String?
        public var objectName: String
        public var objectUID: String
        public var fieldPath: String?
        public var reason: String
        public var message: String
        public var type: String
        public var component: String
        public var host: String?
        public var firstSeen: Timestamp
        public var lastSeen: Timestamp
        public var count: Int
    }

    /// One activity-log record.
    public struct Activity: Sendable {
        public var eventDataId: String
        public var operationId: String
        public var correlationId: String
        public var operationName: String
        public var status: String
        public var subStatus: String
        public var time: Timestamp
        public var resourceId: String
        public var caller: String
        public var requestBody: String?
        public var statusMessage: String?
        /// Written to the node resource group's diagnostic-settings export rather than the CLI dump.
        public var nodeResourceGroup: Bool
    }

    /// What truly caused one failure event.
    public struct FailureTruth: Sendable {
        public var eventUID: String
        public var node: String
        public var verdict: String
        public var missedRounds: [Int]
        public var cause: String
    }

    public var seed: UInt64
    /// The playbook the operators followed (which rounds they reimaged after).
    public var playbook: String
    public var cluster: String
    public var subscription: String
    public var resourceGroup: String
    public var nodeResourceGroup: String
    public var start: Timestamp
    public var end: Timestamp
    public var milestones: [MilestoneTruth]
    public var nodes: [SimNode]
    public var events: [Event]
    public var activity: [Activity]
    public var failures: [FailureTruth]
}
