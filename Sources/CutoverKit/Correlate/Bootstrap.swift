/// A time at which a node re-ran bootstrap (or, for `reboot`, one at which it only restarted).
public struct Bootstrap: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// upgrader `Upgrade` "Successfully reimaged node: N".
        case upgraderReimage = "upgrader_reimage"
        /// node-controller `RegisteredNode`: a new Node object.
        case registeredNode = "registered_node"
        /// aks-auto-repair `NodeReimageEnd`.
        case autoRepairReimage = "auto_repair_reimage"
        /// ARM `virtualMachineScaleSets/virtualMachines/reimage/action` that succeeded.
        case armInstanceReimage = "arm_instance_reimage"
        /// ARM `virtualMachineScaleSets/reimage/action` whose body lists the instance.
        case armScaleSetReimage = "arm_scale_set_reimage"
        /// ARM `virtualMachineScaleSets/reimage/action` without a body: maybe every instance.
        case armScaleSetReimageUnlisted = "arm_scale_set_reimage_unlisted"
        /// A node-image upgrade of the node's pool that succeeded, with no per-node evidence of
        /// it: a pool-level hint that the node was reimaged.
        case poolNodeImageUpgrade = "pool_node_image_upgrade"
        /// The node's first appearance in any event (surge, scale-out, or the start of the logs).
        case firstSeen = "first_seen"
        /// A restart: recorded, never counted as a bootstrap.
        case reboot
    }

    public enum Strength: String, Sendable {
        case perNode = "per_node"
        /// Evidence about a scale set or pool that may not have reached every node.
        case weak
        case firstSeen = "first_seen"
        case notABootstrap = "not_a_bootstrap"
    }

    public var node: String
    public var time: Timestamp
    public var kind: Kind
    public var evidence: String

    public init(node: String, time: Timestamp, kind: Kind, evidence: String) {
        self.node = node
        self.time = time
        self.kind = kind
        self.evidence = evidence
    }

    public var strength: Strength {
        switch kind {
        case .upgraderReimage, .registeredNode, .autoRepairReimage, .armInstanceReimage, .armScaleSetReimage: return .perNode
        case .armScaleSetReimageUnlisted, .poolNodeImageUpgrade: return .weak
        case .firstSeen: return .firstSeen
        case .reboot: return .notABootstrap
        }
    }

    public var counts: Bool { kind != .reboot }
}

/// What is known of one node: its name parts, when it was first seen, its bootstraps and
/// reboots in time order, and when it left the cluster (if it did).
public struct NodeHistory: Sendable, Equatable {
    public var name: String
    public var parsed: NodeName?
    public var firstSeen: Timestamp
    public var bootstraps: [Bootstrap]
    public var removedAt: Timestamp?
    /// When the name last came back as a new node (a reused instance id), if it did.
    public var recreatedAt: Timestamp?

    public init(
        name: String, parsed: NodeName?, firstSeen: Timestamp, bootstraps: [Bootstrap], removedAt: Timestamp? = nil,
        recreatedAt: Timestamp? = nil
    ) {
        self.name = name
        self.parsed = parsed
        self.firstSeen = firstSeen
        self.bootstraps = bootstraps
        self.removedAt = removedAt
        self.recreatedAt = recreatedAt
    }

    /// The latest bootstrap at or before `t`, falling back to the first appearance.
    public func latestBootstrap(atOrBefore t: Timestamp) -> Bootstrap? {
        bootstraps.last { $0.counts && $0.time <= t }
    }

    /// The earliest bootstrap strictly after `t`, if any.
    public func firstBootstrap(after t: Timestamp) -> Bootstrap? {
        bootstraps.first { $0.counts && $0.time > t }
    }
}
