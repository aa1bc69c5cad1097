import Foundation

/// How the record tables hold every field of every input record without keeping the record.
///
/// Each *field column* holds one field of the input, found at a path that depends on the
/// record's shape (`involvedObject.kind`, `regarding.kind` and `ObjectKind` are all
/// `object_kind`). Two bits per field column in the row's `fields` say what the input had
/// there: 0 nothing the column stands for (absent, or a value the column does not hold as
/// written: then the residue has it), 1 exactly the column's value, 2 the empty string, 3
/// null. A column can hold a value the input did not write at its path (a fallback: the
/// reporting instance for a missing `source.host`, `--cluster`, a count of 1 when none is
/// given, a count raised by folding repeats); its bits are then 0, 2 or 3, never 1.
///
/// *Time slots* are fields that are times. They are not columns: each is one of the row's
/// `first_seen` / `last_seen` written back in the input's form. Four bits per slot in
/// `form`: the low two 0 nothing, 1 first_seen, 2 last_seen, 3 null; the high two how the
/// input wrote it: 0 milliseconds (`….sssZ`, the stored form), 1 whole seconds (`…:SSZ`,
/// Kubernetes), 2 microseconds (`….ssssssZ`, a MicroTime), 3 seven digits (`….sssssssZ`,
/// ARM) – a time with more precision than a millisecond stays in `extra`. `form` bit 16:
/// the record came wrapped in a watch event (`{"type": …, "object": {record}}`).
///
/// Everything else – fields without a column, values the columns do not reproduce (a
/// microsecond `eventTime`, `"count": "3"` from a CSV), the watch event's `type` – is kept in
/// `extra`: the record written compactly without the members the columns hold, NULL when
/// nothing is left. The `*_json` views put the columns back into it (`RecordLayout.jsonView`).
///
/// A change here changes what new rows mean: it comes with a migration that recreates the views.
struct RecordLayout: Sendable {
    enum Kind: Sendable {
        case text, integer, json
    }

    struct Field: Sendable {
        let name: String
        let kind: Kind
        /// The field's path per shape (the `shape` column's value); a shape without it is absent.
        let paths: [String: [String]]
    }

    struct TimeSlot: Sendable {
        let name: String
        let paths: [String: [String]]
    }

    let table: String
    let idColumn: String
    let fields: [Field]
    let slots: [TimeSlot]
    /// The stored times slots are written back from (first_seen and last_seen, or time twice).
    let firstColumn: String
    let lastColumn: String
    /// The columns that are neither fields nor slot bookkeeping, in table order after the fields.
    let otherColumns: [String]

    static let watchWrapped: Int64 = 1 << 16

    /// How the bytes `t` write the stored time `stored` (`YYYY-MM-DDTHH:MM:SS.sssZ`): the digits form
    /// of `form` (0 as stored, 1 whole seconds, 2 microseconds, 3 seven digits), or nil when
    /// it is not that time written in one of them.
    static func timeForm(_ t: UnsafeBufferPointer<UInt8>, of s: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard s.count == 24, t.count >= 20, t[t.count - 1] == UInt8(ascii: "Z") else { return nil }
        switch t.count {
        case 24: return memcmp(t.baseAddress!, s.baseAddress!, 24) == 0 ? 0 : nil
        case 20: return s[20] == 48 && s[21] == 48 && s[22] == 48 && memcmp(t.baseAddress!, s.baseAddress!, 19) == 0 ? 1 : nil
        case 27, 28:
            guard memcmp(t.baseAddress!, s.baseAddress!, 23) == 0 else { return nil }
            for k in 23..<(t.count - 1) where t[k] != 48 { return nil }
            return t.count == 27 ? 2 : 3
        default: return nil
        }
    }

    /// Every column an insert writes, in the order `StoredRow` values and binds follow.
    var insertColumns: [String] { fields.map(\.name) + otherColumns + ["fields", "form", "extra", "source_id", "position"] }

    var insertSQL: String { insertSQL(withID: false) }

    /// The insert, with the row's id as its first parameter when `withID` (a migration keeps ids).
    func insertSQL(withID: Bool) -> String {
        let columns = (withID ? [idColumn] : []) + insertColumns
        return "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES ("
            + (1...columns.count).map { "?\($0)" }.joined(separator: ", ") + ")"
    }

    func fieldIndex(_ name: String) -> Int {
        guard let index = fields.firstIndex(where: { $0.name == name }) else { preconditionFailure("no field column \(name)") }
        return index
    }

