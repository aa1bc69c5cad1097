import Foundation
import Testing

@testable import CutoverKit

@Suite("Suggested az commands: names from logs are checked and quoted, never run")
struct AzureCommandTests {
    /// Each command runs through a real shell with `az` replaced by printf: every argument must
    /// come out as one word, unchanged, and nothing in it may run.
    static func words(of command: String, in dir: URL) throws -> [String] {
        let result = try runProgram("/bin/sh", ["-c", "printf '%s\\n' " + command.dropFirst("az ".count)], in: dir)
        return result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    @Test func hostileNamesNeverReachTheShell() throws {
        let dir = Paths.temporaryDirectory()
        var commands = 0
        for name in HostileText.corpus(base: "aks-apps-12345678-vmss") + HostileText.corpus(base: "MC_rg-prod_aks-prod_westeurope") {
            if let command = AzureCommand.vmssReimage(resourceGroup: "rg(prod)", vmss: name, instanceIDs: [0, 4]) {
                commands += 1
                #expect(
                    try Self.words(of: command, in: dir) == ["vmss", "reimage", "-g", "rg(prod)", "-n", name, "--instance-ids", "0", "4"])
            }
            let withGroup = try #require(AzureCommand.vmssReimage(resourceGroup: name, vmss: "aks-apps-1-vmss", instanceIDs: [7]))
            if AzureCommand.isResourceGroupName(name) {
                #expect(try Self.words(of: withGroup, in: dir)[3] == name)
            } else {
                #expect(withGroup.contains("-g <node-resource-group> "), "\(withGroup)")
            }
            let upgrade = try #require(AzureCommand.nodepoolUpgrade(resourceGroup: "rg", cluster: name, pool: "apps"))
            if AzureCommand.isClusterName(name) {
                #expect(try Self.words(of: upgrade, in: dir)[5] == name)
            } else {
                // A placeholder the shell refuses as it is (a syntax error), never the name from the logs.
                #expect(upgrade == "az aks nodepool upgrade -g rg --cluster-name <cluster> -n apps --node-image-only")
            }
            #expect(AzureCommand.nodepoolUpgrade(resourceGroup: "rg", cluster: "c", pool: name) == nil || AzureCommand.isPoolName(name))
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("pwned").path))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/pwned"))
        #expect(commands == 0, "no hostile scale-set name is a valid one")
        // Valid names that a shell would still misread are quoted, and come out whole.
        for group in ["MC_rg(prod)_aks-prod_westeurope", "rg.prod-1", "(x)"] {
            let command = try #require(AzureCommand.vmssReimage(resourceGroup: group, vmss: "aks-apps-1-vmss", instanceIDs: [7]))
            #expect(
                try Self.words(of: command, in: dir) == ["vmss", "reimage", "-g", group, "-n", "aks-apps-1-vmss", "--instance-ids", "7"])
        }
        #expect(
            AzureCommand.vmssReimage(resourceGroup: "MC_rg_c_westeurope", vmss: "aks-apps-1-vmss", instanceIDs: [0, 4, 7])
                == "az vmss reimage -g MC_rg_c_westeurope -n aks-apps-1-vmss --instance-ids 0 4 7")
    }

    /// A node name that is not an AKS name (`$(…)` in the pool part) maps to no scale set at all.
    @Test func nodeNamesWithShellSyntaxAreNoScaleSetNodes() {
        for name in HostileText.corpus(base: "aks-apps-12345678-vmss000001") {
            #expect(NodeName(name) == nil, "\(name.debugDescription)")
        }
        #expect(NodeName("aks-apps-12345678-vmss00000a")?.instanceID == 10)
    }
}
