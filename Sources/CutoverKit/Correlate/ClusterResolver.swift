import Foundation

/// Finds the clusters a database holds and the cluster of every record.
///
/// In: `FleetFacts` (everything correlation reads, from every cluster). Out: a
/// `ClusterAssignment`: each cluster's own `CorrelationFacts`, and what belongs to none.
/// docs/ARCHITECTURE.md ("How a record finds its cluster") walks the rules:
/// - Activity records: the managed cluster in the resource id (and everything under it); the
///   cluster's node resource group (`MC_<rg>_<name>_<region>`, or the `nodeResourceGroup` a
///   cluster body shows) for scale sets, instances and their network; a resource a cluster body
///   links (`containerRegistryId`, an agent pool's `vnetSubnetID`); else the cluster's own
///   resource group when no other cluster lives in it. Anything else decides nothing.
/// - Events: the cluster the record names (`clusterName`, `ClusterId`, `ClusterName`, or
///   `ingest --cluster`), matched by resource id or name without regard to case; otherwise the
///   cluster that owns the node (its other events name the cluster, or its scale set lies in
///   exactly one cluster's node resource group); otherwise, since one file without cluster
///   fields comes from one API server, the one cluster the file's other events resolved to.
/// - A database with at most one cluster is one cluster, as before: every record is its.
public struct ClusterResolver {
    public init() {}

    public func resolve(_ fleet: FleetFacts) -> ClusterAssignment {
        var directory = ClusterDirectory(fleet)
        guard directory.clusters.count > 1 else {
            let cluster = directory.clusters.first ?? .unnamed
            let facts = CorrelationFacts(
                activity: fleet.activity, events: fleet.events,
                nodeFirstSeen: fleet.sightings.reduce(into: [:]) { seen, s in seen[s.node] = min(seen[s.node] ?? s.first, s.first) },
                sources: fleet.sources)
            return ClusterAssignment(clusters: [cluster], facts: [cluster.label: facts], unassignedEvents: [], unassignedActivity: 0)
        }
        var activityByCluster: [String: [ActivityFact]] = [:]
        var unassignedActivity = 0
        for fact in fleet.activity {
            let owners = directory.owners(of: fact)
            if owners.isEmpty { unassignedActivity += 1 }
            for label in owners { activityByCluster[label, default: []].append(fact) }
        }
        directory.learnScaleSets(activityByCluster)
        let eventLabels = directory.eventClusters(fleet.events)
        var eventsByCluster: [String: [EventFact]] = [:]
        var unassignedEvents: [EventFact] = []
        for (event, label) in zip(fleet.events, eventLabels) {
            if let label { eventsByCluster[label, default: []].append(event) } else { unassignedEvents.append(event) }
        }
        var firstSeen: [String: [String: Timestamp]] = [:]
        for s in fleet.sightings {
            guard let label = directory.sightingCluster(s) else { continue }
            firstSeen[label, default: [:]][s.node] = min(firstSeen[label]?[s.node] ?? s.first, s.first)
        }
        var facts: [String: CorrelationFacts] = [:]
        for cluster in directory.clusters {
            let activity = activityByCluster[cluster.label] ?? []
            let events = eventsByCluster[cluster.label] ?? []
            let files = Set(activity.map(\.sourceID) + events.map(\.sourceID))
            facts[cluster.label] = CorrelationFacts(
                activity: activity, events: events, nodeFirstSeen: firstSeen[cluster.label] ?? [:],
                sources: fleet.sources.map { $0.filter { files.contains($0.sourceID) } })
        }
        return ClusterAssignment(
            clusters: directory.clusters, facts: facts, unassignedEvents: unassignedEvents, unassignedActivity: unassignedActivity)
    }
}

/// Which cluster each record of a database belongs to (`ClusterResolver`).
public struct ClusterAssignment: Sendable {
    /// Sorted by label.
    public var clusters: [Cluster]
    /// Each cluster's records, by label.
    public var facts: [String: CorrelationFacts]
    /// Events (of the kinds correlation reads) whose cluster could not be told.
    public var unassignedEvents: [EventFact]
    /// Activity records of resources that belong to no cluster in the inputs.
    public var unassignedActivity: Int
}

