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

    public var isSafe: Bool { rounds.allSatisfy { $0.pending.isEmpty } }

    /// Reads the status from a correlated database.
    public static func read(_ db: Database) throws -> CutoverStatus {
        let cluster = try db.rows(
            "SELECT resource_id FROM activity_records WHERE operation = 'microsoft.containerservice/managedclusters/write' LIMIT 1"
        ).first.map { $0[0].text }
        let (clusterName, clusterGroup) = names(cluster)
        var rounds: [RoundStatus] = []
        let playbook = try db.scalar("SELECT playbook FROM milestone_results LIMIT 1")?.text
        for m in try db.rows("SELECT round, name, effective_time, requires_reimage FROM milestone_results ORDER BY round") {
            let round = Int(m[0].text) ?? 0
            var status = RoundStatus(
                round: round, name: m[1].text, time: m[2] == .null ? nil : m[2].text, requiresReimage: m[3].text == "1",
                done: 0, gone: 0, pending: [], poolCommands: [])
            let rows = try db.rows(
                "SELECT node, vmss, instance_id, pool, status FROM node_rounds WHERE round = ?1 ORDER BY node", [.integer(Int64(round))])
            var pendingByPool: [String: Int] = [:]
            var liveByPool: [String: Int] = [:]
            for r in rows {
                let pool = r[3] == .null ? nil : r[3].text
                if r[4].text != "gone", let pool { liveByPool[pool, default: 0] += 1 }
                switch r[4].text {
                case "done": status.done += 1
                case "gone": status.gone += 1
                case "missed":
                    let group = try resourceGroup(db, vmss: r[1].text) ?? "<node-resource-group>"
                    let command =
                        r[1] == .null
                        ? "reimage \(r[0].text)" : "az vmss reimage -g \(group) -n \(r[1].text) --instance-ids \(r[2].text)"
                    status.pending.append(PendingNode(node: r[0].text, pool: pool, command: command))
                    if let pool { pendingByPool[pool, default: 0] += 1 }
                default: break
                }
            }
            status.poolCommands = pendingByPool.keys.sorted().filter { pendingByPool[$0] == liveByPool[$0] && pendingByPool[$0] ?? 0 > 1 }
                .map {
                    "az aks nodepool upgrade -g \(clusterGroup ?? "<resource-group>") --cluster-name \(clusterName ?? "<cluster>") -n \($0) --node-image-only"
                }
            rounds.append(status)
        }
        return CutoverStatus(cluster: clusterName, playbook: playbook, rounds: rounds)
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
        if let first = behind.first {
            let nodes = Set(behind.flatMap { $0.pending.map(\.node) })
            lines.append(
                "NOT SAFE to take the next step: \(nodes.count) node(s) still need a reimage, the furthest behind since round "
                    + "\(first.round) (\(first.name)); reimage them first, or they keep the old config when the next change lands.")
        } else {
            lines.append("SAFE to take the next step: every node has bootstrapped since every milestone that needs it.")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func names(_ clusterID: String?) -> (String?, String?) {
        guard let parts = clusterID?.split(separator: "/").map(String.init) else { return (nil, nil) }
        let lower = parts.map { $0.lowercased() }
        let name = lower.firstIndex(of: "managedclusters").flatMap { $0 + 1 < parts.count ? parts[$0 + 1] : nil }
        let group = lower.firstIndex(of: "resourcegroups").flatMap { $0 + 1 < parts.count ? parts[$0 + 1] : nil }
        return (name, group)
    }

    private static func resourceGroup(_ db: Database, vmss: String) throws -> String? {
        try PostmortemBuilder(db: db).resourceGroup(ofScaleSet: vmss)
    }
}
