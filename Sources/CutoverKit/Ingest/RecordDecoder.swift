/// What one framed record turned out to be.
public enum DecodedRecord: Sendable, Equatable {
    case kubeEvent(KubeEvent)
    case activity(ActivityRecord)
    /// A line that is not data but belongs in the stream (an event-exporter's own log line):
    /// counted, not rejected.
    case skipped(reason: String)
}

/// Why a well-formed JSON record could not be decoded; it goes to the rejects table.
public struct DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Turns a parsed JSON record into a typed record, detecting its format from its keys.
///
/// Kubernetes: core/v1 `Event` (`involvedObject`), events.k8s.io/v1 (`regarding`, `note`),
/// watch events (`{"type":"ADDED","object":{…}}`), kubernetes-event-exporter lines
/// (`clusterName` + the core/v1 fields) and its own log lines (`level` + `message`, skipped).
/// ARM: REST/CLI EventData (`operationName.value`), diagnostic-settings records
/// (`operationName` string, `time`), Log Analytics `AzureActivity` rows (`OperationNameValue`).
/// Specs: Kubernetes Event API (core/v1, events.k8s.io/v1); Azure Activity Log event schema.
public struct RecordDecoder {
    public init() {}

    /// Whether a Container Insights `ClusterId` is a managed cluster's resource id: then it
    /// names the row's cluster (two subscriptions may both have an `aks-prod`), else `ClusterName` does.
    static func isClusterResourceID(_ id: String?) -> Bool {
        id?.lowercased().contains("/providers/microsoft.containerservice/managedclusters/") ?? false
    }

    public func decode(_ json: JSONIndex) throws(DecodeError) -> DecodedRecord {
        switch try decodeInPlace(json) {
        case .kubeEvent(let nodes): return .kubeEvent(nodes.event(json))
        case .activity(let record): return .activity(record)
        case .skipped(let reason): return .skipped(reason: reason)
        }
    }

    /// What `decode` finds, with a Kubernetes event's fields left in the record (`KubeEventNodes`).
    enum InPlace {
        case kubeEvent(KubeEventNodes)
        case activity(ActivityRecord)
        case skipped(reason: String)
    }

    func decodeInPlace(_ json: JSONIndex) throws(DecodeError) -> InPlace {
        let root = JSONIndex.root
        guard json.kind(root) == .object else { throw DecodeError("record is not a JSON object") }
        if json.child(root, "involvedObject") != nil {
            return .kubeEvent(try coreEvent(json, root))
        }
        if json.child(root, "regarding") != nil {
            return .kubeEvent(try eventsV1(json, root))
        }
        if json.child(root, "operationName") != nil {
            return .activity(try activity(json))
        }
        if json.child(root, "OperationNameValue") != nil
            || (json.child(root, "OperationName") != nil
                && (json.child(root, "ActivityStatus") != nil || json.child(root, "ActivityStatusValue") != nil))
        {
            // Log Analytics AzureActivity, current columns or the legacy ones.
            return .activity(try azureActivity(json))
        }
        if json.child(root, "KubeEventType") != nil || (json.child(root, "ObjectKind") != nil && json.child(root, "Reason") != nil) {
            return .kubeEvent(try kubeEventsRow(json))
        }
        if let object = json.child(root, "object"), json.child(root, "type") != nil {
            guard json.kind(object) == .object else { throw DecodeError("watch event without an object") }
            if json.child(object, "involvedObject") != nil { return .kubeEvent(try coreEvent(json, object)) }
            if json.child(object, "regarding") != nil { return .kubeEvent(try eventsV1(json, object)) }
            let kind = json.string(json.child(object, "kind")) ?? "unknown"
            throw DecodeError("watch event of kind \(kind), not an Event")
        }
        if json.child(root, "level") != nil && json.child(root, "message") != nil {
            return .skipped(reason: "event-exporter log line")
        }
        throw DecodeError("unknown record shape: neither a Kubernetes event nor an activity-log record")
    }

    // MARK: Kubernetes

