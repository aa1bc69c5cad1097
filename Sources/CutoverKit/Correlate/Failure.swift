/// An image-pull or add-on failure: one Kubernetes event object (however often it repeated).
public struct Failure: Sendable, Equatable {
    public enum Category: String, Sendable {
        case imagePull = "image_pull"
        case addon
    }

    public var eventID: Int64
    public var uid: String?
    public var cluster: String?
    public var node: String?
    /// Where `node` came from: the event's reporting host or the pod's `Scheduled` event.
    public var nodeSource: String?
    public var namespace: String?
    public var pod: String?
    public var category: Category
    public var reason: String
    public var message: String
    /// The pull error of the same pod when this event's own text has none ("Error:
    /// ErrImagePull", "Back-off pulling image …"): kubelet states the cause only once.
    public var detail: String?
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    public var count: Int
}

/// Picks the failures out of the events and places them on nodes.
///
/// Image pulls: `ErrImagePull`, `ImagePullBackOff`, `Failed` with a pull error, `BackOff`
/// "Back-off pulling image", `FailedCreatePodSandBox` on the sandbox image (kubelet
/// `images/image_manager.go` texts, docs/DOMAIN.md §6). Add-ons: pods of the AKS add-ons of
/// docs/DOMAIN.md §7 in `kube-system` with `BackOff`, `Failed`, `FailedCreatePodSandBox`,
/// `FailedMount`, `Unhealthy` or a pull failure. The node is the event's reporting host,
/// else the node of the pod's `Scheduled` event.
public struct FailureClassifier {
    public static let addonNamespaces: Set<String> = ["kube-system", "gatekeeper-system", "calico-system", "app-routing-system"]
    public static let addonPrefixes = [
        "coredns", "konnectivity-agent", "metrics-server", "kube-proxy", "azure-ip-masq-agent", "cloud-node-manager",
        "csi-azuredisk-node", "csi-azurefile-node", "csi-blob-node", "azure-cns", "azure-policy", "azure-wi-webhook",
        "ama-logs", "ama-metrics", "microsoft-defender", "retina-agent", "eraser", "gatekeeper", "calico", "tigera",
        "nginx", "keda", "aks-secrets-store", "secrets-store-csi", "omsagent",
    ]
    static let addonReasons: Set<String> = [
        "BackOff", "CrashLoopBackOff", "Failed", "FailedCreatePodSandBox", "FailedMount", "Unhealthy",
        "ErrImagePull", "ImagePullBackOff",
    ]

    public init() {}

    public static func isAddon(namespace: String?, pod: String?) -> Bool {
        guard let namespace, addonNamespaces.contains(namespace), let pod else { return false }
        return addonPrefixes.contains { pod.hasPrefix($0) }
    }

    public static func isImagePull(reason: String, message: String) -> Bool {
        switch reason {
        case "ErrImagePull", "ImagePullBackOff":
            return true
        case "Failed":
            return ByteSearch.contains(message, "pull image") || ByteSearch.contains(message, "ErrImagePull")
                || ByteSearch.contains(message, "ImagePullBackOff")
        case "BackOff":
            return message.hasPrefix("Back-off pulling image")
        case "FailedCreatePodSandBox":
            return ByteSearch.contains(message, "sandbox image") || ByteSearch.contains(message, "pause")
        default:
            return false
        }
    }

    /// The category of a pod event, or nil when it is not a failure.
    public static func category(namespace: String?, pod: String?, reason: String, message: String) -> Failure.Category? {
        // The reason first: most pod events (Scheduled, Pulled, Started) are no failure of any kind.
        if addonReasons.contains(reason) && isAddon(namespace: namespace, pod: pod) {
            return .addon
        }
        return isImagePull(reason: reason, message: message) ? .imagePull : nil
    }

    /// Failures among `events`, with their node.
    public func failures(_ events: [EventFact]) -> [Failure] {
        var signals = ErrorSignal.Memo()
        return failures(events, signals: &signals)
    }

