/// An AKS VMSS node name split into pool, scale set and instance id.
///
/// `aks-<pool>-<nnnnnnnn>-vmss<6 base-36 digits>` is instance `int(suffix, 36)` of scale set
/// `aks-<pool>-<nnnnnnnn>-vmss` (docs/DOMAIN.md §4): `aks-nodepool1-12345678-vmss00000a` → 10.
public struct NodeName: Sendable, Equatable, Hashable {
    public var name: String
    public var pool: String
    public var vmss: String
    public var instanceID: Int

    public init?(_ name: String) {
        let lower = name.lowercased()
        // Only letters, digits and dashes: anything else (a `$(…)` from a crafted log) is no AKS node name.
        guard lower.hasPrefix("aks-"), lower.count > 10, lower.count <= 80,
            lower.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }),
            let range = lower.range(of: "-vmss", options: .backwards)
        else { return nil }
        let suffix = lower[range.upperBound...]
        guard suffix.count == 6, let id = Int(suffix, radix: 36) else { return nil }
        let head = lower[lower.index(lower.startIndex, offsetBy: 4)..<range.lowerBound]
        let parts = head.split(separator: "-")
        guard parts.count >= 2 else { return nil }
        self.name = lower
        self.pool = parts.dropLast().joined(separator: "-")
        self.vmss = String(lower[..<range.upperBound])
        self.instanceID = id
    }

    /// The node name of instance `id` of scale set `vmss` (lower case, as AKS names nodes).
    public static func name(vmss: String, instanceID: Int) -> String {
        let digits = String(instanceID, radix: 36)
        return vmss.lowercased() + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}

/// A Compute resource id split into scale set and instance, case-insensitively:
/// `/subscriptions/…/resourceGroups/MC_…/providers/Microsoft.Compute/virtualMachineScaleSets/<vmss>/virtualMachines/<id>`.
public struct ScaleSetInstance: Sendable, Equatable {
    public var vmss: String
    public var instanceID: Int?

    /// The scale set a resource id is about (lower case) and its resource group as the id
    /// spells it: `/subscriptions/S/resourceGroups/MC_rg_aks_westeurope/providers/
    /// Microsoft.Compute/virtualMachineScaleSets/aks-apps-1-vmss/…` → (`aks-apps-1-vmss`, `MC_rg_aks_westeurope`).
    public static func resourceGroup(of resourceID: String) -> (vmss: String, group: String)? {
        let parts = resourceID.split(separator: "/")
        guard let g = parts.firstIndex(where: { Self.isWord($0, "resourcegroups") }), g + 1 < parts.count,
            let v = parts.firstIndex(where: { Self.isWord($0, "virtualmachinescalesets") }), v + 1 < parts.count
        else { return nil }
        return (parts[v + 1].lowercased(), String(parts[g + 1]))
    }

    /// Whether `part` is `word` (lower-case letters) in any case, compared on the bytes: what
    /// `part.lowercased() == word` says for these words (no other character lower-cases to one
    /// of their letters but the letter's capital; the Kelvin sign's "k" is in neither), without
    /// a lower-cased copy of every segment of every record's resource id.
    static func isWord(_ part: Substring, _ word: StaticString) -> Bool {
        part.utf8.count == word.utf8CodeUnitCount
            && word.withUTF8Buffer { w in zip(part.utf8, w).allSatisfy { $0 | 0x20 == $1 } }
    }

    /// Scale set (lower case) → its resource group, as the first of `resourceIDs` that names the
    /// scale set spells it (correlation and migration 6 read them in record order).
    static func firstResourceGroups(_ resourceIDs: some Sequence<String>) -> [String: String] {
        var groups: [String: String] = [:]
        for id in resourceIDs {
            guard let (vmss, group) = resourceGroup(of: id), groups[vmss] == nil else { continue }
            groups[vmss] = group
        }
        return groups
    }

    public init?(resourceID: String) {
        let parts = resourceID.lowercased().split(separator: "/").map(String.init)
        guard let i = parts.firstIndex(of: "virtualmachinescalesets"), i + 1 < parts.count else { return nil }
        vmss = parts[i + 1]
        if i + 3 < parts.count, parts[i + 2] == "virtualmachines" {
            instanceID = Int(parts[i + 3])
        } else {
            instanceID = nil
        }
    }
}
