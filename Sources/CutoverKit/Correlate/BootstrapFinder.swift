import Foundation

/// Builds each node's history from events and activity records.
///
/// In: facts. Out: `NodeHistory` per node, sorted by name.
/// Per-node evidence (docs/DOMAIN.md §5): the upgrader's "Successfully reimaged node: N",
/// node-controller `RegisteredNode` (a new Node object), aks-auto-repair `NodeReimageEnd`, and a
/// succeeded ARM instance reimage mapped to N by the base-36 rule. Every node also gets its
/// first appearance as a bootstrap of the `first_seen` kind. `Rebooted`, `NodeRebootEnd` and
/// ARM `restart/action` are recorded as reboots and never count. A `RemovingNode` with no
/// later sign of the node marks it as gone.
public struct BootstrapFinder {
    public init() {}

    public func histories(_ facts: CorrelationFacts) -> [NodeHistory] {
        var firstSeen = facts.nodeFirstSeen
        var lastSeen: [String: Timestamp] = [:]
        var bootstraps: [String: [Bootstrap]] = [:]
        var removals: [String: [Timestamp]] = [:]
        func see(_ node: String, _ t: Timestamp, _ until: Timestamp) {
            // Once per event: the common case (nothing earlier, nothing later) writes nothing.
            if let f = firstSeen[node] {
                if t < f { firstSeen[node] = t }
            } else {
                firstSeen[node] = t
            }
            raise(&lastSeen[node, default: until], to: until)
        }
        func raise(_ value: inout Timestamp, to t: Timestamp) { if t > value { value = t } }
        func add(_ node: String, _ times: [Timestamp], _ kind: Bootstrap.Kind, _ evidence: String) {
            for t in Set(times) {
                bootstraps[node, default: []].append(Bootstrap(node: node, time: t, kind: kind, evidence: evidence))
            }
        }
        // A fleet has a few thousand hosts and hundreds of thousands of events: each host's
        // lower-case name and whether it parses as an AKS node, worked out once.
        var hosts: [String: (name: String, isNode: Bool)] = [:]
        // Each fact is read in place, through its pointer: a copy per event would retain and release
        // its strings (and one is made for any fact passed as an argument from unsafe memory).
        func visit(_ e: UnsafePointer<EventFact>) {
            let nodeObject = e.pointee.objectKind == "Node" ? e.pointee.objectName?.lowercased() : nil
            // kubelet reports from its own node, whatever the naming scheme.
            if let raw = e.pointee.sourceHost {
                let host: (name: String, isNode: Bool)
                if let known = hosts[raw] {
                    host = known
                } else {
                    let name = raw.lowercased()
                    host = (name, NodeName(name) != nil)
                    hosts[raw] = host
                }
                if host.isNode || e.pointee.sourceComponent == "kubelet" { see(host.name, e.pointee.firstSeen, e.pointee.lastSeen) }
            }
            if let node = nodeObject { see(node, e.pointee.firstSeen, e.pointee.lastSeen) }
            switch (e.pointee.reason, e.pointee.sourceComponent ?? "") {
            case ("Upgrade", _) where e.pointee.message.hasPrefix("Successfully reimaged node"):
                if let node = Self.nodeInMessage(e.pointee.message) ?? nodeObject {
                    add(node, [e.pointee.firstSeen, e.pointee.lastSeen], .upgraderReimage, "upgrader: \(e.pointee.message)")
                }
            case ("RegisteredNode", _):
                if let node = nodeObject {
                    add(node, [e.pointee.firstSeen, e.pointee.lastSeen], .registeredNode, "node-controller RegisteredNode")
                }
            case ("NodeReimageEnd", _):
                if let node = nodeObject { add(node, [e.pointee.lastSeen], .autoRepairReimage, "aks-auto-repair NodeReimageEnd") }
            case ("Rebooted", _), ("NodeRebootEnd", _):
                if let node = nodeObject ?? e.pointee.sourceHost?.lowercased() {
                    add(node, [e.pointee.lastSeen], .reboot, "\(e.pointee.reason) (a reboot does not re-run bootstrap)")
                }
            case ("Scheduled", _):
                if let node = e.pointee.scheduledNode { see(node, e.pointee.firstSeen, e.pointee.lastSeen) }
            case ("RemovingNode", _):
                if let node = nodeObject { removals[node, default: []].append(e.pointee.lastSeen) }
            default:
                break
            }
        }
        facts.events.withUnsafeBufferPointer { events in
            guard let first = events.baseAddress else { return }
            for e in first..<first + events.count { visit(e) }
        }
        var bodies: [String: String] = [:]
        for a in facts.activity { if let body = a.requestBody { bodies[a.operationKey] = body } }
        for a in facts.activity where a.status == "Succeeded" {
            guard let instance = ScaleSetInstance(resourceID: a.resourceKey) else { continue }
            guard let id = instance.instanceID else {
                if a.operation.hasSuffix("virtualmachinescalesets/reimage/action")
                    || a.operation.hasSuffix("virtualmachinescalesets/reimageall/action")
                {
                    let listed = bodies[a.operationKey].map(Self.instanceIDs) ?? []
                    if listed.isEmpty {
                        let members = firstSeen.keys.filter { NodeName($0)?.vmss == instance.vmss }
                        for node in members {
                            add(
                                node, [a.time], .armScaleSetReimageUnlisted,
                                "ARM \(a.operation) without instanceIds: may have reached every instance")
                        }
                    } else {
                        for id in listed {
                            let node = NodeName.name(vmss: instance.vmss, instanceID: id)
                            add(node, [a.time], .armScaleSetReimage, "ARM \(a.operation) listing instance \(id)")
                            see(node, a.time, a.time)
                        }
                    }
                }
                continue
            }
            let node = NodeName.name(vmss: instance.vmss, instanceID: id)
            if a.operation.hasSuffix("/virtualmachines/reimage/action") || a.operation.hasSuffix("/virtualmachines/reimageall/action") {
                add(node, [a.time], .armInstanceReimage, "ARM \(a.operation) succeeded")
                see(node, a.time, a.time)
            } else if a.operation.hasSuffix("/virtualmachines/restart/action") {
                add(node, [a.time], .reboot, "ARM \(a.operation) (a restart does not re-run bootstrap)")
            }
        }
        addPoolUpgradeHints(facts.activity, firstSeen: firstSeen, into: &bootstraps)
        return firstSeen.keys.sorted().map { node in
            let first = firstSeen[node] ?? Timestamp(millis: 0)
            var list = bootstraps[node] ?? []
            list.append(Bootstrap(node: node, time: first, kind: .firstSeen, evidence: "first appearance in the events"))
            list.sort { ($0.time, $0.kind.rawValue) < ($1.time, $1.kind.rawValue) }
            var removed: Timestamp?
            if let r = removals[node]?.max(), !list.contains(where: { $0.counts && $0.time > r }), (lastSeen[node] ?? r) <= r {
                removed = r
            }
            return NodeHistory(
                name: node, parsed: NodeName(node), firstSeen: first, bootstraps: list, removedAt: removed,
                recreatedAt: Self.recreation(removals[node] ?? [], list))
        }
    }

