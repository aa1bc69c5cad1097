/// During a cutover: per round, which nodes have bootstrapped since its milestone, which still
/// need a reimage (with the command to run), and whether it is safe to take the next step.
///
/// In: a correlated database. Out: a `CutoverStatus` and its text. Safe means every live node
/// has bootstrapped after every milestone that took effect and needs a reimage; otherwise the
/// next change (for example switching outbound to none) would strand the nodes still behind.
public struct CutoverStatus: Sendable, Equatable {
    public struct PendingNode: Sendable, Equatable {
        public var node: String
        public var pool: String?
        public var command: String
    }

    public struct RoundStatus: Sendable, Equatable {
        public var round: Int
        public var name: String
        public var time: String?
        public var requiresReimage: Bool
        public var done: Int
        public var gone: Int
        public var pending: [PendingNode]
        /// Pools whose every live node is pending: one node-image upgrade does them all.
        public var poolCommands: [String]
    }

    public var cluster: String?
    public var playbook: String?
    public var rounds: [RoundStatus]
    /// Why the inputs cannot support a verdict (no activity log, no node, events of unknown
    /// cluster); empty when they can.
    public var missingEvidence: [String] = []

    public enum Verdict: Sendable, Equatable {
        case safe, notSafe
        /// The evidence cannot tell: a gate fails closed.
        case unknown
    }

    public var verdict: Verdict {
        if !rounds.allSatisfy({ $0.pending.isEmpty }) { return .notSafe }
        return missingEvidence.isEmpty ? .safe : .unknown
    }

    /// Reads one cluster's status from a correlated database.
    public static func read(_ db: Database, cluster: Cluster = .unnamed) throws -> CutoverStatus {
        let c = [SQLValue.text(cluster.label)]
        var rounds: [RoundStatus] = []
        let playbook = try db.scalar("SELECT playbook FROM milestone_results WHERE cluster = ?1 LIMIT 1", c)?.text
        for m in try db.rows(
            "SELECT round, name, effective_time, requires_reimage FROM milestone_results WHERE cluster = ?1 ORDER BY round", c)
        {
            let round = Int(m[0].text) ?? 0
            var status = RoundStatus(
                round: round, name: m[1].text, time: m[2] == .null ? nil : m[2].text, requiresReimage: m[3].text == "1",
                done: 0, gone: 0, pending: [], poolCommands: [])
            let rows = try db.rows(
                """
                SELECT r.node, n.vmss, n.instance_id, n.pool, r.status, n.resource_group
                FROM node_round_results r LEFT JOIN node_results n ON n.cluster = r.cluster AND n.node = r.node
                WHERE r.cluster = ?1 AND r.round = ?2 ORDER BY r.node
                """, c + [.integer(Int64(round))])
            var pendingByPool: [String: Int] = [:]
            var liveByPool: [String: Int] = [:]
            for r in rows {
                let pool = r[3] == .null ? nil : r[3].text
                if r[4].text != "gone", let pool { liveByPool[pool, default: 0] += 1 }
                switch r[4].text {
                case "done": status.done += 1
                case "gone": status.gone += 1
                case "missed":
                    let group = r[5] == .null ? cluster.nodeResourceGroup : r[5].text
                    let command =
                        r[1] == .null || Int(r[2].text) == nil
                        ? "reimage it (not a scale-set node)"
                        : AzureCommand.vmssReimage(resourceGroup: group, vmss: r[1].text, instanceIDs: [Int(r[2].text) ?? 0])
                            ?? "reimage it (its scale set's name is not a valid Azure name)"
                    status.pending.append(PendingNode(node: r[0].text, pool: pool, command: command))
                    if let pool { pendingByPool[pool, default: 0] += 1 }
                default: break
                }
            }
            status.poolCommands = pendingByPool.keys.sorted().filter { pendingByPool[$0] == liveByPool[$0] && pendingByPool[$0] ?? 0 > 1 }
                .compactMap {
                    AzureCommand.nodepoolUpgrade(
                        resourceGroup: cluster.resourceGroup, cluster: cluster.name.isEmpty ? nil : cluster.name, pool: $0)
                }
            rounds.append(status)
        }
        var missing: [String] = []
        let nodes = try db.int("SELECT count(*) FROM node_results WHERE cluster = ?1", c)
        let clusterLog = try db.scalar(
            "SELECT present FROM coverage_results WHERE cluster = ?1 AND source LIKE 'Cluster activity log%'", c)?.text
        let known = try db.scalar("SELECT present FROM coverage_results WHERE cluster = ?1 AND source = 'Every event''s cluster known'", c)
        if rounds.isEmpty { missing.append("the database has not been correlated (run cutover correlate)") }
        if nodes == 0 { missing.append("no node of this cluster appears in the events") }
        let given = rounds.contains { r in r.time != nil } && clusterLog != "1"
        if clusterLog != "1" && !given {
            missing.append("no cluster activity log (managedClusters/write), so no milestone is known: give them with --milestone")
        }
        if known?.text == "0" { missing.append("some events name no cluster, so their nodes may belong to this one") }
        return CutoverStatus(
            cluster: cluster.label.isEmpty ? nil : cluster.label, playbook: playbook, rounds: rounds, missingEvidence: missing)
    }

    /// The text `cutover status` prints.
    public var text: String {
        var lines = ["Cutover status of \(cluster ?? "the cluster") (playbook \(playbook ?? "?"))"]
        for r in rounds {
            var head = "Round \(r.round) \(r.name): "
            guard let time = r.time else {
                lines.append(head + "not taken yet (or not in the logs)")
                continue
            }
            head += "took effect \(String(time.prefix(19)).replacingOccurrences(of: "T", with: " "))"
            guard r.requiresReimage else {
                lines.append(head + "; needs no reimage")
                continue
            }
            lines.append(head + "; \(r.done) node(s) bootstrapped since, \(r.pending.count) still need a reimage")
            for p in r.pending { lines.append("  \(p.node)  \(p.command)") }
            for c in r.poolCommands { lines.append("  or, per pool: \(c)") }
        }
        let behind = rounds.filter { !$0.pending.isEmpty }
        for gap in missingEvidence { lines.append("Missing evidence: \(gap).") }
        if let first = behind.first {
            let nodes = Set(behind.flatMap { $0.pending.map(\.node) })
            lines.append(
                "NOT SAFE to take the next step: \(nodes.count) node(s) still need a reimage, the furthest behind since round "
                    + "\(first.round) (\(first.name)); reimage them first, or they keep the old config when the next change lands.")
        } else if !missingEvidence.isEmpty {
            lines.append("UNKNOWN whether it is safe to take the next step: the inputs cannot show it (see above); not safe until they do.")
        } else {
            lines.append("SAFE to take the next step: every node has bootstrapped since every milestone that needs it.")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
