/// One piece of round 2's registry wiring (docs/DOMAIN.md §1): the ACR, its cache rule, the
/// private endpoint, the `privatelink.azurecr.io` zone, its VNet link and A record, AcrPull.
/// They are preconditions of the registry switch, not milestones: one that succeeds late
/// explains registry failures on nodes that did bootstrap after the switch.
public struct WiringStep: Sendable, Equatable {
    public var operation: String
    public var resource: String
    public var time: Timestamp

    static let operations = [
        "microsoft.containerregistry/registries/write", "microsoft.containerregistry/registries/cacherules/write",
        "microsoft.network/privateendpoints/write", "microsoft.network/privateendpoints/privatednszonegroups/write",
        "microsoft.network/privatednszones/write", "microsoft.network/privatednszones/virtualnetworklinks/write",
        "microsoft.network/privatednszones/a/write", "microsoft.authorization/roleassignments/write",
    ]

    /// The wiring operations that succeeded, in time order.
    public static func find(_ activity: [ActivityFact]) -> [WiringStep] {
        activity.filter { $0.status == "Succeeded" && operations.contains($0.operation) }
            .map { WiringStep(operation: $0.operation, resource: $0.resourceKey, time: $0.time) }
            .sorted { ($0.time, $0.operation) < ($1.time, $1.operation) }
    }

    /// `privateDnsZones/virtualNetworkLinks/write (link-aks)`
    public var summary: String {
        let op = operation.split(separator: "/").dropFirst().joined(separator: "/")
        return "\(op) (\(resource.split(separator: "/").last.map(String.init) ?? resource))"
    }
}
