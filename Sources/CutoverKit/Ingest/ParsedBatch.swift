import Foundation

/// A run of consecutive records parsed from one input, handed from the parsing thread to
/// the thread that writes SQLite.
///
/// Each record is already its row: the values the writer binds, with the bytes of its JSON
/// columns and residue in one arena, so a batch costs a few allocations whatever its size.
struct ParsedBatch: Sendable {
    enum Item: Sendable {
        case kubeEvent(hasUID: Bool)
        case activity(ActivityRecord)
        case skipped
        case reject(reason: String, snippet: [UInt8])
    }

    /// Each item with its row's values (`RecordLayout.insertColumns` up to `extra`) in `values`.
    var items: [(item: Item, position: RecordPosition, values: Range<Int>)] = []
    var values: [StoredValue] = []
    /// The bytes that `StoredValue.bytes` point at: JSON columns and residues.
    var arena: [UInt8] = []
    /// Decompressed bytes read from the input when this batch was cut.
    var bytesRead: Int64 = 0
    /// Bytes of the file on disk consumed by then (compressed for gzip), for progress.
    var diskOffset: Int64 = 0
    /// Set on the last batch: how the input ended (nil: normally).
    var ending: IngestError?
    var isLast = false
    /// On the last batch: every node the file's events mention (under the cluster the event
    /// names, or ""), with the first and last time.
    var sightings: [NodeSighting.Key: NodeSighting] = [:]
    /// On the last batch: the file's time span and evidence kinds.
    var evidence = FileEvidence()

    /// Empties the batch for reuse, keeping its storage.
    mutating func reset() {
        items.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
        bytesRead = 0
        diskOffset = 0
        ending = nil
        isLast = false
        sightings = [:]
        evidence = FileEvidence()
    }

    mutating func append(_ item: Item, position: RecordPosition) {
        items.append((item, position, values.count..<values.count))
    }

    /// Appends an item whose row `encode` writes into `values` and `arena`.
    mutating func append(_ item: Item, position: RecordPosition, encode: (inout [StoredValue], inout [UInt8]) -> Void) {
        let start = values.count
        encode(&values, &arena)
        items.append((item, position, start..<values.count))
    }
}

/// Parses one input on its own thread: inflate, frame, index, decode, in batches.
///
/// In: a `GzipReader` it owns from then on. Out: `ParsedBatch`es on a bounded queue, the last
/// one marked `isLast` with the way the input ended. Runs on one core while the caller
/// writes SQLite on the other.
final class ParseWorker: @unchecked Sendable {
    private let reader: GzipReader
    private let maxRecordBytes: Int
    private let batchSize: Int
    /// The cluster of events that name none (`ingest --cluster`).
    private let defaultCluster: String?
    let queue: BoundedQueue<ParsedBatch>
    /// Batches the writer is done with, handed back to be emptied and filled again here: their
    /// records' strings are then freed on this thread, not the writer's (the busier one), and
    /// their storage is not allocated again.
    private let spare: BoundedQueue<ParsedBatch>
    private let done = DoneLatch()

    init(reader: GzipReader, maxRecordBytes: Int, defaultCluster: String? = nil, batchSize: Int = 2_000, depth: Int = 4) {
        self.reader = reader
        self.defaultCluster = defaultCluster
        self.maxRecordBytes = maxRecordBytes
        self.batchSize = batchSize
        self.queue = BoundedQueue(capacity: depth)
        self.spare = BoundedQueue(capacity: 2)
    }

    /// Hands a batch the consumer has written back for reuse (dropped if enough are waiting).
    func recycle(_ batch: ParsedBatch) { _ = spare.offer(batch) }

    private func nextBatch() -> ParsedBatch {
        if var batch = spare.poll() {
            batch.reset()
            return batch
        }
        var batch = ParsedBatch()
        batch.arena.reserveCapacity(batchSize * 64)
        batch.values.reserveCapacity(batchSize * RecordLayout.kubeEvents.insertColumns.count)
        return batch
    }

