import Foundation

/// Streams files, directories and standard input into the store.
///
/// In: paths (a directory is read recursively, in name order; "-" is standard input).
/// Out: rows in the store and an `IngestSummary`. Memory stays bounded by the chunk size
/// plus the largest record. A file whose content was ingested before is skipped; an
/// interrupted one is read again from the start: the records the first attempt stored are
/// counted, not written again, and the file's fold covers them with the rest.
public final class Ingester {
    public struct Options: Sendable {
        public var maxRecordBytes = 16 << 20
        /// Records per transaction.
        public var batchSize = 20_000
        /// Files bigger than this on disk (or a 32nd of it, into an empty database) are
        /// bulk-loaded: the event indexes are dropped and rebuilt, sorted, at the end.
        public var bulkLoadBytes: Int64 = 32 << 20
        /// Lock the database and write it without WAL for the whole ingest (`EventStore`).
        public var exclusive = false
        /// The cluster of the events that name none (a `kubectl get events` dump): a name or
        /// the managed cluster's resource id.
        public var cluster: String?
        /// Files never read (the database's own, the postmortem being written).
        public var excluding: Set<String> = []
        /// How long to wait for another cutover writing to the same database (`WriterLock`).
        public var lockTimeout: Double = 300
        public init() {}
    }

    private let store: EventStore
    private let options: Options
    private let progress: ProgressLine?

    public init(store: EventStore, options: Options = Options(), progress: ProgressLine? = nil) {
        self.store = store
        self.options = options
        self.progress = progress
    }

    /// Every regular file under `paths`, sorted within each directory, following symbolic
    /// links (to files and to directories, once each: a link cycle is read once); `excluding`
    /// (the database's own files, the postmortem being written) is left out. Each path that
    /// cannot be read comes back with why: missing, a broken link, not a regular file (a FIFO,
    /// which would block, a socket, a device).
    public static func expand(_ paths: [String], excluding: Set<String> = []) -> (
        files: [String], problems: [(path: String, reason: String)]
    ) {
        var files: [String] = []
        var problems: [(path: String, reason: String)] = []
        let fm = FileManager.default
        let excluded = Set(excluding.map(canonical))
        var seenDirectories: Set<String> = []
        func visit(_ path: String, top: Bool) {
            var info = stat()
            guard stat(path, &info) == 0 else {
                var link = stat()
                let broken = lstat(path, &link) == 0 && (link.st_mode & S_IFMT) == S_IFLNK
                problems.append((path, broken ? "a broken symbolic link" : "no such file or directory"))
                return
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                guard !excluded.contains(canonical(path)), seenDirectories.insert(canonical(path)).inserted else { return }
                let names = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
                for name in names { visit((path as NSString).appendingPathComponent(name), top: false) }
            case S_IFREG:
                if !excluded.contains(canonical(path)) { files.append(path) }
            default:
                problems.append((path, "not a regular file (a FIFO, socket or device would block or never end); copy it to a file first"))
            }
        }
        for path in paths {
            if path == "-" { files.append(path) } else { visit(path, top: true) }
        }
        return (files, problems)
    }

