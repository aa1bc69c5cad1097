#if canImport(Glibc)
    import Glibc
#endif

/// Where a record starts in its input: the byte offset in the decompressed stream and the
/// 1-based line number, so an error can point at it in `zcat file | sed -n 'Np'`.
public struct RecordPosition: Sendable, Equatable, Hashable {
    public var offset: Int64
    public var line: Int

    public init(offset: Int64, line: Int) {
        self.offset = offset
        self.line = line
    }
}

/// One thing the framer found: a complete top-level record, or bytes that are not one.
public enum FramedItem {
    /// The bytes of one JSON object; valid only during the callback.
    case record(UnsafeRawBufferPointer, RecordPosition)
    /// Bytes that could not be framed as a record, with the reason and their first bytes.
    case invalid(reason: String, snippet: [UInt8], RecordPosition)
}

/// Splits a byte stream into JSON records, whatever the framing, without holding more than
/// one record in memory.
///
/// In: decompressed chunks of any size (1 byte to megabytes). Out: `FramedItem`s.
/// Framings recognised from the bytes: one value per line (blank lines, CRLF, no final
/// newline), concatenated pretty-printed objects (`kubectl get events -w -o json`), a JSON
/// array of records, and a wrapper object whose `items` (Kubernetes List), `records`
/// (Event Hubs, diagnostic settings) or `value` (ARM REST page) array holds the records –
/// that array is streamed element by element and the rest of the wrapper is dropped.
/// Dropped: whitespace and separators. Reported as invalid: text that is not JSON (for
/// example a literal `Content` line before the records), array elements that are not
/// objects, records over `maxRecordBytes`, and a value cut off by the end of the input.
public struct JSONFramer {
    public let maxRecordBytes: Int

    private enum Mode {
        case between, inRecord, skippingLine, skippingElement, inWrapperTail
    }

    private var mode = Mode.between
    private var depth = 0
    /// The depth at which records start: 0 at top level, 1 inside a top-level array,
    /// 2 inside a wrapper's array.
    private var containerDepth = 0
    private var inString = false
    private var escaped = false
    private var buffer: [UInt8] = []
    private var oversized = false
    private var start = RecordPosition(offset: 0, line: 1)
    private var line = 1
    private var consumed: Int64 = 0
    // Key tracking at depth 1 of a top-level object, to spot a wrapper's record array.
    private var expectKey = false
    private var collectingKey = false
    private var key: [UInt8] = []
    private var lastKey: [UInt8] = []
    // Resynchronisation: a record that began a line is cut off when a later line starts with
    // `{` before it closed (a broken NDJSON line must not swallow the lines after it).
    private var lineStart = true
    /// True from a line's start while only white space has come on it.
    private var lineIndent = true
    private var recordBeganLine = false
    /// While the current record is on the line it began on; whether it had content there.
    private var recordFirstLine = false
    private var recordCompact = false
    /// Inside a top-level object's `metadata`, whose keys tell a record (`uid`, `name`) from a List.
    private var inMetadata = false
    private var expectMetadataKey = false
    /// The keys a top-level object has shown so far are all ones a wrapper has (`apiVersion`,
    /// `kind`, `metadata`, `nextLink`): only then is its `items`/`records`/`value` array a
    /// wrapper's. An event with a `value` key is a record, not a wrapper.
    private var onlyWrapperKeys = true
    /// In a wrapper's tail: a key no wrapper has, which means the object was a record.
    private var tailKey: [UInt8]?
    private var wrapperStart = RecordPosition(offset: 0, line: 1)

    private static let snippetBytes = 200
    private static let containerKeys: [[UInt8]] = [Array("items".utf8), Array("records".utf8), Array("value".utf8)]
    /// A key a List or page has: its records array's or one of the others.
    private static func isWrapperKey(_ key: [UInt8]) -> Bool { containerKeys.contains(key) || wrapperKeys.contains(key) }

    private static let metadataKey = Array("metadata".utf8)
    /// Keys of an object's metadata that a List's metadata never has.
    private static let recordMetadataKeys: [[UInt8]] = [
        Array("uid".utf8), Array("name".utf8), Array("namespace".utf8), Array("creationTimestamp".utf8),
    ]
    private static let wrapperKeys: [[UInt8]] = [
        Array("apiVersion".utf8), Array("kind".utf8), Array("metadata".utf8), Array("nextLink".utf8),
    ]

    public init(maxRecordBytes: Int = 16 << 20) {
        self.maxRecordBytes = maxRecordBytes
        buffer.reserveCapacity(64 << 10)
    }