    // MARK: SQL that reads the layout

    private static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    /// `CASE shape WHEN 'core/v1' THEN '.a.b' … END`: the path of a field for the row's shape.
    private func pathSQL(_ paths: [String: [String]], shape: String) -> String {
        let arms = paths.sorted { $0.key < $1.key }.map { shapeName, path in
            "WHEN \(Self.quote(shapeName)) THEN \(Self.quote("." + path.map { "\"\($0)\"" }.joined(separator: ".")))"
        }
        return "CASE \(shape) \(arms.joined(separator: " ")) END"
    }

    /// Where the record's fields live inside the `json_array(extra, 0)` the views build on: a
    /// field the row does not write back is set at `$[1]`, the scratch element, instead (a
    /// `$[#]` append would do, but SQLite 3.40 then drops the edits after it).
    private func prefixSQL(_ row: String) -> String {
        "CASE WHEN \(row)form & \(Self.watchWrapped) THEN '$[0].object' ELSE '$[0]' END"
    }

    /// A stored time written back in the form slot `j` says the input wrote it in.
    private func timeSQL(_ column: String, row: String, slot j: Int) -> String {
        let t = "\(row)\(column)"
        return "CASE (\(row)form >> \(4 * j + 2)) & 3 WHEN 0 THEN \(t) WHEN 1 THEN substr(\(t), 1, 19) || 'Z' "
            + "WHEN 2 THEN substr(\(t), 1, 23) || '000Z' ELSE substr(\(t), 1, 23) || '0000Z' END"
    }

    /// The view that gives back each row's record as a JSON object (`json`), with its id,
    /// source and position.
    var jsonView: String {
        var arguments: [String] = []
        for (i, field) in fields.enumerated() {
            let state = "((fields >> \(2 * i)) & 3)"
            let value =
                switch field.kind {
                case .text, .integer: field.name
                case .json: "json(\(field.name))"
                }
            arguments.append("CASE \(state) WHEN 0 THEN '$[1]' ELSE \(prefixSQL("")) || \(pathSQL(field.paths, shape: "shape")) END")
            arguments.append("CASE \(state) WHEN 1 THEN \(value) WHEN 2 THEN '' END")
        }
        for (j, slot) in slots.enumerated() {
            let state = "((form >> \(4 * j)) & 3)"
            arguments.append("CASE \(state) WHEN 0 THEN '$[1]' ELSE \(prefixSQL("")) || \(pathSQL(slot.paths, shape: "shape")) END")
            arguments.append(
                "CASE \(state) WHEN 1 THEN \(timeSQL(firstColumn, row: "", slot: j)) "
                    + "WHEN 2 THEN \(timeSQL(lastColumn, row: "", slot: j)) END")
        }
        return """
            CREATE VIEW \(table)_json AS
                SELECT \(idColumn), source_id, position, shape,
                       json_extract(json_set(json_array(json(coalesce(extra, '{}')), 0),
                           \(arguments.joined(separator: ",\n                           "))), '$[0]') AS json
                FROM \(table)
            """
    }

    /// SET clauses for an UPDATE of `row` (a table alias or name with its dot) that changes
    /// the count to `count` and the stored times to `first` / `last` (SQL expressions over the
    /// old row): a field or slot that held the input's value as written, and no longer will,
    /// has that value moved into `extra` first, so the record view still gives the input back.
    func preservingUpdate(row: String, count: String?, first: String?, last: String?) -> String {
        var moves: [String] = []
        var fieldMask: [String] = []
        var formMask: [String] = []
        if let count {
            let i = fieldIndex("count")
            let changed = "(((\(row)fields >> \(2 * i)) & 3) = 1 AND \(row)count <> (\(count)))"
            let path = pathSQL(fields[i].paths, shape: "\(row)shape")
            moves.append("CASE WHEN \(changed) THEN \(prefixSQL(row)) || \(path) ELSE '$[1]' END, \(row)count")
            fieldMask.append("CASE WHEN \(changed) THEN \(3 << (2 * i)) ELSE 0 END")
        }
        for (j, slot) in slots.enumerated() {
            for (state, column, value) in [(1, firstColumn, first), (2, lastColumn, last)] {
                guard let value else { continue }
                let changed = "(((\(row)form >> \(4 * j)) & 3) = \(state) AND \(row)\(column) <> (\(value)))"
                let path = pathSQL(slot.paths, shape: "\(row)shape")
                moves.append(
                    "CASE WHEN \(changed) THEN \(prefixSQL(row)) || \(path) ELSE '$[1]' END, \(timeSQL(column, row: row, slot: j))")
                formMask.append("CASE WHEN \(changed) THEN \(15 << (4 * j)) ELSE 0 END")
            }
        }
        var sets = [
            """
            extra = nullif(json_extract(json_set(json_array(json(coalesce(\(row)extra, '{}')), 0), \(moves.joined(separator: ", "))),
                '$[0]'), '{}')
            """
        ]
        if !fieldMask.isEmpty { sets.append("fields = \(row)fields & ~(\(fieldMask.joined(separator: " | ")))") }
        if !formMask.isEmpty { sets.append("form = \(row)form & ~(\(formMask.joined(separator: " | ")))") }
        return sets.joined(separator: ", ")
    }
}

