@testable import CutoverKit

/// Reads a file the way the ingester does and returns what each record decoded to.
struct DecodedFile {
    var records: [DecodedRecord] = []
    /// Reasons of everything that was not a record (framing or decoding), with its line.
    var rejects: [(line: Int, reason: String)] = []

    var kubeEvents: [KubeEvent] { records.compactMap { if case .kubeEvent(let e) = $0 { return e } else { return nil } } }
    var activity: [ActivityRecord] { records.compactMap { if case .activity(let a) = $0 { return a } else { return nil } } }
    var skipped: Int { records.filter { if case .skipped = $0 { return true } else { return false } }.count }
}

func decodeFile(_ path: String, chunkSize: Int = 1 << 16) throws -> DecodedFile {
    let reader = try GzipReader(path: path, chunkSize: chunkSize)
    var framer = JSONFramer()
    var json = JSONIndex()
    let decoder = RecordDecoder()
    var out = DecodedFile()
    let handle: (FramedItem) -> Void = { item in
        switch item {
        case .record(let bytes, let position):
            do {
                try json.load(bytes)
                out.records.append(try decoder.decode(json))
            } catch let error as JSONIndex.SyntaxError {
                out.rejects.append((position.line, error.description))
            } catch let error as DecodeError {
                out.rejects.append((position.line, error.reason))
            } catch {
                out.rejects.append((position.line, "\(error)"))
            }
        case .invalid(let reason, _, let position):
            out.rejects.append((position.line, reason))
        }
    }
    while let chunk = try reader.next() { framer.feed(chunk, handle) }
    framer.finish(handle)
    return out
}

func decodeText(_ text: String) throws -> DecodedRecord {
    var json = JSONIndex()
    try json.load(text)
    return try RecordDecoder().decode(json)
}
