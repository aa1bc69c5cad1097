/// A JSON value the simulator writes, with the two layouts real exporters use: compact
/// (one record per line) and pretty-printed with sorted keys (kubectl's `-o json`).
public indirect enum JSONValue: Sendable, Equatable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case int(Int)
    case bool(Bool)
    case null

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.compact() == b.compact() }

    /// `.string` for a value, `.null` for nil.
    public static func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }

    public func compact() -> String {
        var out = ""
        write(into: &out, indent: nil, level: 0, sorted: false)
        return out
    }

    public func pretty(indent: Int = 4, sortedKeys: Bool = true) -> String {
        var out = ""
        write(into: &out, indent: indent, level: 0, sorted: sortedKeys)
        return out
    }

    private func write(into out: inout String, indent: Int?, level: Int, sorted: Bool) {
        let newline = indent == nil ? "" : "\n"
        let pad = { (l: Int) in String(repeating: " ", count: (indent ?? 0) * l) }
        switch self {
        case .object(let members):
            if members.isEmpty {
                out += "{}"
                return
            }
            let list = sorted ? members.sorted { $0.0 < $1.0 } : members
            out += "{" + newline
            for (i, (key, value)) in list.enumerated() {
                out += pad(level + 1) + JSONText.quote(key) + (indent == nil ? ":" : ": ")
                value.write(into: &out, indent: indent, level: level + 1, sorted: sorted)
                out += (i < list.count - 1 ? "," : "") + newline
            }
            out += pad(level) + "}"
        case .array(let items):
            if items.isEmpty {
                out += "[]"
                return
            }
            out += "[" + newline
            for (i, item) in items.enumerated() {
                out += pad(level + 1)
                item.write(into: &out, indent: indent, level: level + 1, sorted: sorted)
                out += (i < items.count - 1 ? "," : "") + newline
            }
            out += pad(level) + "]"
        case .string(let s): out += JSONText.quote(s)
        case .int(let i): out += String(i)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        }
    }
}