    private func coreEvent(_ json: JSONIndex, _ e: Int) throws(DecodeError) -> KubeEventNodes {
        let meta = json.child(e, "metadata")
        let involved = json.child(e, "involvedObject")
        let source = json.child(e, "source")
        let series = json.child(e, "series")
        let cluster = json.present(json.child(e, "clusterName"))
        let times = try eventTimes(
            json,
            first: [
                ("firstTimestamp", json.child(e, "firstTimestamp")),
                ("eventTime", json.child(e, "eventTime")),
            ],
            last: [
                ("lastTimestamp", json.child(e, "lastTimestamp")),
                ("series.lastObservedTime", series.flatMap { json.child($0, "lastObservedTime") }),
                ("eventTime", json.child(e, "eventTime")),
            ],
            created: meta.flatMap { json.child($0, "creationTimestamp") })
        let count = json.int(series.flatMap { json.child($0, "count") }) ?? json.int(json.child(e, "count")) ?? 1
        return KubeEventNodes(
            uid: json.present(meta.flatMap { json.child($0, "uid") }),
            cluster: .node(cluster),
            namespace: json.present(meta.flatMap { json.child($0, "namespace") }),
            name: json.present(meta.flatMap { json.child($0, "name") }),
            objectKind: json.present(involved.flatMap { json.child($0, "kind") }),
            objectNamespace: json.present(involved.flatMap { json.child($0, "namespace") }),
            objectName: json.present(involved.flatMap { json.child($0, "name") }),
            objectUID: json.present(involved.flatMap { json.child($0, "uid") }),
            fieldPath: json.present(involved.flatMap { json.child($0, "fieldPath") }),
            reason: json.present(json.child(e, "reason")),
            message: json.present(json.child(e, "message")),
            type: json.present(json.child(e, "type")),
            sourceComponent: json.present(source.flatMap { json.child($0, "component") })
                ?? json.present(json.child(e, "reportingComponent")),
            sourceHost: json.present(source.flatMap { json.child($0, "host") })
                ?? json.present(json.child(e, "reportingInstance")),
            firstSeen: times.first, lastSeen: times.last, timeField: times.field,
            count: max(count, 1),
            shape: cluster != nil ? .exporter : .coreV1)
    }

    private func eventsV1(_ json: JSONIndex, _ e: Int) throws(DecodeError) -> KubeEventNodes {
        let meta = json.child(e, "metadata")
        let regarding = json.child(e, "regarding")
        let source = json.child(e, "deprecatedSource")
        let series = json.child(e, "series")
        let times = try eventTimes(
            json,
            first: [
                ("deprecatedFirstTimestamp", json.child(e, "deprecatedFirstTimestamp")),
                ("eventTime", json.child(e, "eventTime")),
            ],
            last: [
                ("series.lastObservedTime", series.flatMap { json.child($0, "lastObservedTime") }),
                ("deprecatedLastTimestamp", json.child(e, "deprecatedLastTimestamp")),
                ("eventTime", json.child(e, "eventTime")),
            ],
            created: meta.flatMap { json.child($0, "creationTimestamp") })
        let count = json.int(series.flatMap { json.child($0, "count") }) ?? json.int(json.child(e, "deprecatedCount")) ?? 1
        return KubeEventNodes(
            uid: json.present(meta.flatMap { json.child($0, "uid") }),
            cluster: .node(nil),
            namespace: json.present(meta.flatMap { json.child($0, "namespace") }),
            name: json.present(meta.flatMap { json.child($0, "name") }),
            objectKind: json.present(regarding.flatMap { json.child($0, "kind") }),
            objectNamespace: json.present(regarding.flatMap { json.child($0, "namespace") }),
            objectName: json.present(regarding.flatMap { json.child($0, "name") }),
            objectUID: json.present(regarding.flatMap { json.child($0, "uid") }),
            fieldPath: json.present(regarding.flatMap { json.child($0, "fieldPath") }),
            reason: json.present(json.child(e, "reason")),
            message: json.present(json.child(e, "note")),
            type: json.present(json.child(e, "type")),
            sourceComponent: json.present(json.child(e, "reportingController"))
                ?? json.present(source.flatMap { json.child($0, "component") }),
            sourceHost: json.present(json.child(e, "reportingInstance"))
                ?? json.present(source.flatMap { json.child($0, "host") }),
            firstSeen: times.first, lastSeen: times.last, timeField: times.field,
            count: max(count, 1),
            shape: .eventsV1)
    }

    /// Picks the first present time of each list; `metadata.creationTimestamp` is the last
    /// resort for both. A present but unreadable time is an error, never skipped silently.
    private func eventTimes(
        _ json: JSONIndex, first: [(String, Int?)], last: [(String, Int?)], created: Int?
    ) throws(DecodeError) -> (first: Timestamp, last: Timestamp, field: String) {
        func pick(_ candidates: [(String, Int?)]) throws(DecodeError) -> (Timestamp, String)? {
            for (field, node) in candidates {
                guard let node = json.present(node) else { continue }
                return (try time(json, node, field: field), field)
            }
            return nil
        }
        let fallback = try json.present(created).map { node throws(DecodeError) in
            (try time(json, node, field: "metadata.creationTimestamp"), "metadata.creationTimestamp")
        }
        guard let lastPick = try pick(last) ?? fallback else {
            throw DecodeError("event has no time (lastTimestamp, eventTime, series or creationTimestamp)")
        }
        let firstPick = try pick(first) ?? lastPick
        return (min(firstPick.0, lastPick.0), lastPick.0, lastPick.1)
    }

