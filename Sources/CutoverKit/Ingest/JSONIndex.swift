import Foundation

/// A parsed JSON record held as one flat array of nodes over the record's own bytes.
///
/// In: the bytes of one JSON value. Out: nodes that can be looked up by key path, with
/// string values unescaped only when asked for. One `JSONIndex` is reused for every record
/// of a stream, so decoding allocates nothing per record once warmed up; Foundation's
/// decoders are about six times slower here (docs/ARCHITECTURE.md).
/// Refused: anything that is not well-formed JSON (RFC 8259), and nesting deeper than 128.
public struct JSONIndex {
    public enum Kind: UInt8, Sendable {
        case object, array, string, number, bool, null
    }

    struct Node {
        var kind: Kind
        /// Member key range (content without quotes), or -1 for array elements and the root.
        var keyStart: Int32
        var keyEnd: Int32
        var keyEscaped: Bool
        /// Value range: string content without quotes, or the raw bytes of anything else.
        var start: Int32
        var end: Int32
        var escaped: Bool
        /// Index of the first node after this node's subtree.
        var after: Int32
    }

    public struct SyntaxError: Error, Sendable, CustomStringConvertible {
        public let offset: Int
        public let reason: String
        public var description: String { "invalid JSON at byte \(offset) of the record: \(reason)" }
    }

    private(set) var bytes: [UInt8] = []
    private(set) var nodes: [Node] = []

    public static let maxDepth = 128
    public static let root = 0

    public init() {
        bytes.reserveCapacity(4096)
        nodes.reserveCapacity(256)
    }

    /// Parses `record`, replacing what the index held before.
    public mutating func load(_ record: UnsafeRawBufferPointer) throws(SyntaxError) {
        let end = try parse(record)
        var parser = Parser(record, from: end)
        parser.skipWhitespace()
        guard parser.position == record.count else { throw SyntaxError(offset: parser.position, reason: "trailing bytes") }
    }

    /// Parses the JSON value at the start of `input` (which may hold more after it, or end
    /// before the value does) and returns its length; nil when `input` does not start with a
    /// complete, well-formed value. Only the value's bytes are kept. This is how a framer can
    /// find where a record ends and have it parsed in one pass over its bytes.
    public mutating func loadPrefix(_ input: UnsafeRawBufferPointer) -> Int? {
        try? parse(input)
    }

