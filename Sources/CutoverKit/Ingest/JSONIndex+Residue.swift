import Foundation

/// What a stored row needs from a parsed record besides its values: the node at a dotted
/// path, whether a string node's decoded text stands for it faithfully, and the record
/// written back compactly without the nodes the row's columns hold (the `extra` residue).
extension JSONIndex {
    /// The node at `path` (member names as UTF-8, outermost first) below `node`, or nil.
    func node(at path: [[UInt8]], from node: Int) -> Int? {
        var current = node
        for key in path {
            guard let next = child(current, key: key) else { return nil }
            current = next
        }
        return current
    }

    /// The member of object `node` whose key is `key` as UTF-8 (`child(_:key:)` on its bytes).
    func child(_ node: Int, key: [UInt8]) -> Int? {
        key.withUnsafeBufferPointer { child(node, key: $0) }
    }

    /// Appends the literal bytes of a scalar node as written (a string with its quotes and escapes).
    func appendLiteral(_ node: Int, to out: inout [UInt8]) {
        let n = nodes[node]
        let range = n.kind == .string ? Int(n.start) - 1..<Int(n.end) + 1 : Int(n.start)..<Int(n.end)
        bytes.withUnsafeBufferPointer { out.append(contentsOf: $0[range]) }
    }

    /// Whether a number node is written exactly as `value` would be.
    func isLiteral(_ node: Int, _ value: Int64) -> Bool {
        let n = nodes[node]
        guard n.kind == .number else { return false }
        var text = String(value)
        return text.withUTF8 { utf8 in
            bytes.withUnsafeBufferPointer { buf in
                Int(n.end - n.start) == utf8.count && memcmp(buf.baseAddress! + Int(n.start), utf8.baseAddress!, utf8.count) == 0
            }
        }
    }

    /// Whether a string node's content, as written, is the UTF-8 of `value`, or decodes to it.
    func isString(_ node: Int, _ value: String) -> Bool {
        var value = value
        return value.withUTF8 { isString(node, $0[...]) }
    }

    /// `isString` of the UTF-8 bytes `value`, compared as bytes.
    func isString(_ node: Int, _ value: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        let n = nodes[node]
        guard n.kind == .string else { return false }
        if n.escaped { return decodesFaithfully(node) && (string(node).map { $0.utf8.elementsEqual(value) } ?? false) }
        return bytes.withUnsafeBufferPointer { buf in
            Int(n.end - n.start) == value.count
                && (value.isEmpty || memcmp(buf.baseAddress! + Int(n.start), value.base.baseAddress! + value.startIndex, value.count) == 0)
        }
    }

    /// `RecordLayout.timeForm` of a string node written without escapes, compared in place.
    func timeForm(_ node: Int, of stored: UnsafeBufferPointer<UInt8>) -> Int64? {
        let n = nodes[node]
        guard n.kind == .string, !n.escaped else { return nil }
        return bytes.withUnsafeBufferPointer { buf in
            RecordLayout.timeForm(UnsafeBufferPointer(rebasing: buf[Int(n.start)..<Int(n.end)]), of: stored)
        }
    }

    // MARK: text without a String

    /// `node` when `nonEmpty(node)` has text: a string with content, a number, a bool.
    func present(_ node: Int?) -> Int? {
        guard let node else { return nil }
        let n = nodes[node]
        switch n.kind {
        case .string: return n.end > n.start ? node : nil
        case .number, .bool: return node
        case .null, .object, .array: return nil
        }
    }

    /// The bytes of a string or literal written without escapes and all ASCII (so valid UTF-8,
    /// and exactly what `string(node)` gives), or nil.
    private func plainText(_ node: Int) -> UnsafeBufferPointer<UInt8>? {
        let n = nodes[node]
        switch n.kind {
        case .string where !n.escaped, .number, .bool:
            return bytes.withUnsafeBufferPointer { buf in
                let text = UnsafeBufferPointer(rebasing: buf[Int(n.start)..<Int(n.end)])
                return JSONIndex.isASCII(text) ? text : nil
            }
        default:
            return nil
        }
    }

    /// Appends the UTF-8 of `string(node)` (escapes resolved, invalid UTF-8 repaired) without
    /// making the `String` when the node is plain ASCII, as nearly every field of a real record is.
    func appendText(_ node: Int, to out: inout [UInt8]) {
        if let text = plainText(node) {
            out.append(contentsOf: text)
            return
        }
        let n = nodes[node]
        if n.kind == .string && n.escaped {
            // Unescaped in place; a `String` only to repair bytes that are not UTF-8.
            let start = out.count
            bytes.withUnsafeBufferPointer {
                JSONIndex.unescape(UnsafeBufferPointer(rebasing: $0[Int(n.start)..<Int(n.end)]), appendingTo: &out)
            }
            let ascii = out.withUnsafeBufferPointer { JSONIndex.isASCII(UnsafeBufferPointer(rebasing: $0[start...])) }
            if !ascii {
                let text = String(decoding: out[start...], as: UTF8.self)
                out.removeSubrange(start...)
                out.append(contentsOf: text.utf8)
            }
        } else if var text = string(node) {
            text.withUTF8 { out.append(contentsOf: $0) }
        }
    }