    func start() {
        let thread = Thread { [self] in
            run()
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Stops the worker early (the consumer failed) and waits until it no longer touches the reader.
    func cancelAndWait() {
        queue.close()
        done.wait()
    }

    /// Waits for the worker to finish after the last batch was taken.
    func wait() { done.wait() }

    private func run() {
        // Inflating on a thread of its own, a few chunks ahead: on two cores the three stages
        // (inflate, parse, write) share both, where inflating here made this thread the bound.
        let chunks = ChunkPrefetch(reader: reader)
        chunks.start()
        defer { chunks.stop() }
        // Where the chunk being parsed ends: decompressed bytes, and bytes of the file on disk.
        var offset: Int64 = 0
        var diskOffset: Int64 = 0
        var framer = JSONFramer(maxRecordBytes: maxRecordBytes)
        var json = JSONIndex()
        let decoder = RecordDecoder()
        var kubeRows = RowEncoder(.kubeEvents)
        var activityRows = RowEncoder(.activityRecords)
        var batch = nextBatch()
        var sightings: [NodeSighting.Key: NodeSighting] = [:]
        let defaultCluster = self.defaultCluster
        var evidence = FileEvidence()
        var open = true
        // Most records are parsed once: the framer offers NDJSON lines and array elements to
        // `parse`, whose parse is kept for the record emitted from the same bytes.
        var preloaded: (at: UnsafeRawPointer, count: Int)?
        let parse: (UnsafeRawBufferPointer) -> Int? = { bytes in
            let length = json.loadPrefix(bytes)
            preloaded = length.flatMap { length in bytes.baseAddress.map { ($0, length) } }
            return length
        }
        let handle: (FramedItem) -> Void = { item in
            let parsed = preloaded
            preloaded = nil
            switch item {
            case .record(let bytes, let position):
                do {
                    let alreadyParsed = parsed?.at == bytes.baseAddress && parsed?.count == bytes.count
                    if !alreadyParsed { try json.load(bytes) }
                    switch try decoder.decodeInPlace(json) {
                    case .kubeEvent(var event):
                        if case .node(nil) = event.cluster, let defaultCluster { event.cluster = .given(defaultCluster) }
                        let nodes = event.mentionedNodes(json)
                        if !nodes.isEmpty {
                            let cluster = event.clusterText(json) ?? ""
                            for node in nodes {
                                let key = NodeSighting.Key(cluster: cluster, node: node)
                                sightings[key, default: NodeSighting(first: event.firstSeen, last: event.lastSeen)]
                                    .widen(first: event.firstSeen, last: event.lastSeen)
                            }
                        }
                        evidence.add(first: event.firstSeen, last: event.lastSeen, normal: json.isText(event.type, "Normal"))
                        batch.append(.kubeEvent(hasUID: event.uid != nil), position: position) { values, arena in
                            kubeRows.encode(json, event, into: &values, arena: &arena)
                        }
                    case .activity(let record):
                        evidence.add(record)
                        batch.append(.activity(record), position: position) { values, arena in
                            activityRows.encode(json, record, into: &values, arena: &arena)
                        }
                    case .skipped: batch.append(.skipped, position: position)
                    }
                } catch let error as JSONIndex.SyntaxError {
                    batch.append(.reject(reason: error.description, snippet: Array(bytes.prefix(200))), position: position)
                } catch let error as DecodeError {
                    batch.append(.reject(reason: error.reason, snippet: Array(bytes.prefix(200))), position: position)
                } catch {
                    batch.append(.reject(reason: "\(error)", snippet: Array(bytes.prefix(200))), position: position)
                }
            case .invalid(let reason, let snippet, let position):
                batch.append(.reject(reason: reason, snippet: snippet), position: position)
            }
            if batch.items.count >= self.batchSize && open {
                batch.bytesRead = offset
                batch.diskOffset = diskOffset
                open = self.queue.put(batch)
                batch = self.nextBatch()
            }
        }
        // The framing is decided from the first bytes: a CSV export, or JSON in any framing.
        var csv: CSVFramer?
        var first = true
        do throws(IngestError) {
            while open, let item = chunks.next() {
                guard case .chunk(let bytes, let end, let diskEnd) = item else {
                    if case .failed(let error) = item { throw error }
                    break
                }
                (offset, diskOffset) = (end, diskEnd)
                bytes.withUnsafeBytes { whole in
                    var chunk = whole
                    if first {
                        first = false
                        if chunk.starts(with: [0xEF, 0xBB, 0xBF]) { chunk = UnsafeRawBufferPointer(rebasing: chunk[3...]) }
                        if CSVFramer.looksLikeCSV(chunk) { csv = CSVFramer(maxRecordBytes: maxRecordBytes) }
                    }
                    if csv != nil { csv?.feed(chunk, handle) } else { framer.feed(chunk, parse: parse, handle) }
                }
                chunks.recycle(bytes)
            }
            if csv != nil {
                csv?.finish(handle)
            } else if framer.finish(handle) {
                // A plain file cut mid-record is as truncated as a cut gzip.
                batch.ending = .truncated(
                    path: reader.path, offset: offset, reason: "the last record is cut off by the end of the file")
            }
        } catch {
            // Keep everything framed before the damage; the cut-off record is a reject.
            if csv != nil { csv?.finish(handle) } else { framer.finish(handle) }
            batch.ending = error
        }
        batch.bytesRead = offset
        batch.isLast = true
        batch.sightings = sightings
        batch.evidence = evidence
        if open { _ = queue.put(batch) }
        queue.close()
    }
}

/// Reads an input's chunks on a thread of its own, up to `depth` ahead of the caller: the
/// inflating of a gzip input runs beside the parse.
///
/// In: a `GzipReader`, owned from `start` until `stop` returns. Out: the chunks as owned bytes,
/// each with where it ends (decompressed, and on disk), then the reader's error if it failed.
/// A chunk's buffer goes back with `recycle`, so a file costs a few buffers whatever its size.
final class ChunkPrefetch: @unchecked Sendable {
    enum Item: Sendable {
        case chunk(bytes: [UInt8], end: Int64, diskEnd: Int64)
        case failed(IngestError)
    }

    private let reader: GzipReader
    private let queue: BoundedQueue<Item>
    private let spare: BoundedQueue<[UInt8]>
    private let done = DoneLatch()

    init(reader: GzipReader, depth: Int = 4) {
        self.reader = reader
        queue = BoundedQueue(capacity: depth)
        spare = BoundedQueue(capacity: depth + 1)
    }

    func start() {
        let thread = Thread { [self] in
            run()
            done.signal()
        }
        thread.start()
    }

    private func run() {
        defer { queue.close() }
        while true {
            let item: Item
            do {
                guard let chunk = try reader.next() else { return }
                var bytes = spare.poll() ?? []
                bytes.removeAll(keepingCapacity: true)
                bytes.append(contentsOf: chunk)
                item = .chunk(bytes: bytes, end: reader.offset, diskEnd: reader.diskOffset)
            } catch {
                _ = queue.put(.failed(error))
                return
            }
            // Refused once the caller stopped.
            guard queue.put(item) else { return }
        }
    }

    /// The next chunk or the failure, waiting for it; nil after the last.
    func next() -> Item? { queue.take() }

    /// Hands a chunk's buffer back to be filled again.
    func recycle(_ bytes: [UInt8]) { _ = spare.offer(bytes) }

    /// Stops reading ahead and waits until the reader is no longer touched.
    func stop() {
        queue.close()
        done.wait()
    }
}

/// When one file's events first and last mention a node.
struct NodeSighting: Sendable {
    struct Key: Hashable, Sendable {
        /// The cluster the events name (`clusterName`, `ClusterId`, `--cluster`), or "".
        var cluster: String
        var node: String
    }

    var first: Timestamp
    var last: Timestamp

    mutating func widen(first: Timestamp, last: Timestamp) {
        self.first = min(self.first, first)
        self.last = max(self.last, last)
    }
}

/// A one-shot latch the worker's thread opens when it is done: every `wait` after that
/// returns at once, however many callers wait (the success path and an error path may both).
final class DoneLatch: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    func signal() { semaphore.signal() }
    func wait() {
        semaphore.wait()
        semaphore.signal()
    }
}
