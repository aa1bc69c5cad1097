/// An activity-log record as correlation sees it (read back from `activity_records`).
public struct ActivityFact: Sendable, Equatable {
    public var recordID: Int64
    public var operation: String
    public var status: String
    public var time: Timestamp
    public var resourceKey: String
    public var operationKey: String
    public var requestBody: String?
    public var responseBody: String?
    public var caller: String?

    public init(
        recordID: Int64, operation: String, status: String, time: Timestamp, resourceKey: String,
        operationKey: String, requestBody: String? = nil, responseBody: String? = nil, caller: String? = nil
    ) {
        self.recordID = recordID
        self.operation = operation.lowercased()
        self.status = status
        self.time = time
        self.resourceKey = resourceKey.lowercased()
        self.operationKey = operationKey
        self.requestBody = requestBody
        self.responseBody = responseBody
        self.caller = caller
    }
}

/// A Kubernetes event as correlation sees it (read back from `kube_events`).
public struct EventFact: Sendable, Equatable {
    public var eventID: Int64
    public var uid: String?
    public var cluster: String?
    public var objectKind: String?
    public var objectNamespace: String?
    public var objectName: String?
    public var reason: String
    public var message: String
    public var sourceComponent: String?
    public var sourceHost: String?
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    public var count: Int

    public init(
        eventID: Int64, uid: String? = nil, cluster: String? = nil, objectKind: String?, objectNamespace: String? = nil,
        objectName: String?, reason: String, message: String, sourceComponent: String? = nil, sourceHost: String? = nil,
        firstSeen: Timestamp, lastSeen: Timestamp? = nil, count: Int = 1
    ) {
        self.eventID = eventID
        self.uid = uid
        self.cluster = cluster
        self.objectKind = objectKind
        self.objectNamespace = objectNamespace
        self.objectName = objectName
        self.reason = reason
        self.message = message
        self.sourceComponent = sourceComponent
        self.sourceHost = sourceHost
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen ?? firstSeen
        self.count = count
    }
}

/// Everything correlation reads: the activity log, the relevant events, and when each node
/// was first seen in any event.
public struct CorrelationFacts: Sendable {
    public var activity: [ActivityFact]
    public var events: [EventFact]
    public var nodeFirstSeen: [String: Timestamp]

    public init(activity: [ActivityFact], events: [EventFact], nodeFirstSeen: [String: Timestamp] = [:]) {
        self.activity = activity
        self.events = events
        self.nodeFirstSeen = nodeFirstSeen
    }

    /// Event reasons that correlation looks at; everything else is noise for it.
    public static let relevantReasons: [String] = [
        "Upgrade", "RegisteredNode", "RemovingNode", "NodeReimageEnd", "NodeRebootEnd", "Rebooted", "Scheduled",
        "Failed", "BackOff", "ErrImagePull", "ImagePullBackOff", "FailedCreatePodSandBox", "FailedMount",
        "Unhealthy", "CrashLoopBackOff",
    ]
}
