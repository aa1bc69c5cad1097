import Foundation

/// One Azure Resource Manager activity-log record, from any of its export shapes.
///
/// `status` is normalised to the REST words (Started, Accepted, Succeeded, Failed) from the
/// export words (Start, Accept, Success, Failure). `operationName` and `resourceId` keep the
/// source's casing; compare them through `operation` and `resourceKey` (lower case).
/// Bodies are kept as JSON text, decoded from strings (even double-encoded) when needed.
public struct ActivityRecord: Sendable, Equatable {
    public enum Shape: String, Sendable {
        /// `az monitor activity-log list` / REST EventData (`eventTimestamp`, `operationName.value`).
        case rest = "rest"
        /// Diagnostic-settings resource log (`time`, `operationName`, `resultType`): PT1H.json, Event Hubs.
        case diagnostic = "diagnostic"
        /// Log Analytics `AzureActivity` row (`TimeGenerated`, `OperationNameValue`).
        case azureActivity = "AzureActivity"
    }

    public var eventDataId: String?
    public var operationId: String?
    public var correlationId: String?
    public var operationName: String
    public var status: String
    public var time: Timestamp
    public var timeField: String
    public var resourceId: String
    public var caller: String?
    public var category: String?
    public var statusMessage: String?
    public var requestBody: String?
    public var responseBody: String?
    public var shape: Shape

    public init(
        eventDataId: String? = nil, operationId: String? = nil, correlationId: String? = nil,
        operationName: String, status: String, time: Timestamp, timeField: String, resourceId: String,
        caller: String? = nil, category: String? = nil, statusMessage: String? = nil,
        requestBody: String? = nil, responseBody: String? = nil, shape: Shape
    ) {
        self.eventDataId = eventDataId
        self.operationId = operationId
        self.correlationId = correlationId
        self.operationName = operationName
        self.status = status
        self.time = time
        self.timeField = timeField
        self.resourceId = resourceId
        self.caller = caller
        self.category = category
        self.statusMessage = statusMessage
        self.requestBody = requestBody
        self.responseBody = responseBody
        self.shape = shape
    }

    public var operation: String { operationName.lowercased() }
    public var resourceKey: String { resourceId.lowercased() }

    /// The key that recognises one record across export shapes: the CLI dump, PT1H.json, Event
    /// Hubs and AzureActivity carry the same record with different field names, and only
    /// some have `eventDataId`. It is the natural key – correlationId | operation | status |
    /// time (ms) | resource, all case-folded – then `|` and the eventDataId (`~` without one):
    /// two records with the same natural key and different eventDataIds are two records (a real
    /// REST page has many), and one without an eventDataId is the same record as any with its
    /// natural key (`EventStore.insert`).
    public var dedupeKey: String { naturalKey + "|" + (eventDataId?.lowercased() ?? "~") }

    public var naturalKey: String {
        [(correlationId ?? "").lowercased(), operation, status.lowercased(), time.description, resourceKey]
            .joined(separator: "|")
    }

    /// The eventDataId in a REST record's `id`: `/subscriptions/…/events/<eventDataId>/ticks/<ticks>`.
    static func eventDataId(fromID id: String?) -> String? {
        guard let id, let events = id.range(of: "/events/", options: .backwards) else { return nil }
        let rest = id[events.upperBound...]
        let value = rest.split(separator: "/").first.map(String.init)
        return value.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Maps export status words to the REST ones; unknown words are kept as they are.
    public static func normalizedStatus(_ raw: String) -> String {
        switch raw.lowercased() {
        case "start", "started": return "Started"
        case "accept", "accepted": return "Accepted"
        case "success", "succeeded": return "Succeeded"
        case "failure", "failed": return "Failed"
        default: return raw
        }
    }
}