extension RecordLayout {
    private static let core = "core/v1"
    private static let exporter = "event-exporter"
    private static let v1 = "events.k8s.io/v1"
    private static let logAnalytics = "KubeEvents"

    /// Paths split from dotted text, per shape (a nil path: the shape has no such field).
    private static func paths(_ byShape: [(String, String?)]) -> [String: [String]] {
        var paths: [String: [String]] = [:]
        for (shape, path) in byShape {
            if let path { paths[shape] = path.split(separator: ".").map(String.init) }
        }
        return paths
    }

    /// The core/v1 path is also the exporter's.
    private static func kube(_ core: String?, _ v1: String?, _ kubeEvents: String?) -> [String: [String]] {
        paths([(Self.core, core), (exporter, core), (Self.v1, v1), (logAnalytics, kubeEvents)])
    }

    /// `kube_events`: core/v1 `Event` (kubectl, and the event exporter, which adds `clusterName`),
    /// events.k8s.io/v1 `Event`, and Container Insights `KubeEvents` rows.
    static let kubeEvents = RecordLayout(
        table: "kube_events", idColumn: "event_id",
        fields: [
            Field(name: "cluster", kind: .text, paths: [exporter: ["clusterName"], logAnalytics: ["ClusterId"]]),
            Field(name: "uid", kind: .text, paths: kube("metadata.uid", "metadata.uid", nil)),
            Field(name: "namespace", kind: .text, paths: kube("metadata.namespace", "metadata.namespace", "Namespace")),
            Field(name: "name", kind: .text, paths: kube("metadata.name", "metadata.name", nil)),
            Field(name: "object_kind", kind: .text, paths: kube("involvedObject.kind", "regarding.kind", "ObjectKind")),
            Field(name: "object_namespace", kind: .text, paths: kube("involvedObject.namespace", "regarding.namespace", "Namespace")),
            Field(name: "object_name", kind: .text, paths: kube("involvedObject.name", "regarding.name", "Name")),
            Field(name: "object_uid", kind: .text, paths: kube("involvedObject.uid", "regarding.uid", nil)),
            Field(name: "field_path", kind: .text, paths: kube("involvedObject.fieldPath", "regarding.fieldPath", nil)),
            Field(name: "reason", kind: .text, paths: kube("reason", "reason", "Reason")),
            Field(name: "message", kind: .text, paths: kube("message", "note", "Message")),
            Field(name: "type", kind: .text, paths: kube("type", "type", "KubeEventType")),
            Field(name: "source_component", kind: .text, paths: kube("source.component", "deprecatedSource.component", "SourceComponent")),
            Field(name: "source_host", kind: .text, paths: kube("source.host", "deprecatedSource.host", "Computer")),
            Field(name: "count", kind: .integer, paths: kube("count", "deprecatedCount", "Count")),
            Field(name: "api_version", kind: .text, paths: kube("apiVersion", "apiVersion", nil)),
            Field(name: "kind", kind: .text, paths: kube("kind", "kind", "Type")),
            Field(name: "resource_version", kind: .text, paths: kube("metadata.resourceVersion", "metadata.resourceVersion", nil)),
            Field(name: "object_api_version", kind: .text, paths: kube("involvedObject.apiVersion", "regarding.apiVersion", nil)),
            Field(
                name: "object_resource_version", kind: .text,
                paths: kube("involvedObject.resourceVersion", "regarding.resourceVersion", nil)),
            Field(name: "reporting_component", kind: .text, paths: kube("reportingComponent", "reportingController", nil)),
            Field(name: "reporting_instance", kind: .text, paths: kube("reportingInstance", "reportingInstance", nil)),
            Field(name: "action", kind: .text, paths: kube("action", "action", nil)),
            Field(name: "related", kind: .json, paths: kube("related", "related", nil)),
            Field(name: "series", kind: .json, paths: kube("series", "series", nil)),
            Field(name: "cluster_name", kind: .text, paths: kube(nil, nil, "ClusterName")),
            Field(name: "tenant_id", kind: .text, paths: kube(nil, nil, "TenantId")),
            Field(name: "source_system", kind: .text, paths: kube(nil, nil, "SourceSystem")),
            Field(name: "resource_id", kind: .text, paths: kube(nil, nil, "_ResourceId")),
        ],
        slots: [
            TimeSlot(name: "first", paths: kube("firstTimestamp", "deprecatedFirstTimestamp", "FirstSeen")),
            TimeSlot(name: "last", paths: kube("lastTimestamp", "deprecatedLastTimestamp", "LastSeen")),
            TimeSlot(name: "event_time", paths: kube("eventTime", "eventTime", "TimeGenerated")),
            TimeSlot(name: "created", paths: kube("metadata.creationTimestamp", "metadata.creationTimestamp", nil)),
        ],
        firstColumn: "first_seen", lastColumn: "last_seen",
        otherColumns: ["first_seen", "last_seen", "time_field", "shape"])

