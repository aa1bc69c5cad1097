/// Splits a CSV export (RFC 4180) into rows and hands each row on as a JSON object keyed by
/// the header, so CSV exports go through the same decoders as JSON ones.
///
/// In: chunks of a file whose first line is a header, as the Azure portal and
/// `az monitor log-analytics query` write Log Analytics results (`KubeEvents`, `AzureActivity`):
/// `TimeGenerated [UTC],Computer,Reason,Message,…`. Out: `FramedItem`s like `JSONFramer`'s.
/// Quoted fields may hold commas, doubled quotes and line breaks. A header name ending in
/// ` [UTC]` says the column is UTC: its values are written as RFC 3339 with `Z`, including the
/// portal's `11/3/2026, 1:04:55.597 PM` form; without that suffix a time must carry its own zone.
/// Rows with more fields than the header, and rows over `maxRecordBytes`, are reported invalid.
public struct CSVFramer {
    public let maxRecordBytes: Int
    private var header: [String]?
    private var utcColumns: Set<Int> = []
    private var fields: [[UInt8]] = []
    private var field: [UInt8] = []
    private var inQuotes = false
    private var quoteSeen = false
    private var rowBytes = 0
    private var rowStart = RecordPosition(offset: 0, line: 1)
    private var line = 1
    private var consumed: Int64 = 0
    private var atRowStart = true
    /// Fields of the current row beyond what is kept (the header's count; `maxHeaderFields` for
    /// the header itself), only counted: a crafted row of millions of fields stays small.
    private var extraFields = 0
    static let maxHeaderFields = 1024

    public init(maxRecordBytes: Int = 16 << 20) { self.maxRecordBytes = maxRecordBytes }

