/// One value of a stored row, as the parse thread hands it to the writer.
enum StoredValue: Sendable {
    case null
    case integer(Int64)
    case text(String)
    /// UTF-8 text in the batch's arena (a JSON column, the residue).
    case bytes(Range<Int>)

    init(_ text: String?) { self = text.map { .text($0) } ?? .null }
}

/// What a field column holds for one record: the value cutover derived (which may be a
/// fallback the input does not have at the field's path), or whatever the input has there.
enum FieldSource {
    case derived(StoredValue)
    case input
}

/// Turns a parsed record into the values of its row (`RecordLayout`): each field column's
/// value and its two bits, the time slots, and the residue in `extra`. Runs on the parse
/// thread, on the record's `JSONIndex`, so the writer only binds.
struct RowEncoder {
    let layout: RecordLayout
    /// A field's place in a record: the node its parent path leads to (an index into the
    /// shape's parents; nil for a member of the record itself), and its own key.
    private struct Place {
        var parent: Int?
        var key: [UInt8]
    }
    private struct ShapePaths {
        var parents: [[[UInt8]]] = []
        var fields: [Place?] = []
        var slots: [Place?] = []
    }
    private let paths: [String: ShapePaths]
    private var skip: [Bool] = []
    private var parentNodes: [Int?] = []
    /// The paths of the shape of the record before (most files hold one shape).
    private var lastShape = ""
    private var lastPaths = ShapePaths()

    init(_ layout: RecordLayout) {
        self.layout = layout
        var shapes = Set<String>()
        for field in layout.fields { shapes.formUnion(field.paths.keys) }
        for slot in layout.slots { shapes.formUnion(slot.paths.keys) }
        var paths: [String: ShapePaths] = [:]
        for shape in shapes {
            var p = ShapePaths()
            func place(_ path: [String]?) -> Place? {
                guard let path, let leaf = path.last else { return nil }
                let parent = path.dropLast().map { Array($0.utf8) }
                guard !parent.isEmpty else { return Place(parent: nil, key: Array(leaf.utf8)) }
                if let index = p.parents.firstIndex(of: parent) { return Place(parent: index, key: Array(leaf.utf8)) }
                p.parents.append(parent)
                return Place(parent: p.parents.count - 1, key: Array(leaf.utf8))
            }
            p.fields = layout.fields.map { place($0.paths[shape]) }
            p.slots = layout.slots.map { place($0.paths[shape]) }
            paths[shape] = p
        }
        self.paths = paths
    }

    /// The node of a field in this record, its parents looked up once per record.
    private func node(_ place: Place?, _ json: JSONIndex, record: Int) -> Int? {
        guard let place else { return nil }
        let base: Int
        if let parent = place.parent {
            guard let node = parentNodes[parent] else { return nil }
            base = node
        } else {
            base = record
        }
        return json.child(base, key: place.key)
    }

    /// Appends the row's values in `layout.insertColumns` order, up to `extra` (source and
    /// position are the writer's). `record` is the record's object (the watch event's
    /// `object` when `wrapped`); `others` are the values of `layout.otherColumns`.
    mutating func encode(
        _ json: JSONIndex, record: Int, wrapped: Bool, shape: String, first: String, last: String,
        field source: (Int) -> FieldSource, others: (inout [StoredValue]) -> Void, into values: inout [StoredValue],
        arena: inout [UInt8]
    ) {
        skip.removeAll(keepingCapacity: true)
        skip.append(contentsOf: repeatElement(false, count: json.nodes.count))
        if shape != lastShape {
            lastShape = shape
            lastPaths = paths[shape] ?? ShapePaths()
        }
        let shapePaths = lastPaths
        parentNodes.removeAll(keepingCapacity: true)
        for parent in shapePaths.parents { parentNodes.append(json.node(at: parent, from: record)) }
        var fields: Int64 = 0
        for (i, field) in layout.fields.enumerated() {
            let node = i < shapePaths.fields.count ? self.node(shapePaths.fields[i], json, record: record) : nil
            var state: Int64 = 0
            var value = StoredValue.null
            switch source(i) {
            case .derived(let derived):
                value = derived
                if let node {
                    switch (derived, json.kind(node)) {
                    case (_, .null): state = 3
                    case (.text(let text), .string) where json.isString(node, text): state = 1
                    case (.integer(let v), .number) where json.isLiteral(node, v): state = 1
                    case (_, .string) where json.isEmptyString(node): state = 2
                    default: break
                    }
                }
            case .input:
                if let node { (state, value) = inputValue(json, node, field.kind, arena: &arena) }
            }
            if state != 0, let node { skip[node] = true }
            fields |= state << (2 * Int64(i))
            values.append(value)
        }
        others(&values)
        var form: Int64 = wrapped ? RecordLayout.watchWrapped : 0
        for j in layout.slots.indices {
            guard j < shapePaths.slots.count, let node = self.node(shapePaths.slots[j], json, record: record) else { continue }
            var state: Int64 = 0
            if json.kind(node) == .null {
                state = 3
            } else if json.kind(node) == .string {
                // Compared as bytes: a time that needs unescaping is left to `extra`.
                if let digits = json.timeForm(node, of: first) {
                    state = 1 | digits << 2
                } else if let digits = json.timeForm(node, of: last) {
                    state = 2 | digits << 2
                }
            }
            if state != 0 { skip[node] = true }
            form |= state << (4 * Int64(j))
        }
        values.append(.integer(fields))
        values.append(.integer(form))
        let start = arena.count
        if json.writeCompact(JSONIndex.root, skipping: skip, into: &arena), arena.count - start > 2 {
            values.append(.bytes(start..<arena.count))
        } else {
            arena.removeSubrange(start...)
            values.append(.null)
        }
    }

