import Foundation

/// A stored row's record as the input had it (`cutover show`): read again from its file at its
/// byte offset when the file is still there with the SHA-256 it was ingested with, else the
/// record as the database gives it back (`*_json` views; a reject's first 200 bytes).
public struct OriginalRecord: Sendable {
    public enum Table: String, Sendable, CaseIterable {
        case event, activity, reject
    }

    /// The record's bytes: one JSON value, a CSV export's header line and row, or a reject's line.
    public let bytes: [UInt8]
    /// The file and offset the bytes were read from, when they came from the input.
    public let file: String?
    public let position: Int64
    /// Why the bytes are the database's and not the file's (nil when they are the file's).
    public let fallbackReason: String?

    /// Records longer than this are cut: four times the largest record an ingest accepts by
    /// default (`--max-record-bytes` may have been raised).
    public static let maxBytes = 64 << 20

    public static func find(db: Database, table: Table, id: Int64) throws -> OriginalRecord {
        let sql =
            switch table {
            case .event: "SELECT j.source_id, j.position, j.json FROM kube_events_json j WHERE j.event_id = ?1"
            case .activity: "SELECT j.source_id, j.position, j.json FROM activity_records_json j WHERE j.record_id = ?1"
            case .reject: "SELECT source_id, position, snippet FROM rejects WHERE reject_id = ?1"
            }
        guard let row = try db.rows(sql, [.integer(id)]).first, case .integer(let source) = row[0],
            case .integer(let position) = row[1]
        else {
            throw StoreError.noSuchRow("no \(table.rawValue) \(id) in \(db.path)")
        }
        let stored = Array(row[2].text.utf8)
        let file = try db.rows("SELECT path, content_hash, size FROM sources WHERE source_id = ?1", [.integer(source)]).first
        let path = file?[0].text ?? ""
        func fallback(_ reason: String) -> OriginalRecord {
            OriginalRecord(bytes: stored, file: nil, position: position, fallbackReason: reason)
        }
        guard let file, FileManager.default.fileExists(atPath: path) else {
            return fallback("\(path.isEmpty ? "its file" : path) is no longer there")
        }
        let hash = file[1].text
        guard hash.utf8.count == 64 else {
            return fallback("\(path) was ingested by a cutover that did not keep its SHA-256, so it cannot be checked")
        }
        guard let now = try? ContentHash.of(path: path), now.hash == hash, case .integer(now.size) = file[2] else {
            return fallback("\(path) has changed since it was ingested (its SHA-256 differs)")
        }
        guard let bytes = try? read(path: path, at: position, reject: table == .reject) else {
            return fallback("\(path) could not be read at byte \(position)")
        }
        return OriginalRecord(bytes: bytes, file: path, position: position, fallbackReason: nil)
    }

    /// The record that starts at `position` of the decompressed file: one JSON value, or a CSV
    /// row after the file's header line, or (for a reject, or what is neither) its line.
    static func read(path: String, at position: Int64, reject: Bool) throws -> [UInt8] {
        let reader = try GzipReader(path: path)
        var header: [UInt8]?
        var record: [UInt8] = []
        var json = JSONIndex()
        var start: Int64 = 0
        while let chunk = try reader.next() {
            defer { start += Int64(chunk.count) }
            if header == nil {
                header = Array(chunk.prefix { $0 != 0x0A })
            }
            guard start + Int64(chunk.count) > position else { continue }
            let from = max(0, Int(position - start))
            record.append(contentsOf: chunk[from...].prefix(maxBytes - record.count))
            if let length = recordEnd(in: record, json: &json, reject: reject) {
                record.removeSubrange(length...)
                break
            }
            if record.count >= maxBytes { break }
        }
        if !reject, let header, position > 0, (header + [0x0A]).withUnsafeBytes(CSVFramer.looksLikeCSV) {
            return header + [0x0A] + record
        }
        return record
    }

    /// Where the record at the start of `bytes` ends, or nil when more bytes are needed.
    private static func recordEnd(in bytes: [UInt8], json: inout JSONIndex, reject: Bool) -> Int? {
        let first = bytes.first { ![0x20, 0x09, 0x0D, 0x0A].contains($0) }
        if !reject, first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            // A stored record is well-formed JSON: until it parses, more of it is to come.
            return bytes.withUnsafeBytes { json.loadPrefix($0) }
        }
        // A line (a CSV row: newlines inside quotes do not end it).
        var quoted = false
        for (i, b) in bytes.enumerated() {
            if b == UInt8(ascii: "\"") { quoted.toggle() }
            if b == 0x0A && !(quoted && !reject) { return i > 0 && bytes[i - 1] == 0x0D ? i - 1 : i }
        }
        return nil
    }
}
