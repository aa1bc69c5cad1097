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
    /// The text of this node of the record (nil: none), which may sit at another path than the
    /// field's: copied into the arena without a `String`.
    case node(Int?)
    case input
}

/// Turns a parsed record into the values of its row (`RecordLayout`): each field column's
/// value and its two bits, the time slots, and the residue in `extra`. Runs on the parse
/// thread, on the record's `JSONIndex`, so the writer only binds.
struct RowEncoder {
    let layout: RecordLayout
    /// A field's place in a record: the node its parent path leads to (an index into the
    /// shape's parents; -1 for a member of the record itself), and its own key (a range of the
    /// shape's `keys`). Plain integers: reading one per field and record counts no references.
    private struct Place {
        var parent: Int32
        var keyStart: Int32
        var keyCount: Int32
    }
    private struct ShapePaths {
        var parents: [[[UInt8]]] = []
        var fields: [Place?] = []
        var slots: [Place?] = []
        var keys: [UInt8] = []
    }
    /// Each field column's kind, in `layout.fields` order.
    private let kinds: [RecordLayout.Kind]
    private let paths: [String: ShapePaths]
    private var skip: [Bool] = []
    private var parentNodes: [Int?] = []
    /// The paths of the shape of the record before (most files hold one shape).
    private var lastShape = ""
    private var lastPaths = ShapePaths()

    init(_ layout: RecordLayout) {
        self.layout = layout
        kinds = layout.fields.map(\.kind)
        var shapes = Set<String>()
        for field in layout.fields { shapes.formUnion(field.paths.keys) }
        for slot in layout.slots { shapes.formUnion(slot.paths.keys) }
        var paths: [String: ShapePaths] = [:]
        for shape in shapes {
            var p = ShapePaths()
            func place(_ path: [String]?) -> Place? {
                guard let path, let leaf = path.last else { return nil }
                let keyStart = Int32(p.keys.count)
                p.keys += Array(leaf.utf8)
                let parent = path.dropLast().map { Array($0.utf8) }
                var index = -1
                if !parent.isEmpty {
                    index = p.parents.firstIndex(of: parent) ?? p.parents.count
                    if index == p.parents.count { p.parents.append(parent) }
                }
                return Place(parent: Int32(index), keyStart: keyStart, keyCount: Int32(leaf.utf8.count))
            }
            p.fields = layout.fields.map { place($0.paths[shape]) }
            p.slots = layout.slots.map { place($0.paths[shape]) }
            paths[shape] = p
        }
        self.paths = paths
    }

    /// The node of a field in this record, its parents looked up once per record.
    private func node(_ place: Place?, in paths: ShapePaths, _ json: JSONIndex, record: Int) -> Int? {
        guard let place else { return nil }
        let base: Int
        if place.parent >= 0 {
            guard let node = parentNodes[Int(place.parent)] else { return nil }
            base = node
        } else {
            base = record
        }
        return paths.keys.withUnsafeBufferPointer { keys in
            json.child(base, key: UnsafeBufferPointer(rebasing: keys[Int(place.keyStart)..<Int(place.keyStart + place.keyCount)]))
        }
    }