    /// The same, reading each distinct text with `signals` (the caller reads the failures' texts
    /// again: one memo, so each is read once).
    func failures(_ events: [EventFact], signals: inout ErrorSignal.Memo) -> [Failure] {
        // Read in place (`events[i].field`): copying each of 340,000 facts only to look at its
        // reason retained and released every string it holds.
        events.withUnsafeBufferPointer { failures(in: $0, signals: &signals) }
    }

    private func failures(in events: UnsafeBufferPointer<EventFact>, signals: inout ErrorSignal.Memo) -> [Failure] {
        // The pod of a Scheduled event is its involved object; only pods that need it (a failure
        // event without a host) have their node read from the message. And per pod, the texts
        // that say why its pulls fail.
        var needed: Set<String> = []
        var causes: [String: [(Timestamp, String)]] = [:]
        for i in events.indices where events[i].objectKind == "Pod" && events[i].reason != "Scheduled" {
            if (events[i].sourceHost ?? "").isEmpty { needed.insert(Self.pod(events[i].objectNamespace, events[i].objectName)) }
            if events[i].reason == "Failed" && events[i].message.hasPrefix("Failed to pull image") {
                causes[Self.pod(events[i].objectNamespace, events[i].objectName), default: []].append(
                    (events[i].firstSeen, events[i].message))
            }
        }
        var podNode: [String: String] = [:]
        for i in events.indices where !needed.isEmpty && events[i].reason == "Scheduled" {
            let pod = Self.pod(events[i].objectNamespace, events[i].objectName)
            if needed.contains(pod), let node = events[i].scheduledNode { podNode[pod] = node }
        }
        var result: [Failure] = []
        // A Scheduled event (two thirds of a large incident's) is no failure: passed over first.
        for i in events.indices where events[i].reason != "Scheduled" && events[i].objectKind == "Pod" {
            guard
                let category = Self.category(
                    namespace: events[i].objectNamespace, pod: events[i].objectName, reason: events[i].reason,
                    message: events[i].message)
            else { continue }
            // Read through its pointer: the fact bound to a name would be copied.
            let e = events.baseAddress! + i
            var node = e.pointee.sourceHost.map(ByteSearch.lowercased).flatMap { $0.isEmpty ? nil : $0 }
            var nodeSource: String? = node == nil ? nil : "reporting host"
            if node == nil, e.pointee.objectNamespace != nil, e.pointee.objectName != nil,
                let scheduled = podNode[Self.pod(e.pointee.objectNamespace, e.pointee.objectName)]
            {
                node = scheduled
                nodeSource = "the pod's Scheduled event"
            }
            // The closest cause of the same pod within ten minutes, for texts that state none.
            let detail =
                signals.signal(of: e.pointee.message).kind == .other
                ? causes[Self.pod(e.pointee.objectNamespace, e.pointee.objectName)]?
                    .filter { abs($0.0.millis - e.pointee.firstSeen.millis) <= 600_000 }
                    .min { abs($0.0.millis - e.pointee.firstSeen.millis) < abs($1.0.millis - e.pointee.firstSeen.millis) }?.1
                : nil
            result.append(
                Failure(
                    eventID: e.pointee.eventID, uid: e.pointee.uid, cluster: e.pointee.cluster, node: node, nodeSource: nodeSource,
                    namespace: e.pointee.objectNamespace, pod: e.pointee.objectName, category: category, reason: e.pointee.reason,
                    message: e.pointee.message,
                    detail: detail, firstSeen: e.pointee.firstSeen, lastSeen: e.pointee.lastSeen, count: e.pointee.count))
        }
        return result
    }

    /// `namespace/name` of an event's involved object (its two fields, not the fact: a fact
    /// passed from the buffer is copied).
    private static func pod(_ namespace: String?, _ name: String?) -> String { "\(namespace ?? "")/\(name ?? "")" }
}
