/// One Kubernetes event, whatever shape it arrived in, with the fields correlation needs.
///
/// Field names keep the source spelling (`involvedObject` → `object*`, `source.host`).
/// Times are UTC; `timeField` says which source field `lastSeen` came from.
public struct KubeEvent: Sendable, Equatable {
    public enum Shape: String, Sendable, CaseIterable {
        case coreV1 = "core/v1"
        case eventsV1 = "events.k8s.io/v1"
        case exporter = "event-exporter"
        case kubeEvents = "KubeEvents"
    }

    public var uid: String?
    public var cluster: String?
    public var namespace: String?
    public var name: String?
    public var objectKind: String?
    public var objectNamespace: String?
    public var objectName: String?
    public var objectUID: String?
    public var fieldPath: String?
    public var reason: String?
    public var message: String?
    public var type: String?
    public var sourceComponent: String?
    public var sourceHost: String?
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    public var timeField: String
    public var count: Int
    public var shape: Shape

    public init(
        uid: String? = nil, cluster: String? = nil, namespace: String? = nil, name: String? = nil,
        objectKind: String? = nil, objectNamespace: String? = nil, objectName: String? = nil,
        objectUID: String? = nil, fieldPath: String? = nil, reason: String? = nil, message: String? = nil,
        type: String? = nil, sourceComponent: String? = nil, sourceHost: String? = nil,
        firstSeen: Timestamp, lastSeen: Timestamp, timeField: String, count: Int = 1, shape: Shape = .coreV1
    ) {
        self.uid = uid
        self.cluster = cluster
        self.namespace = namespace
        self.name = name
        self.objectKind = objectKind
        self.objectNamespace = objectNamespace
        self.objectName = objectName
        self.objectUID = objectUID
        self.fieldPath = fieldPath
        self.reason = reason
        self.message = message
        self.type = type
        self.sourceComponent = sourceComponent
        self.sourceHost = sourceHost
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.timeField = timeField
        self.count = count
        self.shape = shape
    }

    /// The nodes this event shows to exist: the host its kubelet reported from (an AKS node
    /// name, or any kubelet's host) and a Node object it is about. Lower case.
    public var mentionedNodes: [String] {
        var nodes: [String] = []
        if let host = sourceHost?.lowercased(), !host.isEmpty,
            sourceComponent == "kubelet" || (host.hasPrefix("aks-") && host.contains("-vmss"))
        {
            nodes.append(host)
        }
        if objectKind == "Node", let name = objectName?.lowercased(), !name.isEmpty, !nodes.contains(name) { nodes.append(name) }
        return nodes
    }

    /// The key that folds repeated sightings of one event object: its uid, or, for shapes
    /// without one, the fields that identify an occurrence series.
    public var dedupeKey: String {
        if let uid { return uid }
        return [
            "nk", cluster ?? "", objectNamespace ?? "", objectKind ?? "", objectName ?? "", reason ?? "",
            sourceHost ?? "", firstSeen.description, message ?? "",
        ].joined(separator: "|")
    }
}