    /// Parses one value (after any white space) from the start of `input` into `nodes`, keeps
    /// its bytes, returns where it ends.
    private mutating func parse(_ input: UnsafeRawBufferPointer) throws(SyntaxError) -> Int {
        var parser = Parser(input, from: 0)
        swap(&nodes, &parser.nodes)  // the parser fills the index's storage
        defer { swap(&nodes, &parser.nodes) }
        parser.nodes.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
        parser.skipWhitespace()
        do {
            try parser.parseValue(keyStart: -1, keyEnd: -1, keyEscaped: false, depth: 0)
        } catch {
            // Nothing half-parsed stays behind: every lookup finds nothing.
            parser.nodes.removeAll(keepingCapacity: true)
            throw error
        }
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[..<parser.position]))
        return parser.position
    }

    public mutating func load(_ text: String) throws(SyntaxError) {
        let utf8 = Array(text.utf8)
        var copy = self
        let result: Result<Void, SyntaxError> = utf8.withUnsafeBytes { raw in
            do throws(SyntaxError) { return .success(try copy.load(raw)) } catch { return .failure(error) }
        }
        self = copy
        try result.get()
    }

    // MARK: lookups

    public func kind(_ node: Int) -> Kind { nodes[node].kind }

    /// The member of object `node` named `key`, or nil.
    public func child(_ node: Int, _ key: StaticString) -> Int? {
        child(node, key: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
    }

    /// The member of object `node` whose key is `key` as UTF-8 bytes, or nil. Keys are compared
    /// as written: a key written with escapes is never matched.
    func child(_ node: Int, key: UnsafeBufferPointer<UInt8>) -> Int? {
        guard node >= 0, node < nodes.count, nodes[node].kind == .object else { return nil }
        // Every decoded field and row column is a lookup here, two to three dozen a record: on
        // the buffers, the member's first key byte checked before the rest.
        return nodes.withUnsafeBufferPointer { nodes in
            bytes.withUnsafeBufferPointer { buf -> Int? in
                let count = Int32(key.count)
                var i = node + 1
                let end = Int(nodes[node].after)
                while i < end {
                    let n = nodes[i]
                    if n.keyEnd - n.keyStart == count && !n.keyEscaped
                        && (count == 0
                            || (buf[Int(n.keyStart)] == key[0]
                                && memcmp(buf.baseAddress! + Int(n.keyStart) + 1, key.baseAddress! + 1, key.count - 1) == 0))
                    {
                        return i
                    }
                    i = Int(n.after)
                }
                return nil
            }
        }
    }

    /// The member of object `node` named `key` (a name known only at run time).
    public func child(_ node: Int, named key: String) -> Int? {
        guard node >= 0, node < nodes.count, nodes[node].kind == .object else { return nil }
        var i = node + 1
        while i < Int(nodes[node].after) {
            if self.key(i) == key { return i }
            i = Int(nodes[i].after)
        }
        return nil
    }

    /// Follows a path of member names from `node` (the root by default).
    public func find(_ path: StaticString..., from node: Int = JSONIndex.root) -> Int? {
        var current: Int? = node
        for key in path {
            guard let c = current else { return nil }
            current = child(c, key)
        }
        return current
    }

    /// The elements of array `node` (or the members of an object), in order.
    public func children(_ node: Int) -> [Int] {
        guard node >= 0, node < nodes.count, nodes[node].kind == .array || nodes[node].kind == .object else { return [] }
        var result: [Int] = []
        var i = node + 1
        while i < Int(nodes[node].after) {
            result.append(i)
            i = Int(nodes[i].after)
        }
        return result
    }

    /// The member name of `node` inside its object.
    public func key(_ node: Int) -> String? {
        let n = nodes[node]
        guard n.keyStart >= 0 else { return nil }
        return text(Int(n.keyStart), Int(n.keyEnd), escaped: n.keyEscaped)
    }

    /// A string's unescaped text, a number's or bool's literal text; nil for null,
    /// objects and arrays.
    public func string(_ node: Int?) -> String? {
        guard let node else { return nil }
        let n = nodes[node]
        switch n.kind {
        case .string: return text(Int(n.start), Int(n.end), escaped: n.escaped)
        case .number, .bool: return text(Int(n.start), Int(n.end), escaped: false)
        case .null, .object, .array: return nil
        }
    }

    /// Like `string`, but the empty string counts as absent (real exports write "" for unset).
    public func nonEmpty(_ node: Int?) -> String? {
        guard let s = string(node), !s.isEmpty else { return nil }
        return s
    }

    /// An integer from a number or a numeric string (`durationMs` is either in real exports).
    public func int(_ node: Int?) -> Int? {
        guard let text = string(node) else { return nil }
        if let v = Int(text) { return v }
        return Double(text).flatMap { $0.isFinite ? Int(exactly: $0.rounded(.towardZero)) : nil }
    }

    /// The raw JSON text of any node (objects and arrays as written in the input).
    public func raw(_ node: Int) -> String {
        let n = nodes[node]
        if n.kind == .string { return text(Int(n.start) - 1, Int(n.end) + 1, escaped: false) }
        return text(Int(n.start), Int(n.end), escaped: false)
    }

    private func text(_ start: Int, _ end: Int, escaped: Bool) -> String {
        bytes.withUnsafeBufferPointer { buf in
            let slice = UnsafeBufferPointer(rebasing: buf[start..<end])
            if !escaped { return String(decoding: slice, as: UTF8.self) }
            return String(decoding: JSONIndex.unescape(slice), as: UTF8.self)
        }
    }

    /// Resolves JSON escapes, including `\uXXXX` surrogate pairs; lone surrogates become U+FFFD.
    static func unescape(_ s: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        unescape(s, appendingTo: &out)
        return out
    }

    /// `unescape`, appending to `out`.
    static func unescape(_ s: UnsafeBufferPointer<UInt8>, appendingTo out: inout [UInt8]) {
        var i = 0
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= s.count else { return nil }
            var v: UInt32 = 0
            for k in 0..<4 {
                let c = s[at + k]
                let d: UInt32
                switch c {
                case 48...57: d = UInt32(c - 48)
                case 65...70: d = UInt32(c - 55)
                case 97...102: d = UInt32(c - 87)
                default: return nil
                }
                v = v << 4 | d
            }
            return v
        }
        while i < s.count {
            let c = s[i]
            guard c == 0x5C, i + 1 < s.count else {
                out.append(c)
                i += 1
                continue
            }
            let e = s[i + 1]
            i += 2
            switch e {
            case 0x6E: out.append(0x0A)
            case 0x74: out.append(0x09)
            case 0x72: out.append(0x0D)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x75:
                var scalar: UInt32 = 0xFFFD
                if let hi = hex4(i) {
                    i += 4
                    if hi >= 0xD800 && hi < 0xDC00 {
                        if i + 1 < s.count, s[i] == 0x5C, s[i + 1] == 0x75, let lo = hex4(i + 2), lo >= 0xDC00, lo < 0xE000 {
                            scalar = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            i += 6
                        }
                    } else if hi < 0xDC00 || hi >= 0xE000 {
                        scalar = hi
                    }
                }
                let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: UTF8.encode(u)!)
            default: out.append(e)
            }
        }
    }

    // MARK: parsing

    /// One parse, over the caller's bytes (no copy until the value's end is known).
    private struct Parser {
        let input: UnsafePointer<UInt8>
        let count: Int
        var position: Int
        var nodes: [Node] = []

        init(_ buffer: UnsafeRawBufferPointer, from position: Int) {
            // An empty buffer may have no base address: any pointer will do, nothing is read.
            input = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
            count = buffer.count
            self.position = position
        }

        mutating func skipWhitespace() {
            while position < count {
                switch input[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        private func fail(_ reason: String) -> SyntaxError { SyntaxError(offset: position, reason: reason) }

        mutating func parseValue(keyStart: Int32, keyEnd: Int32, keyEscaped: Bool, depth: Int) throws(SyntaxError) {
            guard depth <= JSONIndex.maxDepth else { throw fail("nested deeper than \(JSONIndex.maxDepth)") }
            guard position < count else { throw fail("unexpected end") }
            let index = nodes.count
            let c = input[position]
            switch c {
            case 0x7B:  // {
                nodes.append(
                    Node(
                        kind: .object, keyStart: keyStart, keyEnd: keyEnd, keyEscaped: keyEscaped,
                        start: Int32(position), end: 0, escaped: false, after: 0))
                position += 1
                skipWhitespace()
                if position < count, input[position] == 0x7D {
                    position += 1
                } else {
                    while true {
                        skipWhitespace()
                        guard position < count, input[position] == 0x22 else { throw fail("expected a member name") }
                        let (ks, ke, kesc) = try scanString()
                        skipWhitespace()
                        guard position < count, input[position] == 0x3A else { throw fail("expected ':'") }
                        position += 1
                        skipWhitespace()
                        try parseValue(keyStart: Int32(ks), keyEnd: Int32(ke), keyEscaped: kesc, depth: depth + 1)
                        skipWhitespace()
                        guard position < count else { throw fail("unexpected end inside an object") }
                        if input[position] == 0x2C {
                            position += 1
                            continue
                        }
                        guard input[position] == 0x7D else { throw fail("expected ',' or '}'") }
                        position += 1
                        break
                    }
                }
            case 0x5B:  // [
                nodes.append(
                    Node(
                        kind: .array, keyStart: keyStart, keyEnd: keyEnd, keyEscaped: keyEscaped,
                        start: Int32(position), end: 0, escaped: false, after: 0))
                position += 1
                skipWhitespace()
                if position < count, input[position] == 0x5D {
                    position += 1
                } else {
                    while true {
                        skipWhitespace()
                        try parseValue(keyStart: -1, keyEnd: -1, keyEscaped: false, depth: depth + 1)
                        skipWhitespace()
                        guard position < count else { throw fail("unexpected end inside an array") }
                        if input[position] == 0x2C {
                            position += 1
                            continue
                        }
                        guard input[position] == 0x5D else { throw fail("expected ',' or ']'") }
                        position += 1
                        break
                    }
                }
            case 0x22:
                let (s, e, esc) = try scanString()
                nodes.append(
                    Node(
                        kind: .string, keyStart: keyStart, keyEnd: keyEnd, keyEscaped: keyEscaped,
                        start: Int32(s), end: Int32(e), escaped: esc, after: 0))
            case 0x74, 0x66, 0x6E:  // true false null
                let word: [UInt8] =
                    c == 0x74 ? [0x74, 0x72, 0x75, 0x65] : c == 0x66 ? [0x66, 0x61, 0x6C, 0x73, 0x65] : [0x6E, 0x75, 0x6C, 0x6C]
                guard position + word.count <= count, word.indices.allSatisfy({ input[position + $0] == word[$0] })
                else { throw fail("unknown literal") }
                nodes.append(
                    Node(
                        kind: c == 0x6E ? .null : .bool, keyStart: keyStart, keyEnd: keyEnd, keyEscaped: keyEscaped,
                        start: Int32(position), end: Int32(position + word.count), escaped: false, after: 0))
                position += word.count
            case 0x2D, 0x30...0x39:
                let s = position
                try scanNumber()
                nodes.append(
                    Node(
                        kind: .number, keyStart: keyStart, keyEnd: keyEnd, keyEscaped: keyEscaped,
                        start: Int32(s), end: Int32(position), escaped: false, after: 0))
            default:
                throw fail("unexpected byte 0x\(String(c, radix: 16))")
            }
            if nodes[index].kind == .object || nodes[index].kind == .array { nodes[index].end = Int32(position) }
            nodes[index].after = Int32(nodes.count)
        }

        private static func isNumberByte(_ b: UInt8) -> Bool {
            isDigit(b) || b == 0x2E || b == 0x65 || b == 0x45 || b == 0x2B || b == 0x2D
        }

        private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

        private static func isHexDigit(_ b: UInt8) -> Bool { isDigit(b) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x66) }

        /// A number as RFC 8259 writes it: `-`, then `0` or digits not starting with `0`, then
        /// optionally `.` and digits, then optionally `e` or `E`, a sign and digits. `01`, `1.`,
        /// `.5`, `1e`, `1.2.3` and `1-2` are not numbers (a parser would read `1-2` as 1, or refuse it).
        private mutating func scanNumber() throws(SyntaxError) {
            let start = position
            func digits() -> Int {
                let from = position
                while position < count, Self.isDigit(input[position]) { position += 1 }
                return position - from
            }
            if input[position] == 0x2D { position += 1 }
            if position < count, input[position] == 0x30 {
                position += 1
            } else if digits() == 0 {
                throw SyntaxError(offset: start, reason: "malformed number")
            }
            if position < count, input[position] == 0x2E {
                position += 1
                guard digits() > 0 else { throw SyntaxError(offset: start, reason: "malformed number") }
            }
            if position < count, input[position] | 0x20 == 0x65 {
                position += 1
                if position < count, input[position] == 0x2B || input[position] == 0x2D { position += 1 }
                guard digits() > 0 else { throw SyntaxError(offset: start, reason: "malformed number") }
            }
            if position < count, Self.isNumberByte(input[position]) { throw SyntaxError(offset: start, reason: "malformed number") }
        }

        /// Scans a string starting at its opening quote; returns the content range.
        mutating func scanString() throws(SyntaxError) -> (Int, Int, Bool) {
            position += 1
            let s = position
            var escaped = false
            while position < count {
                let b = input[position]
                if b == 0x22 {
                    position += 1
                    return (s, position - 1, escaped)
                }
                if b == 0x5C {
                    // Only the escapes RFC 8259 has: a JSON encoder writes no other, and reading
                    // `\s` as `s` (or `\u12` as U+FFFD) would store text the record never had.
                    escaped = true
                    guard position + 1 < count else { break }
                    switch input[position + 1] {
                    case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
                        position += 2
                    case 0x75:
                        guard position + 6 <= count, (2..<6).allSatisfy({ Self.isHexDigit(input[position + $0]) }) else {
                            throw fail("\\u not followed by four hex digits inside a string")
                        }
                        position += 6
                    case let e:
                        let shown = e > 0x20 && e < 0x7F ? "'\\\(Character(Unicode.Scalar(e)))'" : "before byte 0x\(String(e, radix: 16))"
                        throw fail("invalid escape \(shown) inside a string")
                    }
                    continue
                }
                if b < 0x20 { throw fail("control character inside a string") }
                position += 1
            }
            throw fail("unterminated string")
        }
    }
}
