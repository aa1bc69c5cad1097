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
    /// The input file it came from (`sources.source_id`).
    public var sourceID: Int64
    /// The resource id as the record spelled it (`resourceKey` is its lower-case form).
    public var resourceID: String?

    public init(
        recordID: Int64, operation: String, status: String, time: Timestamp, resourceKey: String,
        operationKey: String, requestBody: String? = nil, responseBody: String? = nil, caller: String? = nil,
        sourceID: Int64 = 0, resourceID: String? = nil
    ) {
        self.sourceID = sourceID
        self.resourceID = resourceID
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
    /// The input file it came from (`sources.source_id`).
    public var sourceID: Int64
    /// For a `Scheduled` event, the node its message assigns the pod to (lower case), read once
    /// here: node histories, cluster resolution and failure placement all ask for it.
    public let scheduledNode: String?

    public init(
        eventID: Int64, uid: String? = nil, cluster: String? = nil, objectKind: String?, objectNamespace: String? = nil,
        objectName: String?, reason: String, message: String, sourceComponent: String? = nil, sourceHost: String? = nil,
        firstSeen: Timestamp, lastSeen: Timestamp? = nil, count: Int = 1, sourceID: Int64 = 0
    ) {
        self.sourceID = sourceID
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
        scheduledNode = reason == "Scheduled" ? BootstrapFinder.scheduledNode(message) : nil
    }

    /// A `Scheduled` event read back for its pod and the node its message names, which the
    /// caller read from the message's bytes; the message itself is not kept (empty), as nothing
    /// of correlation reads it: two thirds of a large incident's facts, 80 bytes each.
    init(
        scheduled eventID: Int64, node: String?, cluster: String?, objectKind: String?, objectNamespace: String?, objectName: String?,
        sourceComponent: String?, sourceHost: String?, firstSeen: Timestamp, lastSeen: Timestamp, count: Int, sourceID: Int64
    ) {
        self.sourceID = sourceID
        self.eventID = eventID
        uid = nil
        self.cluster = cluster
        self.objectKind = objectKind
        self.objectNamespace = objectNamespace
        self.objectName = objectName
        reason = "Scheduled"
        message = ""
        self.sourceComponent = sourceComponent
        self.sourceHost = sourceHost
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.count = count
        scheduledNode = node
    }
}

/// A closed span of time, written as an ISO 8601 interval (`2026-11-03T08:00:00Z/…`).
public struct TimeWindow: Sendable, Equatable, CustomStringConvertible {
    public var from: Timestamp
    public var to: Timestamp

    public init(from: Timestamp, to: Timestamp) {
        self.from = from
        self.to = to
    }

    public var description: String { "\(from.description)/\(to.description)" }

    /// Sorted and joined where they overlap or lie less than `gap` seconds apart.
    static func merge(_ windows: [TimeWindow], gap: Double) -> [TimeWindow] {
        var merged: [TimeWindow] = []
        for w in windows.sorted(by: { ($0.from, $0.to) < ($1.from, $1.to) }) {
            if let last = merged.last, w.from.millis - last.to.millis <= Int64(gap * 1000) {
                merged[merged.count - 1].to = max(last.to, w.to)
            } else {
                merged.append(w)
            }
        }
        return merged
    }
}

/// One input file as coverage sees it: the time its records span and the kinds of evidence it
/// held (the `sources` row).
public struct SourceSpan: Sendable, Equatable {
    public var window: TimeWindow
    public var normalEvents: Bool
    public var activity: Bool
    public var nodeGroup: Bool
    /// The file (`sources.source_id`).
    public var sourceID: Int64

    public init(
        window: TimeWindow, normalEvents: Bool = false, activity: Bool = false, nodeGroup: Bool = false, sourceID: Int64 = 0
    ) {
        self.sourceID = sourceID
        self.window = window
        self.normalEvents = normalEvents
        self.activity = activity
        self.nodeGroup = nodeGroup
    }
}

/// Everything correlation reads: the activity log, the relevant events, when each node was
/// first seen in any event, and what each input file covers (nil when unknown: a database
/// ingested before cutover recorded it).
public struct CorrelationFacts: Sendable {
    public var activity: [ActivityFact]
    public var events: [EventFact]
    public var nodeFirstSeen: [String: Timestamp]
    public var sources: [SourceSpan]?

    public init(
        activity: [ActivityFact], events: [EventFact], nodeFirstSeen: [String: Timestamp] = [:], sources: [SourceSpan]? = nil
    ) {
        self.activity = activity
        self.events = events
        self.nodeFirstSeen = nodeFirstSeen
        self.sources = sources
    }

    /// Event reasons that correlation looks at; everything else is noise for it.
    public static let relevantReasons: [String] = [
        "Upgrade", "RegisteredNode", "RemovingNode", "NodeReimageEnd", "NodeRebootEnd", "Rebooted", "Scheduled",
        "Failed", "BackOff", "ErrImagePull", "ImagePullBackOff", "FailedCreatePodSandBox", "FailedMount",
        "Unhealthy", "CrashLoopBackOff",
    ]
}

/// A node's first appearance in the events that name one cluster (or none: "").
public struct NodeSightingFact: Sendable, Equatable {
    public var cluster: String
    public var node: String
    public var first: Timestamp

    public init(cluster: String = "", node: String, first: Timestamp) {
        self.cluster = cluster
        self.node = node
        self.first = first
    }
}

/// Everything correlation reads from a database, of every cluster in it: `ClusterResolver`
/// splits it into one `CorrelationFacts` per cluster.
public struct FleetFacts: Sendable {
    public var activity: [ActivityFact]
    public var events: [EventFact]
    public var sightings: [NodeSightingFact]
    public var sources: [SourceSpan]?

    public init(activity: [ActivityFact], events: [EventFact], sightings: [NodeSightingFact] = [], sources: [SourceSpan]? = nil) {
        self.activity = activity
        self.events = events
        self.sightings = sightings
        self.sources = sources
    }
}
