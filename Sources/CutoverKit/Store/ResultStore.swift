import Foundation

/// The read side of the database, for `report` and `status`: opened read-only, never created.
///
/// In: a path. Out: the clusters correlation found and the settings of the last correlation. A
/// database from an older cutover is migrated once first (that alone writes to it).
public struct ResultStore {
    public let db: Database

    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.noDatabase(path) }
        let probe = try Database(path: path, readOnly: true)
        if try probe.int("PRAGMA user_version") < Schema.version { _ = try EventStore(path: path) }
        db = try Database(path: path, readOnly: true)
        // A fleet database's report reads each cluster's failures through the node index (pages in
        // no order): with SQLite's 2 MB default a pass re-reads most of the table from the OS (when
        // the report read one cluster's 97,874 failures three times that way: 2.8 s, and 0.95 s
        // with 64 MiB, which holds them all).
        try db.execute("PRAGMA cache_size = -65536")
    }

    /// The clusters of the last correlation, by label; empty when none ran yet.
    public func clusters() throws -> [Cluster] {
        try db.rows(
            "SELECT cluster, name, resource_id, subscription, resource_group, node_resource_group FROM cluster_results ORDER BY cluster"
        ).map { r in
            Cluster(
                label: r[0].text, name: r[1].text, resourceID: r[2].optionalText, subscription: r[3].optionalText,
                resourceGroup: r[4].optionalText, nodeResourceGroup: r[5].optionalText)
        }
    }

    /// What the last correlation was asked, and whether inputs arrived after it.
    public func lastCorrelation() throws -> CorrelationSettings? {
        guard
            let r = try db.rows(
                "SELECT playbook_source, given, given_cluster, sources_seen FROM correlation_runs ORDER BY run_id DESC LIMIT 1"
            ).first
        else { return nil }
        var given: [Int: Timestamp] = [:]
        if let object = try? JSONSerialization.jsonObject(with: Data(r[1].text.utf8)) as? [String: String] {
            for (round, time) in object {
                if let n = Int(round), let t = try? Timestamp.parse(time) { given[n] = t }
            }
        }
        let sources = try db.int("SELECT count(*) FROM sources WHERE status <> 'in_progress'")
        return CorrelationSettings(
            playbook: r[0].text, given: given, cluster: r[2].optionalText, stale: sources != (Int(r[3].text) ?? -1))
    }
}

/// How a correlation was run: what `--playbook`, `--milestone` and `--cluster` said.
public struct CorrelationSettings: Sendable, Equatable {
    /// The playbook's name or file, as given.
    public var playbook: String
    public var given: [Int: Timestamp]
    public var cluster: String?
    /// True when inputs were ingested after it: the results are out of date.
    public var stale: Bool

    public init(playbook: String, given: [Int: Timestamp] = [:], cluster: String? = nil, stale: Bool = false) {
        self.playbook = playbook
        self.given = given
        self.cluster = cluster
        self.stale = stale
    }

    /// `given` as stored: `{"2": "2026-11-03T10:30:00.000Z"}`.
    var givenJSON: String {
        let pairs = given.keys.sorted().map { "\"\($0)\":\"\(given[$0]?.description ?? "")\"" }
        return "{" + pairs.joined(separator: ",") + "}"
    }
}

/// Problems with the database file itself.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case noDatabase(String)
    /// Another cutover kept writing to the database for longer than this one would wait.
    case busy(String, waited: Double)
    case lockUnavailable(String, reason: String)
    /// A row asked for by id that the database does not have.
    case noSuchRow(String)
    /// A query failed on a database of an older layout, which `query` does not migrate.
    case olderSchema(String, version: Int, underlying: String)

    public var description: String {
        switch self {
        case .noDatabase(let path):
            return "no database at \(path): ingest something first (cutover ingest --db \(path) PATH... or cutover run)"
        case .busy(let path, let waited):
            return "another cutover is writing to \(path) (its pid is in \(path).lock); waited \(Int(waited)) s: "
                + "run again when it is done, or give --wait SECONDS"
        case .lockUnavailable(let path, let reason):
            return "cannot take the writer lock \(path): \(reason)"
        case .noSuchRow(let what):
            return what
        case .olderSchema(let path, let version, let underlying):
            return "\(underlying)\n\(path) has schema version \(version) and this cutover's queries are for version "
                + "\(Schema.version); `cutover query` only reads: run `cutover correlate --db \(path)` once to bring it up to date"
        }
    }
}

extension SQLValue {
    /// The text of a value, nil for NULL.
    var optionalText: String? {
        if case .null = self { return nil }
        return text
    }
}