/// The clusters of a database, and the places (resource groups, linked resources, nodes,
/// scale sets) that belong to each.
struct ClusterDirectory {
    private(set) var clusters: [Cluster] = []
    /// Managed-cluster resource id → label.
    private var byID: [String: String] = [:]
    /// A label from the inputs (a name or a resource id, lower case) → label; nil: ambiguous.
    private var byInputLabel: [String: String?] = [:]
    /// The same, keyed by the label exactly as the inputs wrote it.
    private var byWrittenLabel: [String: String?] = [:]
    /// "subscription/resource group" → the labels of the clusters whose node resource group it is.
    private var nodeGroups: [String: Set<String>] = [:]
    /// "subscription/resource group" → the labels of the clusters that live in it.
    private var ownGroups: [String: Set<String>] = [:]
    /// Resource id prefixes a cluster's body links to it (its registry, its VNet).
    private var linked: [(prefix: String, label: String)] = []
    /// Scale set name → the labels of the clusters whose records name it.
    private var scaleSets: [String: Set<String>] = [:]
    /// Node name → the labels of the clusters whose labelled events mention it.
    private var nodeOwners: [String: Set<String>] = [:]
    /// Node name → label, for nodes resolved through their events.
    private var resolvedNodes: [String: String] = [:]

    init(_ fleet: FleetFacts) {
        // Every spelling of each cluster's name: diagnostic-settings exports upper-case whole ids.
        var spellings: [String: Set<String>] = [:]
        var ids: Set<String> = []
        var labels = Set(fleet.sightings.map(\.cluster).filter { !$0.isEmpty })
        // Events of one cluster share their label's storage: compared, not hashed, when it repeats.
        var last: String?
        for e in fleet.events {
            if let c = e.cluster, c != last {
                labels.insert(c)
                last = c
            }
        }
        for written in fleet.activity.map({ $0.resourceID ?? $0.resourceKey }) + Array(labels) {
            let path = ResourcePath(written)
            if let cluster = path.managedCluster {
                ids.insert(cluster.id)
                let parts = written.split(separator: "/").map(String.init)
                let at = parts.lastIndex { $0.lowercased() == "managedclusters" }
                let name = at.flatMap { $0 + 1 < parts.count ? parts[$0 + 1] : nil } ?? cluster.name
                spellings[cluster.name, default: []].insert(name)
            } else if !labels.contains(written) {
                continue
            } else {
                spellings[written.lowercased(), default: []].insert(written)
            }
        }
        func spelled(_ lower: String) -> String {
            let all = (spellings[lower] ?? [lower]).sorted()
            return all.first { $0 != $0.uppercased() || $0 == $0.lowercased() } ?? all.first ?? lower
        }
        var found: [Cluster] = ids.map { id in
            let path = ResourcePath(id)
            return Cluster(
                label: "", name: spelled(path.managedCluster?.name ?? id), resourceID: id, subscription: path.subscription,
                resourceGroup: path.resourceGroup)
        }
        // Names from the events that no resource id explains become clusters known by name only.
        var nameOnly: Set<String> = []
        for label in labels where ResourcePath(label).managedCluster == nil {
            let matches = found.filter { $0.name.lowercased() == label.lowercased() }
            if matches.isEmpty { nameOnly.insert(label.lowercased()) }
        }
        for name in nameOnly.sorted() { found.append(Cluster(label: "", name: spelled(name))) }
        clusters = Self.labelled(found)
        for cluster in clusters {
            if let id = cluster.resourceID { byID[id] = cluster.label }
            if let group = cluster.subscription.flatMap({ s in cluster.resourceGroup.map { s + "/" + $0 } }) {
                ownGroups[group, default: []].insert(cluster.label)
            }
        }
        for label in labels {
            let path = ResourcePath(label)
            let found: String?
            if let cluster = path.managedCluster {
                found = byID[cluster.id]
            } else {
                let matches = clusters.filter { $0.name.lowercased() == label.lowercased() }
                found = matches.count == 1 ? matches[0].label : nil
            }
            byInputLabel[label.lowercased()] = found
            byWrittenLabel[label] = found
        }
        learnFromBodies(fleet.activity)
        learnDefaultNodeGroups(fleet.activity)
        // Ingest records every node an event mentions under the cluster the event names.
        for s in fleet.sightings where !s.cluster.isEmpty {
            if let label = resolved(s.cluster) { nodeOwners[s.node, default: []].insert(label) }
        }
    }

