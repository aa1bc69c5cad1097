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
        Self.mentionedNodes(host: sourceHost, byKubelet: sourceComponent == "kubelet", node: objectKind == "Node" ? objectName : nil)
    }

    /// The rule of `mentionedNodes`, given the host, whether the kubelet reported, and the name
    /// of the Node the event is about (nil for any other object).
    static func mentionedNodes(host: String?, byKubelet: Bool, node: String?) -> [String] {
        var nodes: [String] = []
        if let host = host?.lowercased(), !host.isEmpty, byKubelet || (host.hasPrefix("aks-") && host.contains("-vmss")) {
            nodes.append(host)
        }
        if let name = node?.lowercased(), !name.isEmpty, !nodes.contains(name) { nodes.append(name) }
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

/// A Kubernetes event as the decoder found it in its record: for each text field, the node of
/// the `JSONIndex` its value is read from (nil: absent or empty). The parse thread copies those
/// bytes into the row without making a `String` of each; `event(_:)` makes the `KubeEvent`.
struct KubeEventNodes {
    /// The cluster: read from a node, or given (`ingest --cluster`, a migration's stored value).
    enum Cluster {
        case node(Int?)
        case given(String?)
    }

    var uid: Int?
    var cluster: Cluster
    var namespace: Int?
    var name: Int?
    var objectKind: Int?
    var objectNamespace: Int?
    var objectName: Int?
    var objectUID: Int?
    var fieldPath: Int?
    var reason: Int?
    var message: Int?
    var type: Int?
    var sourceComponent: Int?
    var sourceHost: Int?
    var firstSeen: Timestamp
    var lastSeen: Timestamp
    var timeField: String
    var count: Int
    var shape: KubeEvent.Shape

    func clusterText(_ json: JSONIndex) -> String? {
        switch cluster {
        case .node(let node): return json.string(node)
        case .given(let text): return text
        }
    }

    func event(_ json: JSONIndex) -> KubeEvent {
        KubeEvent(
            uid: json.string(uid), cluster: clusterText(json), namespace: json.string(namespace), name: json.string(name),
            objectKind: json.string(objectKind), objectNamespace: json.string(objectNamespace), objectName: json.string(objectName),
            objectUID: json.string(objectUID), fieldPath: json.string(fieldPath), reason: json.string(reason),
            message: json.string(message), type: json.string(type), sourceComponent: json.string(sourceComponent),
            sourceHost: json.string(sourceHost), firstSeen: firstSeen, lastSeen: lastSeen, timeField: timeField, count: count,
            shape: shape)
    }

    /// `KubeEvent.mentionedNodes`, reading only the fields the rule needs.
    func mentionedNodes(_ json: JSONIndex) -> [String] {
        KubeEvent.mentionedNodes(
            host: json.string(sourceHost), byKubelet: json.isText(sourceComponent, "kubelet"),
            node: json.isText(objectKind, "Node") ? json.string(objectName) : nil)
    }
}