    /// Appends the row's values in `layout.insertColumns` order, up to `extra` (source and
    /// position are the writer's). `record` is the record's object (the watch event's
    /// `object` when `wrapped`); `others` are the values of `layout.otherColumns`.
    mutating func encode(
        _ json: JSONIndex, record: Int, wrapped: Bool, shape: String, first: Range<Int>, last: Range<Int>,
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
        for i in kinds.indices {
            let node = i < shapePaths.fields.count ? self.node(shapePaths.fields[i], in: shapePaths, json, record: record) : nil
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
            case .node(let derived):
                var text: Range<Int>?
                if let derived {
                    let start = arena.count
                    json.appendText(derived, to: &arena)
                    text = start..<arena.count
                    value = .bytes(start..<arena.count)
                }
                if let node {
                    switch json.kind(node) {
                    case .null: state = 3
                    // Read from the field's own node: stored as written unless unescaping changed it.
                    case .string where derived == node && json.isEscaped(node): state = json.decodesFaithfully(node) ? 1 : 0
                    case .string where text.map { t in arena.withUnsafeBufferPointer { json.isString(node, $0[t]) } } ?? false: state = 1
                    case .string where json.isEmptyString(node): state = 2
                    default: break
                    }
                }
            case .input:
                if let node { (state, value) = inputValue(json, node, kinds[i], arena: &arena) }
            }
            if state != 0, let node { skip[node] = true }
            fields |= state << (2 * Int64(i))
            values.append(value)
        }
        others(&values)
        var form: Int64 = wrapped ? RecordLayout.watchWrapped : 0
        for j in layout.slots.indices {
            guard j < shapePaths.slots.count, let node = self.node(shapePaths.slots[j], in: shapePaths, json, record: record) else {
                continue
            }
            var state: Int64 = 0
            if json.kind(node) == .null {
                state = 3
            } else if json.kind(node) == .string {
                // Compared as bytes: a time that needs unescaping is left to `extra`.
                if let digits = arena.withUnsafeBufferPointer({ json.timeForm(node, of: UnsafeBufferPointer(rebasing: $0[first])) }) {
                    state = 1 | digits << 2
                } else if let digits = arena.withUnsafeBufferPointer({ json.timeForm(node, of: UnsafeBufferPointer(rebasing: $0[last])) }) {
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
            let start = arena.count
            json.appendText(node, to: &arena)
            return (json.decodesFaithfully(node) ? 1 : 0, .bytes(start..<arena.count))
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
    private static let kubeDerived: [String: @Sendable (KubeEventNodes) -> FieldSource] = [
        "cluster": {
            switch $0.cluster {
            case .node(let node): .node(node)
            case .given(let text): .derived(StoredValue(text))
            }
        },
        "uid": { .node($0.uid) }, "namespace": { .node($0.namespace) }, "name": { .node($0.name) },
        "object_kind": { .node($0.objectKind) }, "object_namespace": { .node($0.objectNamespace) },
        "object_name": { .node($0.objectName) }, "object_uid": { .node($0.objectUID) }, "field_path": { .node($0.fieldPath) },
        "reason": { .node($0.reason) }, "message": { .node($0.message) }, "type": { .node($0.type) },
        "source_component": { .node($0.sourceComponent) }, "source_host": { .node($0.sourceHost) },
        "count": { .derived(.integer(Int64($0.count))) },
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

    mutating func encode(_ json: JSONIndex, _ e: KubeEventNodes, into values: inout [StoredValue], arena: inout [UInt8]) {
        let (node, wrapped) = Self.recordNode(json)
        let first = arena.count..<arena.count + 24
        e.firstSeen.appendText(to: &arena)
        let last = arena.count..<arena.count + 24
        e.lastSeen.appendText(to: &arena)
        encode(
            json, record: node, wrapped: wrapped, shape: e.shape.rawValue, first: first, last: last,
            field: { i in Self.kubeSources[i].map { $0(e) } ?? .input },
            others: {
                $0.append(.bytes(first))
                $0.append(.bytes(last))
                $0.append(.text(e.timeField))
                $0.append(.text(e.shape.rawValue))
            },
            into: &values, arena: &arena)
    }

    mutating func encode(_ json: JSONIndex, _ r: ActivityRecord, into values: inout [StoredValue], arena: inout [UInt8]) {
        let time = arena.count..<arena.count + 24
        r.time.appendText(to: &arena)
        encode(
            json, record: JSONIndex.root, wrapped: false, shape: r.shape.rawValue, first: time, last: time,
            field: { i in Self.activitySources[i].map { .derived($0(r)) } ?? .input },
            others: {
                $0 += [.text(r.dedupeKey), .text(r.operation), .bytes(time), .text(r.timeField)]
                $0 += [.text(r.resourceKey), .text(r.shape.rawValue)]
            },
            into: &values, arena: &arena)
    }
}