    /// How long a Node object may be gone and still be the same machine reimaged: the upgrader
    /// deletes and re-registers a node within minutes.
    static let reimageGap: Double = 10 * 60

    /// The latest time the name came back as a new node: a registration long after a removal
    /// (an instance id reused by a scale-out), with no upgrader reimage in between.
    static func recreation(_ removals: [Timestamp], _ bootstraps: [Bootstrap]) -> Timestamp? {
        var latest: Timestamp?
        for r in removals {
            guard let next = bootstraps.first(where: { $0.counts && $0.kind != .firstSeen && $0.time > r }),
                next.kind == .registeredNode, Double(next.time.millis - r.millis) / 1000 > reimageGap,
                !bootstraps.contains(where: { $0.kind == .upgraderReimage && $0.time > r && $0.time <= next.time })
            else { continue }
            latest = max(latest ?? next.time, next.time)
        }
        return latest
    }

    /// A pool's node-image upgrade that succeeded tells that its nodes were probably reimaged
    /// between its start and its end. Used only for nodes with no per-node evidence in that
    /// span (a Warnings-only event export, say); a failed pool upgrade is partial and gives none.
    /// A node that was provably created after the upgrade (its first appearance is a
    /// registration) gets no hint from it.
    func addPoolUpgradeHints(_ activity: [ActivityFact], firstSeen: [String: Timestamp], into bootstraps: inout [String: [Bootstrap]]) {
        var started: [String: Timestamp] = [:]
        for a in activity where a.operation.hasSuffix("/upgradenodeimageversion/action") && a.status == "Started" {
            started[a.operationKey] = a.time
        }
        // Each node's pool (node → pool), parsed once: parsed per upgrade and node, the names were
        // more than a third of this step's samples.
        var pools: [String: String]?
        for a in activity where a.operation.hasSuffix("/upgradenodeimageversion/action") && a.status == "Succeeded" {
            let parts = a.resourceKey.split(separator: "/")
            guard let i = parts.firstIndex(of: "agentpools"), i + 1 < parts.count else { continue }
            let pool = String(parts[i + 1])
            let from = started[a.operationKey] ?? a.time
            let nodePools = pools ?? Dictionary(uniqueKeysWithValues: firstSeen.keys.compactMap { n in NodeName(n).map { (n, $0.pool) } })
            pools = nodePools
            for (node, first) in firstSeen where nodePools[node] == pool {
                let list = bootstraps[node] ?? []
                let seen = list.contains { b in b.strength == .perNode && b.time >= from && b.time <= a.time.adding(seconds: 600) }
                let createdLater =
                    first > a.time && list.contains { $0.kind == .registeredNode && abs($0.time.millis - first.millis) <= 300_000 }
                guard !seen && !createdLater else { continue }
                bootstraps[node, default: []].append(
                    Bootstrap(
                        node: node, time: a.time, kind: .poolNodeImageUpgrade,
                        evidence: "node-image upgrade of pool \(pool) succeeded, with no per-node evidence of this node's reimage"))
            }
        }
    }

