import Foundation

/// The fleet index of one night: every shard writes its part (`index-part-I-of-N.json`), and
/// whichever finds every part there writes `index.md` from all of them. One shard (no
/// sharding) writes the same `index.md` as N shards do.
public enum NightlyIndex {
    public struct Row: Codable, Sendable, Equatable {
        public var cluster: String
        public var file: String
        public var pods: Int
        public var missedRoundPods: Int
        public var unconvergedNodes: Int
        public var newPods: Int
        public var resolvedNodes: Int
        public var milestonesKnown: Int
        public var milestones: Int
    }

    public struct Part: Codable, Sendable, Equatable {
        public var night: String
        public var shard: String
        public var rows: [Row]
        public var newClusters: [String]
        public var vanishedClusters: [String]
        public var inputErrors: [String]
        public var newInputErrors: [String]
        public var pruned: Int

        var fileName: String {
            let parts = shard.split(separator: "/")
            return "index-part-\(parts.first ?? "0")-of-\(parts.last ?? "1").json"
        }

        func json() throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
        }
    }

    /// Writes `index.md` in `directory` when the parts of all `shards` shards are there;
    /// false when some are still missing.
    @discardableResult
    public static func writeIfComplete(directory: String, shards: Int) throws -> Bool {
        var parts: [Part] = []
        for i in 0..<shards {
            let path = (directory as NSString).appendingPathComponent("index-part-\(i)-of-\(shards).json")
            guard let data = FileManager.default.contents(atPath: path) else { return false }
            parts.append(try JSONDecoder().decode(Part.self, from: data))
        }
        try Nightly.write(markdown(parts), to: (directory as NSString).appendingPathComponent("index.md"))
        return true
    }

    /// The index of the night from all shards' parts (inputs are every shard's, so each error once).
    public static func markdown(_ parts: [Part]) -> String {
        let rows = parts.flatMap(\.rows).sorted { $0.cluster < $1.cluster }
        let night = parts.first?.night ?? ""
        var out = ["# Nightly report \(night): network-isolation cutover, \(rows.count) cluster(s)", ""]
        let behind = rows.filter { $0.unconvergedNodes > 0 }
        let errors = Set(parts.flatMap(\.inputErrors)).sorted()
        let newErrors = Set(parts.flatMap(\.newInputErrors)).sorted()
        out.append(
            behind.isEmpty
                ? "Every cluster's nodes have bootstrapped since every milestone they need."
                : "\(behind.count) cluster(s) have nodes still to reimage (\(behind.reduce(0) { $0 + $1.unconvergedNodes }) in all).")
        out.append("")
        out.append(
            "| Cluster | Pods failing | From a missed round | New since last run | Nodes to reimage | Converged since | Postmortem |")
        out.append("|---|---:|---:|---:|---:|---:|---|")
        for r in rows {
            let name = r.cluster.isEmpty ? "(unnamed)" : MarkdownEscape.code(r.cluster)
            out.append(
                "| \(name) | \(r.pods) | \(r.missedRoundPods) | \(r.newPods) | \(r.unconvergedNodes) | \(r.resolvedNodes) | "
                    + "[\(MarkdownEscape.inline(r.file))](\(r.file)) |")
        }
        out.append("")
        let added = parts.flatMap(\.newClusters).sorted()
        let vanished = parts.flatMap(\.vanishedClusters).sorted()
        out.append("## Since the last run")
        out.append("")
        out.append("- New clusters: \(added.isEmpty ? "none" : added.map(MarkdownEscape.code).joined(separator: ", ")).")
        out.append(
            "- Clusters no longer in the inputs: \(vanished.isEmpty ? "none" : vanished.map(MarkdownEscape.code).joined(separator: ", ")).")
        out.append("- New input errors: \(newErrors.isEmpty ? "none" : String(newErrors.count)).")
        for e in newErrors.prefix(20) { out.append("  - \(MarkdownEscape.inline(e))") }
        let pruned = parts.map(\.pruned).max() ?? 0
        if pruned > 0 { out.append("- Events pruned by `--keep-days` (nothing any result rests on): \(pruned).") }
        out.append("")
        if !errors.isEmpty {
            out += ["## Inputs with errors", ""]
            for e in errors.prefix(50) { out.append("- \(MarkdownEscape.inline(e))") }
            if errors.count > 50 { out.append("- and \(errors.count - 50) more (`cutover query inputs`)") }
            out.append("")
        }
        return out.joined(separator: "\n") + "\n"
    }
}
