// libFuzzer entry point for the ingest stage: reading (gzip or plain), framing, JSON indexing,
// record decoding, and the error-text reading.
// Built outside SwiftPM by scripts/fuzz (an executable's generated main gets in the way there).

/// Feeds the input to a framer (JSON, or CSV when the first byte's top bit is set) in chunks
/// whose size comes from the first byte, so the fuzzer explores chunk boundaries too; every
/// framed record is indexed and decoded. JSON input is framed a second and third time, with
/// and without the parse-once paths (whole NDJSON lines, whole array elements): both must give
/// the same items.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIngest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let chunk = Int(data[0] % 64) + 1
    let csv = data[0] >= 128
    let input = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    var framer = JSONFramer(maxRecordBytes: 4096)
    var csvFramer = CSVFramer(maxRecordBytes: 4096)
    var json = JSONIndex()
    let decoder = RecordDecoder()
    var records = 0
    let handle: (FramedItem) -> Void = { item in
        guard case .record(let bytes, _) = item else { return }
        records += 1
        // A framed record starts like an object and ends with a closing bracket; whether the
        // brackets match is the JSON index's question (a mismatch becomes a reject).
        precondition(bytes.first == 0x7B, "framer emitted a record that does not start with {")
        precondition(bytes.last == 0x7D || bytes.last == 0x5D, "framer emitted a record that does not end with a bracket")
        // CSV rows are written by the framer itself, so they must always be valid JSON.
        precondition(!csv || (try? json.load(bytes)) != nil, "CSV framer emitted invalid JSON")
        if (try? json.load(bytes)) != nil {
            _ = try? decoder.decode(json)
        }
    }
    var offset = 0
    while offset < input.count {
        let end = min(input.count, offset + chunk)
        let piece = UnsafeRawBufferPointer(rebasing: input[offset..<end])
        if csv { csvFramer.feed(piece, handle) } else { framer.feed(piece, handle) }
        offset = end
    }
    if csv { csvFramer.finish(handle) } else { framer.finish(handle) }
    if !csv {
        precondition(
            framed(input, chunk: chunk, parseOnce: false) == framed(input, chunk: chunk, parseOnce: true),
            "the parse-once paths framed differently from the byte scan")
    }
    _ = try? Timestamp.parse(String(decoding: input.prefix(40), as: UTF8.self))
    // The error-text reading on any text: a status it reports is one the text states.
    let text = String(decoding: input.prefix(2048), as: UTF8.self)
    let signal = ErrorSignal(message: text)
    if let status = signal.status { precondition(text.contains(String(status)), "a status the text does not hold") }
    readAsFile(input)
    return 0
}

/// The input as a file through `GzipReader` (gzip members, damage, other formats): whatever
/// it delivers is never more than inflate can give, and it always ends.
func readAsFile(_ input: UnsafeRawBufferPointer) {
    let path = "/dev/shm/cutover-fuzz-\(getpid())"
    guard let file = fopen(path, "wb") else { return }
    if let base = input.baseAddress { fwrite(base, 1, input.count, file) }
    fclose(file)
    defer { unlink(path) }
    guard let reader = try? GzipReader(path: path, chunkSize: 257) else { return }
    var total = 0
    var calls = 0
    while let chunk = try? reader.next() {
        total += chunk.count
        calls += 1
        precondition(calls < 1 << 20, "GzipReader does not end")
    }
    if !reader.isCompressed { precondition(total <= input.count, "plain input grew") }
}

/// Every item the JSON framer emits for `input`, as text, with or without the parse-once paths.
func framed(_ input: UnsafeRawBufferPointer, chunk: Int, parseOnce: Bool) -> [String] {
    var framer = JSONFramer(maxRecordBytes: 4096)
    var json = JSONIndex()
    var items: [String] = []
    let collect: (FramedItem) -> Void = { item in
        switch item {
        case .record(let bytes, let p): items.append("r \(p.offset) \(p.line) \(Array(bytes))")
        case .invalid(let reason, let snippet, let p): items.append("i \(p.offset) \(p.line) \(reason) \(snippet)")
        }
    }
    let parse: (UnsafeRawBufferPointer) -> Int? = { json.loadPrefix($0) }
    var offset = 0
    while offset < input.count {
        let end = min(input.count, offset + chunk)
        framer.feed(UnsafeRawBufferPointer(rebasing: input[offset..<end]), parse: parseOnce ? parse : nil, collect)
        offset = end
    }
    framer.finish(collect)
    return items
}