    /// A Container Insights `KubeEvents` row (Log Analytics, JSON or CSV): no uid, so repeated
    /// exports of one event fold on the natural key.
    private func kubeEventsRow(_ json: JSONIndex) throws(DecodeError) -> KubeEventNodes {
        let root = JSONIndex.root
        let generated = json.child(root, "TimeGenerated")
        let times = try eventTimes(
            json, first: [("FirstSeen", json.child(root, "FirstSeen"))],
            last: [("LastSeen", json.child(root, "LastSeen")), ("TimeGenerated", generated)], created: nil)
        // The cluster: `ClusterId` when it is a managed cluster's resource id, else `ClusterName`, else `ClusterId`.
        let id = json.present(json.child(root, "ClusterId"))
        let name = json.present(json.child(root, "ClusterName"))
        return KubeEventNodes(
            uid: nil,
            cluster: .node(id.flatMap { node in Self.isClusterResourceID(json.string(node)) ? node : nil } ?? name ?? id),
            namespace: json.present(json.child(root, "Namespace")),
            name: nil,
            objectKind: json.present(json.child(root, "ObjectKind")),
            objectNamespace: json.present(json.child(root, "Namespace")),
            objectName: json.present(json.child(root, "Name")),
            objectUID: nil,
            fieldPath: nil,
            reason: json.present(json.child(root, "Reason")),
            message: json.present(json.child(root, "Message")),
            type: json.present(json.child(root, "KubeEventType")),
            sourceComponent: json.present(json.child(root, "SourceComponent")),
            sourceHost: json.present(json.child(root, "Computer")),
            firstSeen: times.first, lastSeen: times.last, timeField: times.field,
            count: max(json.int(json.child(root, "Count")) ?? 1, 1),
            shape: .kubeEvents)
    }

    // MARK: ARM activity log

