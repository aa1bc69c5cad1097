/// The index of a database's postmortems: one row per cluster with its headline figures and
/// a link to its file (`report --out DIR`).
///
/// In: each cluster's `Postmortem` and file name. Out: `index.md` text, escaped like the
/// postmortems, rows sorted by cluster label.
public struct FleetIndex {
    public struct Row {
        public var cluster: Cluster
        public var file: String
        public var postmortem: Postmortem

        public init(cluster: Cluster, file: String, postmortem: Postmortem) {
            self.cluster = cluster
            self.file = file
            self.postmortem = postmortem
        }
    }

    public var rows: [Row]
    /// Failures that could be tied to no cluster (verdict `no_cluster`).
    public var unassignedFailures: Int

    public init(rows: [Row], unassignedFailures: Int = 0) {
        self.rows = rows
        self.unassignedFailures = unassignedFailures
    }

    public var markdown: String {
        var out = ["# Postmortems: network-isolation cutover, \(rows.count) cluster(s)", ""]
        out.append("Pods, not event objects: kubelet reports one failing pod as up to four events.")
        out.append("")
        out.append(
            "| Cluster | Pods failing | From a missed round | Nodes that missed a round | Nodes to reimage | Milestones known | Postmortem |"
        )
        out.append("|---|---:|---:|---:|---:|---:|---|")
        for row in rows.sorted(by: { $0.cluster.label < $1.cluster.label }) {
            let p = row.postmortem
            let pods = p.pods
            let missed = pods.filter { $0.verdict == "missed_round" }
            let nodes = MarkdownRenderer.nodeCount(missed)
            let known = p.milestones.filter { $0.time != nil }.count
            let name = row.cluster.label.isEmpty ? "(unnamed)" : MarkdownEscape.code(row.cluster.label)
            out.append(
                "| \(name) | \(pods.count) | \(missed.count) | \(nodes) | \(p.unconverged.count) | \(known) of \(p.milestones.count) | "
                    + "[\(MarkdownEscape.inline(row.file))](\(row.file)) |")
        }
        if unassignedFailures > 0 {
            out.append("")
            out.append(
                "\(unassignedFailures) failure(s) could not be tied to any cluster (their events name none): they are in no "
                    + "postmortem. List them with `cutover query \"SELECT * FROM attributions WHERE verdict = 'no_cluster'\"`, "
                    + "and ingest their files with `--cluster NAME`.")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// A file name for a cluster's postmortem (safe as a link target as it is): its label with anything but letters, digits,
    /// `.`, `-` and `_` replaced by `_`, made unique among `used`.
    public static func fileName(for cluster: Cluster, avoiding used: Set<String>) -> String {
        let safe = String(
            cluster.label.unicodeScalars.map { s -> Character in
                s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || "._-".unicodeScalars.contains(s))
                    ? Character(s) : "_"
            })
        var base = safe.isEmpty || safe.hasPrefix(".") ? "cluster" + safe : safe
        if base == "index" { base = "cluster-index" }
        var name = base + ".md"
        var n = 2
        while used.contains(name) {
            name = "\(base)-\(n).md"
            n += 1
        }
        return name
    }
}
