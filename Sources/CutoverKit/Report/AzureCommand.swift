/// The `az` commands cutover suggests, built from names that came from logs.
///
/// A name is used only when it is a valid Azure name of its kind (resource groups: letters,
/// digits, `_`, `-`, `.`, `(`, `)`, up to 90, not ending in `.`; scale sets and clusters:
/// letters, digits, `-`, `_`, up to 64 and 63; node pools: lower-case letters and digits, up to
/// 12), and it is quoted for a POSIX shell when it holds anything beyond `[A-Za-z0-9_.-]`. A name
/// that is not valid gives a placeholder (`<node-resource-group>`) or no command at all, never
/// the text from the logs: `$(…)` in a node name must not run when the command is pasted.
public enum AzureCommand {
    /// `az vmss reimage -g RG -n VMSS --instance-ids 0 4 7`; nil when the scale set's name is not valid.
    public static func vmssReimage(resourceGroup: String?, vmss: String, instanceIDs: [Int]) -> String? {
        guard isScaleSetName(vmss), !instanceIDs.isEmpty else { return nil }
        let group = resourceGroup.flatMap { isResourceGroupName($0) ? quote($0) : nil } ?? "<node-resource-group>"
        return "az vmss reimage -g \(group) -n \(quote(vmss)) --instance-ids \(instanceIDs.map(String.init).joined(separator: " "))"
    }

    /// `az aks nodepool upgrade -g RG --cluster-name NAME -n POOL --node-image-only`; nil when
    /// the pool's name is not valid.
    public static func nodepoolUpgrade(resourceGroup: String?, cluster: String?, pool: String) -> String? {
        guard isPoolName(pool) else { return nil }
        let group = resourceGroup.flatMap { isResourceGroupName($0) ? quote($0) : nil } ?? "<resource-group>"
        let name = cluster.flatMap { isClusterName($0) ? quote($0) : nil } ?? "<cluster>"
        return "az aks nodepool upgrade -g \(group) --cluster-name \(name) -n \(quote(pool)) --node-image-only"
    }

    static func allASCII(_ s: String, _ allowed: (Unicode.Scalar) -> Bool) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { $0.isASCII && allowed($0) }
    }

    static func isAlnum(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) }

    public static func isResourceGroupName(_ s: String) -> Bool {
        s.count <= 90 && !s.hasSuffix(".") && allASCII(s) { isAlnum($0) || "_-.()".unicodeScalars.contains($0) }
    }

    public static func isScaleSetName(_ s: String) -> Bool {
        s.count <= 64 && allASCII(s) { isAlnum($0) || "-_".unicodeScalars.contains($0) }
    }

    public static func isClusterName(_ s: String) -> Bool {
        s.count <= 63 && allASCII(s) { isAlnum($0) || "-_".unicodeScalars.contains($0) }
    }

    public static func isPoolName(_ s: String) -> Bool {
        s.count <= 12 && allASCII(s) { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    /// `s` as one POSIX shell word: as it is when it holds only `[A-Za-z0-9_.-]`, else in single
    /// quotes (a `'` inside becomes `'\''`).
    public static func quote(_ s: String) -> String {
        if allASCII(s, { isAlnum($0) || "_.-".unicodeScalars.contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
