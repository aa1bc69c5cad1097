/// Egress removed outside AKS (docs/DOMAIN.md §9): many teams cut the internet off with the
/// network rather than with `--outbound-type none` – a black-hole default route, an NSG rule
/// that denies outbound to the Internet, a subnet with default outbound access turned off, or a
/// NAT gateway detached from the node subnet.
///
/// In: activity facts. Out: the network writes that succeeded and whose request or response
/// body shows such a cut, in time order. Body keys and values are matched without regard to
/// case. A network write without a body shows nothing; it can only be a candidate when a
/// milestone is inferred (`MilestoneDetector.inferMissing`).
public struct EgressCut: Sendable, Equatable {
    /// The operation, lower-cased (`microsoft.network/routetables/routes/write`).
    public var operation: String
    public var resource: String
    /// When the operation succeeded.
    public var time: Timestamp
    public var startedAt: Timestamp
    /// What the body shows, in words (`route 0.0.0.0/0 → None`).
    public var what: String
    public var key: String

    /// Network writes that can cut egress; the only ones looked at.
    static let operations: Set<String> = [
        "microsoft.network/routetables/write", "microsoft.network/routetables/routes/write",
        "microsoft.network/networksecuritygroups/write", "microsoft.network/networksecuritygroups/securityrules/write",
        "microsoft.network/virtualnetworks/write", "microsoft.network/virtualnetworks/subnets/write",
    ]

    /// `routeTables/routes/write (blackhole-internet)`
    public var summary: String {
        let op = operation.split(separator: "/").dropFirst().joined(separator: "/")
        return "\(op) (\(resource.split(separator: "/").last.map(String.init) ?? resource))"
    }

    /// The cuts the activity log shows, earliest first.
    public static func find(_ activity: [ActivityFact]) -> [EgressCut] {
        var groups: [String: [ActivityFact]] = [:]
        for fact in activity where operations.contains(fact.operation) { groups[fact.operationKey, default: []].append(fact) }
        // Subnets that had a NAT gateway in an earlier body: a later body without one detaches it.
        var natSubnets: Set<String> = []
        var cuts: [EgressCut] = []
        let operationsInOrder = groups.map { key, records in (key, records.sorted { $0.time < $1.time }) }
            .sorted { ($0.1[0].time, $0.0) < ($1.1[0].time, $1.0) }
        for (key, records) in operationsInOrder {
            let bodies = records.flatMap { [$0.requestBody, $0.responseBody].compactMap { $0 } }
            guard let first = records.first else { continue }
            var found: String?
            for body in bodies {
                var json = JSONIndex()
                guard (try? json.load(body)) != nil, json.kind(JSONIndex.root) == .object else { continue }
                found = found ?? cut(in: json, operation: first.operation, resource: first.resourceKey, natSubnets: &natSubnets)
            }
            guard let what = found, let succeeded = records.first(where: { $0.status == "Succeeded" }) else { continue }
            cuts.append(
                EgressCut(
                    operation: first.operation, resource: first.resourceKey, time: succeeded.time, startedAt: first.time,
                    what: what, key: key))
        }
        return cuts.sorted { ($0.time, $0.key) < ($1.time, $1.key) }
    }

    /// The cut one body shows, if any. `natSubnets` remembers subnets seen with a NAT gateway.
    static func cut(in json: JSONIndex, operation: String, resource: String, natSubnets: inout Set<String>) -> String? {
        let body = JSONIndex.root
        let properties = member(json, body, "properties") ?? body
        switch operation {
        case "microsoft.network/routetables/routes/write":
            return blackHole(json, properties)
        case "microsoft.network/routetables/write":
            return firstElement(json, properties, "routes", blackHole)
        case "microsoft.network/networksecuritygroups/securityrules/write":
            return denyInternet(json, properties)
        case "microsoft.network/networksecuritygroups/write":
            return firstElement(json, properties, "securityRules", denyInternet)
        case "microsoft.network/virtualnetworks/subnets/write":
            return subnetCut(json, properties, subnet: resource, natSubnets: &natSubnets)
        case "microsoft.network/virtualnetworks/write":
            // Every subnet, so that each one's NAT gateway is remembered.
            var found: String?
            for subnet in elements(json, member(json, properties, "subnets")) {
                let name = json.string(member(json, subnet, "name")).map { "\(resource)/subnets/\($0.lowercased())" } ?? resource
                let cut = subnetCut(json, member(json, subnet, "properties") ?? subnet, subnet: name, natSubnets: &natSubnets)
                found = found ?? cut
            }
            return found
        default:
            return nil
        }
    }

    /// A default route (`0.0.0.0/0` or `Internet`) whose next hop is `None`: a black hole.
    static func blackHole(_ json: JSONIndex, _ route: Int) -> String? {
        guard let prefix = json.string(member(json, route, "addressPrefix")),
            ["0.0.0.0/0", "internet"].contains(prefix.lowercased()),
            json.string(member(json, route, "nextHopType"))?.lowercased() == "none"
        else { return nil }
        return "route \(prefix) → None (traffic to the internet dropped)"
    }

    /// An outbound Deny rule towards the Internet (service tag, `*` or `0.0.0.0/0`).
    static func denyInternet(_ json: JSONIndex, _ rule: Int) -> String? {
        guard json.string(member(json, rule, "direction"))?.lowercased() == "outbound",
            json.string(member(json, rule, "access"))?.lowercased() == "deny"
        else { return nil }
        var destinations = [json.string(member(json, rule, "destinationAddressPrefix"))].compactMap { $0 }
        destinations += elements(json, member(json, rule, "destinationAddressPrefixes")).compactMap { json.string($0) }
        guard let target = destinations.first(where: { ["internet", "*", "0.0.0.0/0"].contains($0.lowercased()) }) else {
            return nil
        }
        let priority = json.string(member(json, rule, "priority")).map { " (priority \($0))" } ?? ""
        return "NSG rule denies outbound to \(target)\(priority)"
    }

    /// Default outbound access turned off, or a NAT gateway the subnet had before now missing.
    static func subnetCut(_ json: JSONIndex, _ properties: Int, subnet: String, natSubnets: inout Set<String>) -> String? {
        if json.string(member(json, properties, "defaultOutboundAccess"))?.lowercased() == "false" {
            return "subnet default outbound access turned off"
        }
        let nat = member(json, properties, "natGateway")
        if let nat, json.kind(nat) == .object {
            natSubnets.insert(subnet)
            return nil
        }
        guard natSubnets.remove(subnet) != nil else { return nil }
        return "NAT gateway detached from the subnet"
    }

    /// The member of object `node` named `key`, ignoring case (ARM echoes clients' spelling).
    static func member(_ json: JSONIndex, _ node: Int?, _ key: String) -> Int? {
        guard let node, json.kind(node) == .object else { return nil }
        let wanted = key.lowercased()
        return json.children(node).first { json.key($0)?.lowercased() == wanted }
    }

    /// What `test` says of the first element (its `properties`, when it has them) of the array
    /// `key` of `node` that it says something of.
    private static func firstElement(
        _ json: JSONIndex, _ node: Int, _ key: String, _ test: (JSONIndex, Int) -> String?
    ) -> String? {
        for element in elements(json, member(json, node, key)) {
            if let said = test(json, member(json, element, "properties") ?? element) { return said }
        }
        return nil
    }

    private static func elements(_ json: JSONIndex, _ node: Int?) -> [Int] {
        guard let node, json.kind(node) == .array else { return [] }
        return json.children(node)
    }
}