    /// A field's value taken from the input as it is, and its state.
    private func inputValue(_ json: JSONIndex, _ node: Int, _ kind: RecordLayout.Kind, arena: inout [UInt8]) -> (Int64, StoredValue) {
        switch (kind, json.kind(node)) {
        case (_, .null): return (3, .null)
        case (_, .string) where json.isEmptyString(node): return (2, .null)
        case (.text, .string):
            let text = json.string(node) ?? ""
            return (json.decodesFaithfully(node) ? 1 : 0, .text(text))
        case (.json, .object), (.json, .array):
            let start = arena.count
            json.writeCompact(node, skipping: [], into: &arena)
            return (1, .bytes(start..<arena.count))
        case (.integer, .number):
            guard let v = json.int(node), json.isLiteral(node, Int64(v)) else { return (0, .null) }
            return (1, .integer(Int64(v)))
        default:
            return (0, .null)
        }
    }
}

extension RowEncoder {
    /// The record's own object: the root, or a watch event's `object` (`{"type": …, "object": {…}}`).
    private static func recordNode(_ json: JSONIndex) -> (node: Int, wrapped: Bool) {
        let root = JSONIndex.root
        if json.child(root, "involvedObject") == nil, json.child(root, "regarding") == nil,
            json.child(root, "type") != nil, let object = json.child(root, "object"), json.kind(object) == .object
        {
            return (object, true)
        }
        return (root, false)
    }

    /// The field columns whose value is what correlation reads (`KubeEvent`), by column name.
    private static let kubeDerived: [String: @Sendable (KubeEvent) -> StoredValue] = [
        "cluster": { StoredValue($0.cluster) }, "uid": { StoredValue($0.uid) }, "namespace": { StoredValue($0.namespace) },
        "name": { StoredValue($0.name) }, "object_kind": { StoredValue($0.objectKind) },
        "object_namespace": { StoredValue($0.objectNamespace) }, "object_name": { StoredValue($0.objectName) },
        "object_uid": { StoredValue($0.objectUID) }, "field_path": { StoredValue($0.fieldPath) },
        "reason": { StoredValue($0.reason) }, "message": { StoredValue($0.message) }, "type": { StoredValue($0.type) },
        "source_component": { StoredValue($0.sourceComponent) }, "source_host": { StoredValue($0.sourceHost) },
        "count": { .integer(Int64($0.count)) },
    ]
    private static let kubeSources = RecordLayout.kubeEvents.fields.map { kubeDerived[$0.name] }

    private static let activityDerived: [String: @Sendable (ActivityRecord) -> StoredValue] = [
        "event_data_id": { StoredValue($0.eventDataId) }, "operation_id": { StoredValue($0.operationId) },
        "correlation_id": { StoredValue($0.correlationId) }, "operation_name": { .text($0.operationName) },
        "status": { .text($0.status) }, "resource_id": { .text($0.resourceId) }, "caller": { StoredValue($0.caller) },
        "category": { StoredValue($0.category) }, "status_message": { StoredValue($0.statusMessage) },
        "request_body": { StoredValue($0.requestBody) }, "response_body": { StoredValue($0.responseBody) },
    ]
    private static let activitySources = RecordLayout.activityRecords.fields.map { activityDerived[$0.name] }

    mutating func encode(_ json: JSONIndex, _ e: KubeEvent, into values: inout [StoredValue], arena: inout [UInt8]) {
        let (node, wrapped) = Self.recordNode(json)
        let first = e.firstSeen.description
        let last = e.lastSeen.description
        encode(
            json, record: node, wrapped: wrapped, shape: e.shape.rawValue, first: first, last: last,
            field: { i in Self.kubeSources[i].map { .derived($0(e)) } ?? .input },
            others: {
                $0.append(.text(first))
                $0.append(.text(last))
                $0.append(.text(e.timeField))
                $0.append(.text(e.shape.rawValue))
            },
            into: &values, arena: &arena)
    }

    mutating func encode(_ json: JSONIndex, _ r: ActivityRecord, into values: inout [StoredValue], arena: inout [UInt8]) {
        let time = r.time.description
        encode(
            json, record: JSONIndex.root, wrapped: false, shape: r.shape.rawValue, first: time, last: time,
            field: { i in Self.activitySources[i].map { .derived($0(r)) } ?? .input },
            others: {
                $0 += [.text(r.dedupeKey), .text(r.operation), .text(time), .text(r.timeField)]
                $0 += [.text(r.resourceKey), .text(r.shape.rawValue)]
            },
            into: &values, arena: &arena)
    }
}