    /// Whether `string(node)` is `text` (compared as bytes).
    func isText(_ node: Int?, _ text: StaticString) -> Bool {
        guard let node else { return false }
        let expected = UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
        if let plain = plainText(node) {
            return plain.count == expected.count && memcmp(plain.baseAddress!, expected.baseAddress!, expected.count) == 0
        }
        return string(node).map { $0.utf8.elementsEqual(expected) } ?? false
    }

    /// Calls `body` with the bytes of `string(node)`, in place when they are plain ASCII.
    func withText<R>(_ node: Int, _ body: (UnsafeRawBufferPointer) throws(Timestamp.ParseError) -> R) throws(Timestamp.ParseError) -> R {
        if let plain = plainText(node) { return try body(UnsafeRawBufferPointer(plain)) }
        let text = Array((string(node) ?? "").utf8)
        let result: Result<R, Timestamp.ParseError> = text.withUnsafeBytes { raw in
            do throws(Timestamp.ParseError) { return .success(try body(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    static func isASCII(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = text.count
        guard let base = text.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        while i + 8 <= n {
            if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < n {
            if base[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// Whether a string node is written with escapes.
    func isEscaped(_ node: Int) -> Bool { nodes[node].kind == .string && nodes[node].escaped }

    /// Whether a string node is "".
    func isEmptyString(_ node: Int) -> Bool { nodes[node].kind == .string && nodes[node].start == nodes[node].end }

    /// Whether `string(node)` gives back exactly what the input says: false only for a string
    /// that escapes a lone UTF-16 surrogate (`"\ud800"`), which decoding turns into U+FFFD.
    func decodesFaithfully(_ node: Int) -> Bool {
        let n = nodes[node]
        guard n.kind == .string, n.escaped else { return true }
        return bytes.withUnsafeBufferPointer { buf in
            var i = Int(n.start)
            let end = Int(n.end)
            /// The `\uXXXX` at `at`: 1 a high surrogate (D800–DBFF), 2 a low one (DC00–DFFF), else 0.
            func half(_ at: Int) -> Int {
                guard at + 6 <= end, buf[at] == 0x5C, buf[at + 1] == 0x75, buf[at + 2] | 0x20 == 0x64 else { return 0 }
                switch buf[at + 3] | 0x20 {
                case 0x38, 0x39, 0x61, 0x62: return 1
                case 0x63...0x66: return 2
                default: return 0
                }
            }
            while i < end {
                guard buf[i] == 0x5C else {
                    i += 1
                    continue
                }
                switch half(i) {
                case 1:
                    // A pair decodes to its one scalar; a high half alone does not.
                    guard half(i + 6) == 2 else { return false }
                    i += 12
                case 2: return false
                default: i += 2
                }
            }
            return true
        }
    }

    /// Appends `node` as compact JSON (no white space outside strings; strings, numbers and
    /// keys exactly as written), leaving out every member whose node is marked in `skip`.
    /// An object that had members and has none left is left out of its parent; one that was
    /// empty in the input stays. Returns false when nothing of `node` is left to write.
    @discardableResult
    func writeCompact(_ node: Int, skipping skip: [Bool], into out: inout [UInt8]) -> Bool {
        let n = nodes[node]
        switch n.kind {
        case .object, .array:
            let isObject = n.kind == .object
            let mark = out.count
            out.append(isObject ? 0x7B : 0x5B)
            var i = node + 1
            var any = false
            var skipped = false
            let end = Int(n.after)
            while i < end {
                let member = nodes[i]
                let next = Int(member.after)
                if isObject && i < skip.count && skip[i] {
                    skipped = true
                    i = next
                    continue
                }
                let before = out.count
                if any { out.append(0x2C) }
                if isObject {
                    bytes.withUnsafeBufferPointer { out.append(contentsOf: $0[Int(member.keyStart) - 1..<Int(member.keyEnd) + 1]) }
                    out.append(0x3A)
                }
                if writeCompact(i, skipping: skip, into: &out) || !isObject {
                    any = true
                } else {
                    out.removeSubrange(before...)
                    skipped = true
                }
                i = next
            }
            out.append(isObject ? 0x7D : 0x5D)
            if !any && skipped {
                out.removeSubrange(mark...)
                return false
            }
            return true
        case .string, .number, .bool, .null:
            appendLiteral(node, to: &out)
            return true
        }
    }
}
