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
        let n = nodes[node]
        guard n.kind == .string else { return false }
        if n.escaped { return decodesFaithfully(node) && string(node) == value }
        var value = value
        return value.withUTF8 { utf8 in
            bytes.withUnsafeBufferPointer { buf in
                Int(n.end - n.start) == utf8.count
                    && (utf8.isEmpty || memcmp(buf.baseAddress! + Int(n.start), utf8.baseAddress!, utf8.count) == 0)
            }
        }
    }

    /// `RecordLayout.timeForm` of a string node written without escapes, compared in place.
    func timeForm(_ node: Int, of stored: String) -> Int64? {
        let n = nodes[node]
        guard n.kind == .string, !n.escaped else { return nil }
        return bytes.withUnsafeBufferPointer { buf in
            RecordLayout.timeForm(UnsafeBufferPointer(rebasing: buf[Int(n.start)..<Int(n.end)]), of: stored)
        }
    }

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
            while i + 2 < end {
                if buf[i] == 0x5C {
                    if buf[i + 1] == 0x75, buf[i + 2] | 0x20 == 0x64, i + 3 < end {
                        let c = buf[i + 3] | 0x20  // `\uD8xx`–`\uDFxx`
                        if (c >= 0x38 && c <= 0x39) || (c >= 0x61 && c <= 0x66) { return false }
                    }
                    i += 2
                } else {
                    i += 1
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