    /// True when `prefix` (the first bytes of an input) looks like a CSV export cutover reads:
    /// a first line, outside any JSON, that names a Log Analytics column it knows.
    public static func looksLikeCSV(_ prefix: UnsafeRawBufferPointer) -> Bool {
        var bytes = Array(prefix.prefix(4096))
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x0A && $0 != 0x09 }),
            first != 0x7B, first != 0x5B
        else { return false }
        let firstLine = String(decoding: bytes.prefix { $0 != 0x0A }, as: UTF8.self)
        guard firstLine.contains(",") else { return false }
        return ["TimeGenerated", "KubeEventType", "OperationNameValue", "ActivityStatusValue"].contains { firstLine.contains($0) }
    }

    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (FramedItem) throws -> Void) rethrows {
        var i = 0
        while i < chunk.count {
            let b = chunk[i]
            if atRowStart {
                atRowStart = false
                rowStart = RecordPosition(offset: consumed + Int64(i), line: line)
            }
            rowBytes += 1
            if b == 0x0A { line += 1 }
            if inQuotes {
                if b == 0x22 {
                    inQuotes = false
                    quoteSeen = true
                } else {
                    appendToField(b)
                }
            } else {
                switch b {
                case 0x22:
                    // A quote right after a closing quote is an escaped quote inside the field.
                    if quoteSeen { appendToField(b) }
                    inQuotes = true
                    quoteSeen = false
                case 0x2C:
                    endField()
                case 0x0A:
                    endField()
                    try endRow(emit)
                case 0x0D:
                    quoteSeen = false
                default:
                    quoteSeen = false
                    appendToField(b)
                }
            }
            i += 1
        }
        consumed += Int64(chunk.count)
    }

    public mutating func finish(_ emit: (FramedItem) throws -> Void) rethrows {
        if inQuotes {
            try emit(.invalid(reason: "input ends inside a quoted CSV field", snippet: Array(field.prefix(200)), rowStart))
            return
        }
        if !field.isEmpty || !fields.isEmpty {
            endField()
            try endRow(emit)
        }
    }

    private mutating func appendToField(_ b: UInt8) {
        if rowBytes <= maxRecordBytes { field.append(b) }
    }

    private mutating func endField() {
        if fields.count < (header?.count ?? Self.maxHeaderFields) {
            fields.append(field)
        } else {
            extraFields += 1
        }
        field.removeAll(keepingCapacity: true)
        quoteSeen = false
    }

    private mutating func endRow(_ emit: (FramedItem) throws -> Void) rethrows {
        let extra = extraFields
        defer {
            fields.removeAll(keepingCapacity: true)
            rowBytes = 0
            atRowStart = true
            extraFields = 0
        }
        if fields.count == 1 && fields[0].isEmpty && extra == 0 { return }  // a blank line
        guard let header else {
            if extra > 0 {
                try emit(
                    .invalid(
                        reason: "CSV header has \(fields.count + extra) columns; only the first \(Self.maxHeaderFields) are read",
                        snippet: Array(fields.first?.prefix(200) ?? []), rowStart))
            }
            // A byte-order mark (Excel and the portal write one) is not part of the first name.
            let names = fields.map { String(decoding: $0, as: UTF8.self).trimmingWhitespace() }
                .map { $0.hasPrefix("\u{FEFF}") ? String($0.dropFirst()) : $0 }
            utcColumns = Set(names.indices.filter { names[$0].hasSuffix("[UTC]") })
            header = names.map { $0.hasSuffix("[UTC]") ? String($0.dropLast(5)).trimmingWhitespace() : $0 }
            return
        }
        let snippet = Array(fields.first?.prefix(200) ?? [])
        if rowBytes > maxRecordBytes {
            return try emit(.invalid(reason: "record larger than \(maxRecordBytes) bytes", snippet: snippet, rowStart))
        }
        guard extra == 0 else {
            return try emit(
                .invalid(reason: "CSV row has \(fields.count + extra) fields, the header \(header.count)", snippet: snippet, rowStart))
        }
        var json = "{"
        for (k, value) in fields.enumerated() {
            var text = String(decoding: value, as: UTF8.self)
            if utcColumns.contains(k), let iso = CSVFramer.utcTime(text) { text = iso }
            json += (k == 0 ? "" : ",") + JSONText.quote(header[k]) + ":" + JSONText.quote(text)
        }
        json += "}"
        var bytes = Array(json.utf8)
        try bytes.withUnsafeMutableBytes { try emit(.record(UnsafeRawBufferPointer($0), rowStart)) }
    }

    /// A time from a column the header marks UTC, as RFC 3339 with `Z`: ISO text without a
    /// zone, or the portal's `M/D/YYYY, h:mm:ss[.fff] AM|PM`. Nil when it is neither.
    static func utcTime(_ text: String) -> String? {
        let t = text.trimmingWhitespace()
        guard !t.isEmpty else { return nil }
        if t.first?.isNumber == true, t.count >= 19, t.dropFirst(4).first == "-" {
            let hasZone = t.hasSuffix("Z") || t.hasSuffix("z") || t.dropFirst(19).contains("+") || t.dropFirst(19).contains("-")
            return hasZone ? t : t + "Z"
        }
        // 11/3/2026, 1:04:55.597 PM
        let parts = t.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        guard parts.count == 3 else { return nil }
        let date = parts[0].split(separator: "/", omittingEmptySubsequences: false).map { Int($0) }
        let clock = parts[1].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard date.count == 3, clock.count == 3, let month = date[0], let day = date[1], let year = date[2],
            var hour = Int(clock[0]), let minute = Int(clock[1])
        else { return nil }
        let secondParts = clock[2].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let second = Int(secondParts[0]), (1...12).contains(month), (1...31).contains(day), (1...9999).contains(year),
            (1...12).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let fraction = secondParts.count > 1 ? secondParts[1] : ""
        guard fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        switch parts[2].uppercased() {
        case "AM": if hour == 12 { hour = 0 }
        case "PM": if hour != 12 { hour += 12 }
        default: return nil
        }
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let yyyy = String(repeating: "0", count: 4 - String(year).count) + String(year)
        return "\(yyyy)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))\(fraction.isEmpty ? "" : "." + fraction)Z"
    }
}

extension String {
    /// The text without leading and trailing white space (header names, times, SQL).
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