    /// The `instanceIds` of a scale-set action body (`{"instanceIds":["0","3"]}`, strings or numbers).
    static func instanceIDs(inBody body: String) -> [Int] {
        var json = JSONIndex()
        guard (try? json.load(body)) != nil, let list = json.find("instanceIds") else { return [] }
        return json.children(list).compactMap { json.int($0) }
    }

    /// The node of a default-scheduler message "Successfully assigned ns/pod to aks-…-vmss000001".
    static func scheduledNode(_ message: String) -> String? {
        var message = message
        return message.withUTF8 { scheduledNode(utf8: $0) }
    }

    /// The same, read from the message's UTF-8 bytes: correlation reads a `Scheduled` event's
    /// message for its node alone, straight from SQLite's row, making no `String` of the message.
    static func scheduledNode(utf8: UnsafeBufferPointer<UInt8>) -> String? {
        scheduledNodeBytes(utf8: utf8).map { nodeName(UnsafeBufferPointer(rebasing: utf8[$0])) }
    }

    /// The node a message's name bytes (`scheduledNodeBytes`) stand for.
    static func nodeName(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        ByteSearch.lowercased(String(decoding: bytes, as: UTF8.self))
    }

    /// Where the node's name is in the message's bytes (the name before it is lower-cased).
    static func scheduledNodeBytes(utf8: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        // Byte scanning: this runs once per scheduled pod, hundreds of thousands of times.
        var cut = utf8.count - 4  // the last " to "
        while cut >= 0 && !(utf8[cut] == 0x20 && utf8[cut + 1] == 0x74 && utf8[cut + 2] == 0x6F && utf8[cut + 3] == 0x20) {
            cut -= 1
        }
        guard cut >= 0 else { return nil }
        var low = cut + 4
        var high = utf8.count
        while high > low && (utf8[high - 1] == 0x20 || utf8[high - 1] == 0x09) { high -= 1 }
        while low < high && (utf8[low] == 0x20 || utf8[low] == 0x09) { low += 1 }
        guard low < high, !utf8[low..<high].contains(0x20) else { return nil }
        return low..<high
    }

    /// The node named at the end of an upgrader message ("…node: aks-x-1-vmss000001" or "[…]").
    static func nodeInMessage(_ message: String) -> String? {
        guard let colon = message.lastIndex(of: ":") else { return nil }
        let tail = message[message.index(after: colon)...]
            .trimmingCharacters(in: CharacterSet(charactersIn: " []"))
        return tail.isEmpty || tail.contains(" ") ? nil : tail.lowercased()
    }
}