    private static let rest = "rest"
    private static let diagnostic = "diagnostic"
    private static let azureActivity = "AzureActivity"

    private static func arm(_ rest: String?, _ diagnostic: String?, _ azureActivity: String?) -> [String: [String]] {
        paths([(Self.rest, rest), (Self.diagnostic, diagnostic), (Self.azureActivity, azureActivity)])
    }

    /// `activity_records`: the REST / `az monitor activity-log list` EventData, the
    /// diagnostic-settings record (PT1H.json, Event Hubs) and Log Analytics `AzureActivity` rows.
    /// A `claims` claim name holds dots, so `identity.claims` is a JSON column as a whole.
    static let activityRecords = RecordLayout(
        table: "activity_records", idColumn: "record_id",
        fields: [
            Field(name: "event_data_id", kind: .text, paths: arm("eventDataId", nil, "EventDataId")),
            Field(name: "operation_id", kind: .text, paths: arm("operationId", "properties.operationId", "OperationId")),
            Field(name: "correlation_id", kind: .text, paths: arm("correlationId", "correlationId", "CorrelationId")),
            Field(name: "operation_name", kind: .text, paths: arm("operationName.value", "operationName", "OperationNameValue")),
            Field(name: "status", kind: .text, paths: arm("status.value", "resultType", "ActivityStatusValue")),
            Field(name: "resource_id", kind: .text, paths: arm("resourceId", "resourceId", "_ResourceId")),
            Field(name: "caller", kind: .text, paths: arm("caller", "caller", "Caller")),
            Field(name: "category", kind: .text, paths: arm("category.value", "category", "CategoryValue")),
            Field(name: "status_message", kind: .text, paths: arm("properties.statusMessage", "properties.statusMessage", nil)),
            Field(name: "request_body", kind: .text, paths: arm("properties.requestbody", "properties.requestbody", nil)),
            Field(name: "response_body", kind: .text, paths: arm("properties.responseBody", "properties.responseBody", nil)),
            Field(name: "level", kind: .text, paths: arm("level", "level", "Level")),
            Field(name: "description", kind: .text, paths: arm("description", nil, nil)),
            Field(name: "resource_group", kind: .text, paths: arm("resourceGroupName", nil, "ResourceGroup")),
            Field(name: "resource_provider", kind: .text, paths: arm("resourceProviderName.value", nil, "ResourceProviderValue")),
            Field(name: "resource_type", kind: .text, paths: arm("resourceType.value", nil, nil)),
            Field(name: "subscription_id", kind: .text, paths: arm("subscriptionId", nil, "SubscriptionId")),
            Field(name: "tenant_id", kind: .text, paths: arm("tenantId", "tenantId", "TenantId")),
            Field(name: "claims", kind: .json, paths: arm("claims", "identity.claims", nil)),
            Field(name: "authorization", kind: .json, paths: arm("authorization", "identity.authorization", nil)),
            Field(name: "http_request", kind: .json, paths: arm("httpRequest", nil, nil)),
        ],
        slots: [TimeSlot(name: "time", paths: arm("eventTimestamp", "time", "TimeGenerated"))],
        firstColumn: "time", lastColumn: "time",
        otherColumns: ["dedupe_key", "operation", "time", "time_field", "resource_key", "shape"])
}
