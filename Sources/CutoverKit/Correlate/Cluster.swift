/// A managed cluster the inputs show: every result row names one.
///
/// Known from a managed cluster's resource id (`/subscriptions/S/resourceGroups/RG/providers/
/// Microsoft.ContainerService/managedClusters/NAME`, from the activity log or a Container Insights
/// `ClusterId`), or only by name (an event exporter's `clusterName`, `ingest --cluster NAME`).
public struct Cluster: Sendable, Equatable, Hashable {
    /// What result rows carry in their `cluster` column: the name, lengthened with the resource
    /// group (then the subscription) where two clusters share a name; "" when the inputs name no
    /// cluster at all.
    public var label: String
    /// The name as the inputs spell it.
    public var name: String
    /// The managed cluster's resource id, lower case; nil when only the name is known.
    public var resourceID: String?
    public var subscription: String?
    public var resourceGroup: String?
    /// Lower case: `MC_<rg>_<name>_<region>` by default, or the `nodeResourceGroup` a body showed.
    public var nodeResourceGroup: String?

    public init(
        label: String, name: String, resourceID: String? = nil, subscription: String? = nil, resourceGroup: String? = nil,
        nodeResourceGroup: String? = nil
    ) {
        self.label = label
        self.name = name
        self.resourceID = resourceID
        self.subscription = subscription
        self.resourceGroup = resourceGroup
        self.nodeResourceGroup = nodeResourceGroup
    }

    /// The cluster of a database whose inputs name none: everything in it is one cluster.
    public static let unnamed = Cluster(label: "", name: "")

    /// Whether `query` (from `--cluster`) names this cluster: its label, name or resource id,
    /// without regard to case.
    public func answers(to query: String) -> Bool {
        let q = query.lowercased()
        return q == label.lowercased() || q == name.lowercased() || q == resourceID
    }
}

/// The parts of an ARM resource id that say where a resource lives, lower case.
///
/// `/SUBSCRIPTIONS/3F2B…/RESOURCEGROUPS/MC_RG-PROD_AKS-PROD_WESTEUROPE/PROVIDERS/…` → subscription
/// `3f2b…`, resource group `mc_rg-prod_aks-prod_westeurope`.
struct ResourcePath: Sendable {
    var key: String
    var subscription: String?
    var resourceGroup: String?
    /// The managed cluster the resource is or lies under, as its resource id, and its name.
    var managedCluster: (id: String, name: String)?

    init(_ resourceID: String) {
        // Activity facts hold their ids lower-cased already: then no copy is made. The parts stay
        // slices of the key; only the ones kept become strings.
        key = ByteSearch.lowercased(resourceID)
        let parts = key.split(separator: "/", omittingEmptySubsequences: true)
        func after(_ word: String) -> Int? {
            parts.firstIndex { $0 == word }.flatMap { $0 + 1 < parts.count ? $0 + 1 : nil }
        }
        subscription = after("subscriptions").map { String(parts[$0]) }
        resourceGroup = after("resourcegroups").map { String(parts[$0]) }
        if let i = parts.firstIndex(where: { $0 == "microsoft.containerservice" }), i + 2 < parts.count, parts[i + 1] == "managedclusters" {
            managedCluster = ("/" + parts[...(i + 2)].joined(separator: "/"), String(parts[i + 2]))
        }
    }

    /// "subscription/resource group", the key of a resource group across subscriptions.
    var groupKey: String? {
        guard let subscription, let resourceGroup else { return nil }
        return subscription + "/" + resourceGroup
    }
}