    /// The absolute path with links resolved, for comparing paths.
    static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return URL(fileURLWithPath: path).standardizedFileURL.path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    public func ingest(_ paths: [String]) throws -> IngestSummary {
        let started = Date()
        var summary = IngestSummary()
        let (files, problems) = Ingester.expand(paths, excluding: options.excluding)
        try store.restoreIndexes()
        for (path, reason) in problems {
            var file = FileSummary(path: path)
            file.status = .failed
            file.problem = "\(path): \(reason)"
            summary.files.append(file)
        }
        let sizes = files.map { path -> Int64 in
            var info = stat()
            return path != "-" && stat(path, &info) == 0 ? Int64(info.st_size) : 0
        }
        progress?.begin(files: files.count, bytes: sizes.reduce(0, +))
        for (path, size) in zip(files, sizes) {
            progress?.startFile((path as NSString).lastPathComponent, size: size)
            summary.files.append(try ingestFile(path))
        }
        progress?.clear()
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// Reads one file. Problems with the file end up in its summary; only database errors throw.
    public func ingestFile(_ path: String) throws -> FileSummary {
        var file = FileSummary(path: path)
        var reuse: Int64?
        var hash: (hash: String, size: Int64)?
        var supersedes: Int64?
        do {
            if path != "-" {
                var info = stat()
                let size = stat(path, &info) == 0 ? Int64(info.st_size) : 0
                let earlier = try store.earlierRead(path: path, smallerThan: size)
                let digest = try ContentHash.of(path: path, prefix: earlier?.size)
                hash = (digest.hash, digest.size)
                if let earlier, digest.prefixHash == earlier.hash { supersedes = earlier.id }
                if let hash, let known = try store.source(hash: hash.hash, size: hash.size) {
                    // An interrupted ingest is read again into the same manifest entry; any
                    // other outcome (complete, truncated) would only repeat itself.
                    guard known.status == "in_progress" else {
                        file.status = .alreadyIngested
                        return file
                    }
                    reuse = known.id
                }
            }
            let reader = try GzipReader(path: path)
            let sourceID = try store.db.transaction {
                try store.beginSource(
                    path: path, hash: hash?.hash, size: hash?.size,
                    compressed: reader.isCompressed, reuse: reuse)
            }
            try read(reader, into: &file, source: sourceID, resuming: reuse != nil, supersedes: supersedes)
            file.rejects = try store.db.int("SELECT rejects FROM sources WHERE source_id = ?1", [.integer(sourceID)])
        } catch let error as IngestError {
            file.status = .failed
            file.problem = error.description
        }
        return file
    }

    private func read(_ reader: GzipReader, into file: inout FileSummary, source: Int64, resuming: Bool, supersedes: Int64?) throws {
        let lastEvent = try store.lastEventID()
        // An interrupted ingest of this file committed its records up to some point: they are
        // counted, not written again, and the fold covers them with the rest of the file.
        let resume = resuming ? try store.resumePoint(source: source) : nil
        let foldAfter = resume?.firstEvent.map { $0 - 1 } ?? lastEvent
        // A big file (or the first one) is bulk-loaded: indexes dropped now, rebuilt sorted at the end.
        if reader.size > options.bulkLoadBytes || (lastEvent == 0 && reader.size > options.bulkLoadBytes / 32) {
            try store.db.transaction { try store.beginBulkLoad() }
        }
        var summary = file
        var inTransaction = 0
        let worker = ParseWorker(reader: reader, maxRecordBytes: options.maxRecordBytes, defaultCluster: options.cluster)
        worker.start()
        try store.db.execute("BEGIN IMMEDIATE")
        do {
            while let batch = worker.queue.take() {
                try batch.arena.withUnsafeBytes { arena in
                    for (item, position, range) in batch.items {
                        if let resume, position.offset <= resume.lastOffset {
                            switch item {
                            case .kubeEvent(let hasUID):
                                store.count(hasUID: hasUID)
                                summary.kubeEvents += 1
                            case .activity: summary.activityRecords += 1
                            case .skipped: summary.skipped += 1
                            case .reject: break
                            }
                            continue
                        }
                        let values = batch.values[range]
                        switch item {
                        case .kubeEvent(let hasUID):
                            try store.insertEvent(values, hasUID: hasUID, arena: arena, source: source, position: position)
                            summary.kubeEvents += 1
                        case .activity(let record):
                            if try !store.insertActivity(record, values, arena: arena, source: source, position: position) {
                                summary.duplicates += 1
                            }
                            summary.activityRecords += 1
                        case .skipped:
                            summary.skipped += 1
                        case .reject(let reason, let snippet):
                            try store.reject(source: source, position: position, reason: reason, snippet: snippet)
                        }
                    }
                }
                inTransaction += batch.items.count
                if inTransaction >= options.batchSize {
                    try store.db.execute("COMMIT; BEGIN IMMEDIATE")
                    inTransaction = 0
                }
                progress?.update(done: batch.diskOffset, records: summary.kubeEvents + summary.activityRecords)
                summary.bytes = batch.bytesRead
                if batch.isLast {
                    try store.recordSightings(batch.sightings)
                    summary.evidence = batch.evidence
                }
                if let ending = batch.ending {
                    summary.status = .truncated
                    summary.problem = ending.description
                }
                worker.recycle(batch)
            }
            worker.wait()
            progress?.phase("folding repeated events and building indexes")
            summary.duplicates += try store.foldEvents(after: foldAfter)
            // The manifest entry is completed in the same transaction as the file's last rows.
            if let supersedes { try store.supersede(supersedes, by: source) }
            try store.finishSource(source, summary)
            try store.db.execute("COMMIT")
        } catch {
            worker.cancelAndWait()
            try? store.db.execute("ROLLBACK")
            throw error
        }
        file = summary
    }
}