    private func activity(_ json: JSONIndex) throws(DecodeError) -> ActivityRecord {
        let root = JSONIndex.root
        guard let opNode = json.child(root, "operationName") else { throw DecodeError("no operationName") }
        let properties = json.child(root, "properties")
        if json.kind(opNode) == .object {
            // REST / `az monitor activity-log list`: {value, localizedValue} pairs.
            guard let operation = json.nonEmpty(json.child(opNode, "value")) else {
                throw DecodeError("operationName has no value")
            }
            guard let timeText = json.nonEmpty(json.child(root, "eventTimestamp")) else {
                throw DecodeError("activity record without eventTimestamp")
            }
            let status = json.nonEmpty(json.find("status", "value")) ?? "unknown"
            return ActivityRecord(
                eventDataId: json.nonEmpty(json.child(root, "eventDataId"))
                    ?? ActivityRecord.eventDataId(fromID: json.nonEmpty(json.child(root, "id"))),
                operationId: json.nonEmpty(json.child(root, "operationId")),
                correlationId: json.nonEmpty(json.child(root, "correlationId")),
                operationName: operation,
                status: ActivityRecord.normalizedStatus(status),
                time: try time(timeText, field: "eventTimestamp"), timeField: "eventTimestamp",
                resourceId: json.nonEmpty(json.child(root, "resourceId")) ?? "",
                caller: json.nonEmpty(json.child(root, "caller")),
                category: json.nonEmpty(json.find("category", "value")),
                statusMessage: properties.flatMap { json.nonEmpty(json.child($0, "statusMessage")) },
                requestBody: body(json, properties, "requestbody", "requestBody"),
                responseBody: body(json, properties, "responseBody", "responsebody"),
                shape: .rest)
        }
        guard let operation = json.nonEmpty(opNode) else { throw DecodeError("operationName is empty") }
        guard let timeText = json.nonEmpty(json.child(root, "time")) else {
            throw DecodeError("activity record without time")
        }
        let status = json.nonEmpty(json.child(root, "resultType")) ?? "unknown"
        return ActivityRecord(
            eventDataId: nil,
            operationId: properties.flatMap { json.nonEmpty(json.child($0, "operationId")) },
            correlationId: json.nonEmpty(json.child(root, "correlationId")),
            operationName: operation,
            status: ActivityRecord.normalizedStatus(status),
            time: try time(timeText, field: "time"), timeField: "time",
            resourceId: json.nonEmpty(json.child(root, "resourceId")) ?? "",
            caller: json.nonEmpty(json.child(root, "caller"))
                ?? json.nonEmpty(json.find("identity", "claims", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name")),
            category: json.nonEmpty(json.child(root, "category")),
            statusMessage: properties.flatMap { json.nonEmpty(json.child($0, "statusMessage")) },
            requestBody: body(json, properties, "requestbody", "requestBody"),
            responseBody: body(json, properties, "responseBody", "responsebody"),
            shape: .diagnostic)
    }

    private func azureActivity(_ json: JSONIndex) throws(DecodeError) -> ActivityRecord {
        let root = JSONIndex.root
        // The legacy schema (before 2020) has OperationName, ActivityStatus and Category where the
        // current one has OperationNameValue, ActivityStatusValue and CategoryValue.
        guard let operation = json.nonEmpty(json.child(root, "OperationNameValue")) ?? json.nonEmpty(json.child(root, "OperationName"))
        else {
            throw DecodeError("OperationNameValue and OperationName are empty")
        }
        guard let timeText = json.nonEmpty(json.child(root, "TimeGenerated")) else {
            throw DecodeError("AzureActivity row without TimeGenerated")
        }
        // Properties_d is an object in JSON exports and JSON text in CSV ones.
        var props = json
        var properties = json.child(root, "Properties_d") ?? json.child(root, "Properties")
        if let node = properties, json.kind(node) == .string {
            var inner = JSONIndex()
            if let text = json.nonEmpty(node), (try? inner.load(text)) != nil, inner.kind(JSONIndex.root) == .object {
                props = inner
                properties = JSONIndex.root
            } else {
                properties = nil
            }
        }
        let status =
            json.nonEmpty(json.child(root, "ActivityStatusValue")) ?? json.nonEmpty(json.child(root, "ActivityStatus")) ?? "unknown"
        return ActivityRecord(
            eventDataId: json.nonEmpty(json.child(root, "EventDataId")),
            operationId: json.nonEmpty(json.child(root, "OperationId")),
            correlationId: json.nonEmpty(json.child(root, "CorrelationId")),
            operationName: operation,
            status: ActivityRecord.normalizedStatus(status),
            time: try time(timeText, field: "TimeGenerated"), timeField: "TimeGenerated",
            resourceId: json.nonEmpty(json.child(root, "_ResourceId")) ?? json.nonEmpty(json.child(root, "ResourceId")) ?? "",
            caller: json.nonEmpty(json.child(root, "Caller")),
            category: json.nonEmpty(json.child(root, "CategoryValue")) ?? json.nonEmpty(json.child(root, "Category")),
            statusMessage: properties.flatMap { props.nonEmpty(props.child($0, "statusMessage")) },
            requestBody: body(props, properties, "requestbody", "requestBody"),
            responseBody: body(props, properties, "responseBody", "responsebody"),
            shape: .azureActivity)
    }

    /// A body as JSON text: an object as written, a string decoded (twice if it holds an
    /// encoded string, as some exports double-encode).
    private func body(_ json: JSONIndex, _ properties: Int?, _ a: StaticString, _ b: StaticString) -> String? {
        guard let properties, let node = json.child(properties, a) ?? json.child(properties, b) else { return nil }
        switch json.kind(node) {
        case .object, .array:
            return json.raw(node)
        case .string:
            guard var text = json.nonEmpty(node) else { return nil }
            if text.hasPrefix("\"") {
                var inner = JSONIndex()
                if (try? inner.load(text)) != nil, let decoded = inner.string(JSONIndex.root) { text = decoded }
            }
            return text.isEmpty ? nil : text
        default:
            return nil
        }
    }

    /// The time a node's text gives, read in place.
    private func time(_ json: JSONIndex, _ node: Int, field: String) throws(DecodeError) -> Timestamp {
        do {
            return try json.withText(node) { bytes throws(Timestamp.ParseError) in try Timestamp.parse(bytes) }
        } catch {
            throw timeError(error, text: json.string(node) ?? "", field: field)
        }
    }

    private func time(_ text: String, field: String) throws(DecodeError) -> Timestamp {
        do {
            return try Timestamp.parse(text)
        } catch {
            throw timeError(error, text: text, field: field)
        }
    }

    /// Why `text`, the value of `field`, is not a time cutover reads.
    private func timeError(_ error: Timestamp.ParseError, text: String, field: String) -> DecodeError {
        switch error {
        case .missingZone: DecodeError("\(field) \"\(text)\" has no time zone; cutover does not guess one")
        case .outOfRange: DecodeError("\(field) \"\(text)\" is outside the years 0001–9999 in UTC")
        case .malformed: DecodeError("\(field) \"\(text)\" is not an RFC 3339 time")
        }
    }
}