    /// Feeds one chunk; `emit` is called for every item completed inside it.
    ///
    /// `parse`, when given, is offered the bytes where a record starts in two common cases:
    /// a top-level line that starts with `{`, ends with `}` and holds no `[` (so it cannot be a
    /// wrapper) – almost every NDJSON line – and an element of a records array (List `items`,
    /// an array of records) that does not begin its line, with the rest of the chunk. It
    /// parses one JSON value from the start of those bytes (the caller keeps the parse) and
    /// returns its length, or nil. When that value is the whole line, or a whole element, it is
    /// emitted as a record without the byte-by-byte scan; otherwise the bytes are framed byte
    /// by byte as without `parse`. Either way the items are the same.
    public mutating func feed(
        _ chunk: UnsafeRawBufferPointer, parse: ((UnsafeRawBufferPointer) -> Int?)? = nil,
        _ emit: (FramedItem) throws -> Void
    ) rethrows {
        let n = chunk.count
        guard n > 0, let base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var i = 0
        // Start of the bytes of the current record (or skipped text) not yet copied to `buffer`.
        var pending = mode == .inRecord || mode == .skippingLine || mode == .skippingElement ? 0 : -1
        while i < n {
            if let parse, mode == .between, base[i] == 0x7B {
                if lineStart, depth == 0, let end = Self.singleLineObject(base, from: i, count: n, limit: maxRecordBytes) {
                    let record = UnsafeRawBufferPointer(start: base + i, count: end.last + 1 - i)
                    if parse(record) == record.count {
                        try emit(.record(record, RecordPosition(offset: consumed + Int64(i), line: line)))
                        line += 1
                        i = end.newline + 1
                        continue
                    }
                } else if !lineStart, containerDepth > 0, depth == containerDepth,
                    let length = parse(UnsafeRawBufferPointer(start: base + i, count: min(n - i, maxRecordBytes)))
                {
                    // A whole element: well-formed JSON, so the byte scan would end it at the same
                    // bracket. (One that begins its line is left to the scan, whose resynchronisation
                    // rule looks at the lines inside it.)
                    let record = UnsafeRawBufferPointer(start: base + i, count: length)
                    try emit(.record(record, RecordPosition(offset: consumed + Int64(i), line: line)))
                    line += Self.newlines(in: base + i, count: length)
                    i += length
                    continue
                }
            }
            if mode == .inRecord && !escaped && !collectingKey && !lineStart && !lineIndent {
                // Fast path: skip the bytes that cannot change the state (most of a record).
                let skipFrom = i
                if inString {
                    while i < n {
                        let c = base[i]
                        if c == 0x22 || c == 0x5C || c == 0x0A { break }
                        i += 1
                    }
                } else {
                    while i < n && !JSONFramer.isStructural(base[i]) { i += 1 }
                }
                if i > skipFrom { lineStart = false }
                if i == n { break }
            }
            let b = base[i]
            let wasLineStart = lineStart
            let wasIndent = lineIndent
            lineStart = b == 0x0A
            lineIndent = b == 0x0A || (wasIndent && (b == 0x20 || b == 0x09 || b == 0x0D))
            // A `{` that begins a line (column 0) means the record before it never closed; so
            // does one that begins an indented line when the record is compact (it had content
            // on its first line, as an NDJSON line has: pretty-printed JSON puts a newline right
            // after the opening brace, and only there are indented objects inside a record).
            if (wasLineStart || (wasIndent && recordCompact)) && b == 0x7B && mode == .inRecord && recordBeganLine {
                if pending >= 0 { append(chunk, from: pending, upTo: i) }
                try emit(.invalid(reason: "record not closed before the next line's record begins", snippet: snippet(), start))
                buffer.removeAll(keepingCapacity: true)
                oversized = false
                depth = containerDepth
                inString = false
                escaped = false
                mode = .between
            }
            switch mode {
            case .between:
                switch b {
                case 0x20, 0x09, 0x0D, 0x2C:
                    break
                case 0x0A:
                    line += 1
                case 0x7B:  // {
                    mode = .inRecord
                    depth += 1
                    pending = i
                    // An indented top-level record begins its line too (a broken NDJSON line may
                    // start with white space); a List's indented elements are left to column 0.
                    recordBeganLine = wasLineStart || (wasIndent && containerDepth == 0)
                    recordFirstLine = true
                    recordCompact = false
                    inMetadata = false
                    start = RecordPosition(offset: consumed + Int64(i), line: line)
                    expectKey = containerDepth == 0
                    onlyWrapperKeys = true
                    collectingKey = false
                    lastKey.removeAll(keepingCapacity: true)
                case 0x5B where depth == 0:  // [ at top level: an array of records
                    depth = 1
                    containerDepth = 1
                case 0x5D where containerDepth > 0 && depth == containerDepth:  // ] closes the records array
                    depth -= 1
                    if containerDepth == 2 {
                        containerDepth = 0
                        mode = .inWrapperTail
                        expectKey = false
                        collectingKey = false
                    } else {
                        containerDepth = 0
                    }
                default:
                    start = RecordPosition(offset: consumed + Int64(i), line: line)
                    pending = i
                    if containerDepth == 0 {
                        mode = .skippingLine
                    } else {
                        mode = .skippingElement
                        if b == 0x5B || b == 0x7B { depth += 1 }
                        if b == 0x22 { inString = true }
                    }
                }
            case .inRecord:
                if recordFirstLine && b != 0x20 && b != 0x09 && b != 0x0D {
                    recordFirstLine = false
                    recordCompact = b != 0x0A
                }
                if inString {
                    if escaped {
                        escaped = false
                    } else if b == 0x5C {
                        escaped = true
                    } else if b == 0x22 {
                        inString = false
                        if collectingKey {
                            collectingKey = false
                            if inMetadata {
                                if JSONFramer.recordMetadataKeys.contains(key) { onlyWrapperKeys = false }
                            } else {
                                lastKey = key
                                if !JSONFramer.isWrapperKey(key) { onlyWrapperKeys = false }
                            }
                        }
                    } else if collectingKey && key.count < 16 {
                        key.append(b)
                    }
                    if b == 0x0A { line += 1 }
                    break
                }
                switch b {
                case 0x22:
                    inString = true
                    if (depth == 1 && expectKey) || (inMetadata && depth == 2 && expectMetadataKey) {
                        collectingKey = true
                        key.removeAll(keepingCapacity: true)
                    }
                case 0x5B
                where depth == 1 && containerDepth == 0 && !expectKey && onlyWrapperKeys
                    && JSONFramer.containerKeys.contains(lastKey):
                    // A wrapper (List, records, value page): stream its array's elements.
                    buffer.removeAll(keepingCapacity: true)
                    oversized = false
                    pending = -1
                    depth = 2
                    containerDepth = 2
                    tailKey = nil
                    wrapperStart = start
                    mode = .between
                case 0x7B where depth == 1 && containerDepth == 0 && !expectKey && lastKey == JSONFramer.metadataKey && onlyWrapperKeys:
                    depth += 1
                    inMetadata = true
                    expectMetadataKey = true
                case 0x7B, 0x5B:
                    depth += 1
                case 0x3A where inMetadata && depth == 2:
                    expectMetadataKey = false
                case 0x2C where inMetadata && depth == 2:
                    expectMetadataKey = true
                case 0x7D, 0x5D:
                    depth -= 1
                    if inMetadata && depth == 1 { inMetadata = false }
                    if depth == containerDepth {
                        try finishRecord(chunk, from: pending, through: i, emit)
                        pending = -1
                        mode = .between
                    }
                case 0x3A where depth == 1:
                    expectKey = false
                case 0x2C where depth == 1:
                    expectKey = containerDepth == 0
                case 0x0A:
                    line += 1
                default:
                    break
                }
            case .skippingLine:
                if b == 0x0A {
                    try finishInvalid(chunk, from: pending, upTo: i, reason: "not JSON", emit)
                    pending = -1
                    mode = .between
                    line += 1
                }
            case .skippingElement:
                if inString {
                    if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
                } else if b == 0x22 {
                    inString = true
                } else if b == 0x5B || b == 0x7B {
                    depth += 1
                } else if (b == 0x5D || b == 0x7D) && depth > containerDepth {
                    depth -= 1
                } else if depth == containerDepth && (b == 0x2C || b == 0x5D) {
                    try finishInvalid(chunk, from: pending, upTo: i, reason: "array element is not an object", emit)
                    pending = -1
                    mode = .between
                    continue  // the separator or bracket is handled in .between
                }
                if b == 0x0A { line += 1 }
            case .inWrapperTail:
                if inString {
                    if escaped {
                        escaped = false
                    } else if b == 0x5C {
                        escaped = true
                    } else if b == 0x22 {
                        inString = false
                        if collectingKey {
                            collectingKey = false
                            if tailKey == nil && !JSONFramer.isWrapperKey(key) { tailKey = key }
                        }
                    } else if collectingKey && key.count < 32 {
                        key.append(b)
                    }
                } else if b == 0x22 {
                    inString = true
                    if depth == 1 && expectKey {
                        collectingKey = true
                        key.removeAll(keepingCapacity: true)
                    }
                } else if b == 0x2C && depth == 1 {
                    expectKey = true
                } else if b == 0x3A && depth == 1 {
                    expectKey = false
                } else if b == 0x5B || b == 0x7B {
                    depth += 1
                } else if b == 0x5D || b == 0x7D {
                    depth -= 1
                    if depth == 0 {
                        mode = .between
                        if let tailKey {
                            // Its elements were read as records; say that the object itself was not.
                            try emit(
                                .invalid(
                                    reason:
                                        "an object with a records array also has the key \(String(decoding: tailKey, as: UTF8.self).debugDescription), "
                                        + "so it may be a record itself: its array's elements were read, the object was not",
                                    snippet: Array(String(decoding: tailKey, as: UTF8.self).utf8), wrapperStart))
                            self.tailKey = nil
                        }
                    }
                }
                if b == 0x0A { line += 1 }
            }
            i += 1
        }
        if pending >= 0 { append(chunk, from: pending, upTo: n) }
        consumed += Int64(n)
    }