    /// The cluster a label from the inputs names (nil: none, or more than one).
    func resolved(_ written: String) -> String? {
        if let known = byWrittenLabel[written] { return known }
        return byInputLabel[written.lowercased()] ?? nil
    }

    /// Labels that tell the clusters apart: the name; `rg/name` where names repeat; then
    /// `subscription/rg/name`.
    static func labelled(_ found: [Cluster]) -> [Cluster] {
        func label(_ c: Cluster, _ depth: Int) -> String {
            switch depth {
            case 0: return c.name
            case 1: return [c.resourceGroup, c.name].compactMap { $0 }.joined(separator: "/")
            default: return [c.subscription, c.resourceGroup, c.name].compactMap { $0 }.joined(separator: "/")
            }
        }
        var result = found
        var depth = Array(repeating: 0, count: found.count)
        for _ in 0..<3 {
            let groups = Dictionary(grouping: result.indices) { label(result[$0], depth[$0]).lowercased() }
            for (_, members) in groups where members.count > 1 { for i in members { depth[i] = min(depth[i] + 1, 2) } }
        }
        for i in result.indices { result[i].label = label(result[i], depth[i]) }
        return result.sorted { $0.label < $1.label }
    }

    /// Node resource groups and linked resources from the clusters' own bodies.
    private mutating func learnFromBodies(_ activity: [ActivityFact]) {
        for fact in activity where fact.operation == "microsoft.containerservice/managedclusters/write" {
            guard let cluster = ResourcePath(fact.resourceKey).managedCluster, let label = byID[cluster.id] else { continue }
            for body in [fact.requestBody, fact.responseBody].compactMap({ $0 }) {
                let values = Self.stringValues(in: body, keys: ["noderesourcegroup", "containerregistryid", "vnetsubnetid"])
                for (key, value) in values {
                    switch key {
                    case "noderesourcegroup":
                        guard let sub = ResourcePath(cluster.id).subscription else { continue }
                        nodeGroups[sub + "/" + value.lowercased(), default: []].insert(label)
                        setNodeGroup(label, value.lowercased())
                    case "vnetsubnetid":
                        // The VNet, not only the subnet: its route tables and NSGs sit beside it.
                        let lower = value.lowercased()
                        let vnet = lower.range(of: "/subnets/").map { String(lower[..<$0.lowerBound]) } ?? lower
                        linked.append((vnet, label))
                    default:
                        linked.append((value.lowercased(), label))
                    }
                }
            }
        }
    }

    /// `MC_<rg>_<name>_<region>`: the node resource group AKS makes when none is given.
    private mutating func learnDefaultNodeGroups(_ activity: [ActivityFact]) {
        var groups: Set<String> = []
        for fact in activity {
            if let g = ResourcePath(fact.resourceKey).groupKey, g.split(separator: "/").last?.hasPrefix("mc_") == true { groups.insert(g) }
        }
        for group in groups where nodeGroups[group] == nil {
            let parts = group.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            let owners = clusters.filter { c in
                guard let rg = c.resourceGroup, c.subscription == parts[0] else { return false }
                return parts[1].hasPrefix("mc_\(rg)_\(c.name.lowercased())_")
            }
            if owners.count == 1 {
                nodeGroups[group] = [owners[0].label]
                setNodeGroup(owners[0].label, parts[1])
            }
        }
    }

    private mutating func setNodeGroup(_ label: String, _ group: String) {
        if let i = clusters.firstIndex(where: { $0.label == label }), clusters[i].nodeResourceGroup == nil {
            clusters[i].nodeResourceGroup = group
        }
    }

    /// The clusters an activity record belongs to (several only for a resource that more than
    /// one cluster's body links, such as a shared registry).
    func owners(of fact: ActivityFact) -> Set<String> {
        let path = ResourcePath(fact.resourceKey)
        if let cluster = path.managedCluster { return byID[cluster.id].map { [$0] } ?? [] }
        if let group = path.groupKey, let owners = nodeGroups[group] { return owners }
        let links = Set(linked.filter { path.key == $0.prefix || path.key.hasPrefix($0.prefix + "/") }.map(\.label))
        if !links.isEmpty { return links }
        if let group = path.groupKey, let owners = ownGroups[group], owners.count == 1 { return owners }
        return []
    }

    /// Scale sets named by each cluster's records (its node resource group's Compute records).
    mutating func learnScaleSets(_ activityByCluster: [String: [ActivityFact]]) {
        for (label, facts) in activityByCluster {
            for fact in facts {
                if let vmss = ScaleSetInstance(resourceID: fact.resourceKey)?.vmss { scaleSets[vmss, default: []].insert(label) }
            }
        }
    }

    /// The cluster of a node without a cluster label: the one whose labelled events mention it,
    /// else the one whose records name its scale set – when exactly one does.
    func nodeCluster(_ node: String) -> String? {
        if let owners = nodeOwners[node] { return owners.count == 1 ? owners.first : nil }
        if let label = resolvedNodes[node] { return label }
        guard let vmss = NodeName(node)?.vmss, let owners = scaleSets[vmss], owners.count == 1 else { return nil }
        return owners.first
    }

    /// Each event's cluster label, in order (nil: unknown).
    mutating func eventClusters(_ events: [EventFact]) -> [String?] {
        var result: [String?] = Array(repeating: nil, count: events.count)
        // Pods without a reporting host are placed through their Scheduled event, per file.
        var podNode: [String: String] = [:]
        for e in events where e.cluster == nil && e.reason == "Scheduled" {
            if let node = e.scheduledNode { podNode["\(e.sourceID)/\(e.objectNamespace ?? "")/\(e.objectName ?? "")"] = node }
        }
        var fileClusters: [Int64: Set<String>] = [:]
        for (i, e) in events.enumerated() {
            if let input = e.cluster {
                result[i] = resolved(input)
                continue
            }
            var nodes = Self.nodes(of: e)
            if nodes.isEmpty, let node = podNode["\(e.sourceID)/\(e.objectNamespace ?? "")/\(e.objectName ?? "")"] { nodes = [node] }
            let owners = Set(nodes.compactMap(nodeCluster))
            if owners.count == 1 { result[i] = owners.first }
            if let label = result[i] { fileClusters[e.sourceID, default: []].insert(label) }
        }
        // A file without cluster fields comes from one API server: when the events of it that
        // could be placed all point to one cluster, the rest of it is that cluster's too.
        for (i, e) in events.enumerated() where e.cluster == nil {
            guard let owners = fileClusters[e.sourceID], owners.count == 1, let only = owners.first else { continue }
            result[i] = only
            for node in Self.nodes(of: e) where nodeOwners[node] == nil { resolvedNodes[node] = only }
        }
        return result
    }

    /// The cluster of a node's first appearance.
    func sightingCluster(_ s: NodeSightingFact) -> String? {
        if !s.cluster.isEmpty { return resolved(s.cluster) }
        return nodeCluster(s.node)
    }

    /// The nodes an event is from or about, lower case.
    static func nodes(of e: EventFact) -> [String] {
        var nodes: [String] = []
        if let host = e.sourceHost?.lowercased(), !host.isEmpty { nodes.append(host) }
        if e.objectKind == "Node", let name = e.objectName?.lowercased(), !name.isEmpty, !nodes.contains(name) { nodes.append(name) }
        if let node = e.scheduledNode, !nodes.contains(node) {
            nodes.append(node)
        }
        return nodes
    }

    /// The string values of `keys` (lower case) anywhere in a JSON body (an object, or a string
    /// holding one).
    static func stringValues(in body: String, keys: Set<String>) -> [(String, String)] {
        guard var value = try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed]) else { return [] }
        if let text = value as? String, let inner = try? JSONSerialization.jsonObject(with: Data(text.utf8)) { value = inner }
        var found: [(String, String)] = []
        func walk(_ v: Any) {
            if let object = v as? [String: Any] {
                for (k, child) in object.sorted(by: { $0.key < $1.key }) {
                    if keys.contains(k.lowercased()), let s = child as? String, !s.isEmpty { found.append((k.lowercased(), s)) }
                    walk(child)
                }
            } else if let array = v as? [Any] {
                array.forEach(walk)
            }
        }
        walk(value)
        return found
    }
}