    /// Call after the last chunk: reports a value cut off by the end of the input, and returns
    /// whether there was one (the input is then truncated, gzip or not).
    @discardableResult
    public mutating func finish(_ emit: (FramedItem) throws -> Void) rethrows -> Bool {
        var cut = false
        switch mode {
        case .inRecord, .skippingElement:
            try emit(.invalid(reason: "input ends inside a JSON value", snippet: snippet(), start))
            cut = true
        case .skippingLine:
            try emit(.invalid(reason: "not JSON", snippet: snippet(), start))
        case .between, .inWrapperTail:
            if depth > 0 {
                let at = RecordPosition(offset: consumed, line: line)
                try emit(.invalid(reason: "input ends inside a JSON array or wrapper", snippet: [], at))
                cut = true
            }
        }
        reset()
        return cut
    }

    /// For a line starting at `from`: the index of its last byte before trailing white space
    /// and of its newline, when the line ends with `}`, holds no `[`, fits in `limit` bytes and
    /// its newline is inside this chunk.
    @inline(__always)
    private static func singleLineObject(
        _ base: UnsafePointer<UInt8>, from: Int, count: Int, limit: Int
    ) -> (last: Int, newline: Int)? {
        guard let found = memchr(base + from, 0x0A, count - from) else { return nil }
        let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        var last = newline - 1
        while last > from, base[last] == 0x0D || base[last] == 0x20 || base[last] == 0x09 { last -= 1 }
        guard base[last] == 0x7D, last + 1 - from <= limit, memchr(base + from, 0x5B, last + 1 - from) == nil else { return nil }
        return (last, newline)
    }

    private static func newlines(in bytes: UnsafePointer<UInt8>, count: Int) -> Int {
        var lines = 0
        for k in 0..<count where bytes[k] == 0x0A { lines += 1 }
        return lines
    }

    /// Bytes that can change the framer's state outside a string.
    @inline(__always)
    private static func isStructural(_ c: UInt8) -> Bool {
        switch c {
        case 0x22, 0x7B, 0x7D, 0x5B, 0x5D, 0x3A, 0x2C, 0x0A: return true
        default: return false
        }
    }

    private mutating func reset() {
        mode = .between
        depth = 0
        containerDepth = 0
        inString = false
        escaped = false
        buffer.removeAll(keepingCapacity: true)
        oversized = false
    }

    private mutating func append(_ chunk: UnsafeRawBufferPointer, from: Int, upTo end: Int) {
        guard end > from, !oversized else { return }
        if mode == .inRecord && buffer.count + (end - from) > maxRecordBytes {
            // Keep only the first bytes, for the reject's snippet.
            oversized = true
            if buffer.count > JSONFramer.snippetBytes { buffer.removeSubrange(JSONFramer.snippetBytes...) }
        }
        let cap = mode == .inRecord && !oversized ? Int.max : JSONFramer.snippetBytes
        let take = min(end - from, max(0, cap - buffer.count))
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[from..<(from + take)]))
    }

    private mutating func finishRecord(
        _ chunk: UnsafeRawBufferPointer, from: Int, through end: Int, _ emit: (FramedItem) throws -> Void
    ) rethrows {
        if from >= 0 {
            if buffer.isEmpty && !oversized && end + 1 - from <= maxRecordBytes {
                try emit(.record(UnsafeRawBufferPointer(rebasing: chunk[from...end]), start))
                return
            }
            append(chunk, from: from, upTo: end + 1)
        }
        if oversized {
            try emit(.invalid(reason: "record larger than \(maxRecordBytes) bytes", snippet: snippet(), start))
        } else {
            try buffer.withUnsafeBytes { try emit(.record($0, start)) }
        }
        buffer.removeAll(keepingCapacity: true)
        oversized = false
    }

    private mutating func finishInvalid(
        _ chunk: UnsafeRawBufferPointer, from: Int, upTo end: Int, reason: String,
        _ emit: (FramedItem) throws -> Void
    ) rethrows {
        if from >= 0 { append(chunk, from: from, upTo: end) }
        try emit(.invalid(reason: reason, snippet: snippet(), start))
        buffer.removeAll(keepingCapacity: true)
    }

    private func snippet() -> [UInt8] {
        var bytes = Array(buffer.prefix(JSONFramer.snippetBytes))
        while let last = bytes.last, last == 0x0D || last == 0x20 { bytes.removeLast() }
        return bytes
    }
}
