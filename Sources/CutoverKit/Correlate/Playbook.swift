import Foundation

/// One milestone of a cutover procedure.
public struct Round: Sendable, Equatable {
    /// How a cluster write's body shows this round: the setting at `path` (under the
    /// managed cluster's `properties`) takes one of `values`, or – when `values` is empty –
    /// any new non-empty value. `latest` picks the last such change instead of the first
    /// (a registry id changed twice needs a bootstrap after the second change). `egressCut`
    /// also accepts egress removed outside AKS (`EgressCut`): a black-hole route, an NSG deny,
    /// a subnet without default outbound access, a NAT gateway detached – whichever comes first.
    public struct Marker: Sendable, Equatable {
        public var path: [String]
        public var values: [String]
        public var latest: Bool
        public var egressCut: Bool

        public init(path: [String], values: [String] = [], latest: Bool = false, egressCut: Bool = false) {
            self.path = path
            self.values = values.map { $0.lowercased() }
            self.latest = latest
            self.egressCut = egressCut
        }
    }

    public var number: Int
    /// Short stable name used in the database and the report (`artifact-cache`).
    public var name: String
    /// What changed, in words, for the report.
    public var summary: String
    /// Whether a node must bootstrap again after this milestone for it to take effect.
    public var requiresReimage: Bool
    public var marker: Marker

    public init(number: Int, name: String, summary: String, requiresReimage: Bool, marker: Marker) {
        self.number = number
        self.name = name
        self.summary = summary
        self.requiresReimage = requiresReimage
        self.marker = marker
    }
}

/// The rounds a cutover procedure has, and which of them need a reimage (docs/DOMAIN.md §1):
/// a choice, since the documented procedure changed over time.
public struct Playbook: Sendable, Equatable {
    public var name: String
    public var rounds: [Round]

    public init(name: String, rounds: [Round]) {
        self.name = name
        self.rounds = rounds
    }

    static let cache = Round(
        number: 1, name: "artifact-cache", summary: "bootstrap artifact source switched to Cache", requiresReimage: true,
        marker: Round.Marker(path: ["bootstrapProfile", "artifactSource"], values: ["Cache"]))
    static let registry = Round(
        number: 2, name: "isolation-wiring", summary: "bootstrap container registry id set or changed", requiresReimage: true,
        marker: Round.Marker(path: ["bootstrapProfile", "containerRegistryId"], latest: true))
    static let egress = Round(
        number: 3, name: "egress-none", summary: "outbound type switched to none/block, or egress cut outside AKS",
        requiresReimage: true,
        marker: Round.Marker(path: ["networkProfile", "outboundType"], values: ["none", "block"], egressCut: true))

    /// What teams do in practice, and Microsoft's June–September 2025 text: three milestones,
    /// each followed by a reimage. The default.
    public static let threeRounds = Playbook(name: "three-rounds", rounds: [cache, registry, egress])

    /// Microsoft's current text: one reimage after the cache switch and the registry id, none
    /// after the outbound change.
    public static let currentDocs: Playbook = {
        var noReimage = egress
        noReimage.requiresReimage = false
        return Playbook(name: "current-docs", rounds: [cache, registry, noReimage])
    }()

    public static let builtIn = [threeRounds, currentDocs]

    public func round(_ number: Int) -> Round? { rounds.first { $0.number == number } }

    /// Why a playbook file could not be used.
    public struct FileError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// A built-in playbook by name, or a playbook file (JSON):
    ///
    /// ```json
    /// {"name": "our-cutover",
    ///  "rounds": [
    ///    {"round": 1, "name": "artifact-cache", "field": "bootstrapProfile.artifactSource", "values": ["Cache"], "reimage": true},
    ///    {"round": 2, "name": "isolation-wiring", "field": "bootstrapProfile.containerRegistryId", "latest": true, "reimage": true},
    ///    {"round": 3, "name": "egress-none", "field": "networkProfile.outboundType", "values": ["none", "block"],
    ///     "egressCut": true, "reimage": false}]}
    /// ```
    /// `field` is a path under the managed cluster's `properties`; without `values`, any new
    /// value marks the round. `egressCut` lets egress removed outside AKS mark it too.
    public static func load(_ nameOrPath: String) throws -> Playbook {
        if let builtIn = builtIn.first(where: { $0.name == nameOrPath }) { return builtIn }
        guard let data = FileManager.default.contents(atPath: nameOrPath) else {
            throw FileError(
                description: "no playbook named \(nameOrPath) and no such file; built-in playbooks: "
                    + builtIn.map(\.name).joined(separator: ", "))
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let rounds = object["rounds"] as? [[String: Any]], !rounds.isEmpty
        else {
            throw FileError(description: "\(nameOrPath): expected a JSON object with a non-empty \"rounds\" array")
        }
        var parsed: [Round] = []
        for (i, r) in rounds.enumerated() {
            guard let number = r["round"] as? Int, let name = r["name"] as? String, let field = r["field"] as? String,
                !field.isEmpty
            else {
                throw FileError(description: "\(nameOrPath): round \(i + 1) needs \"round\" (a number), \"name\" and \"field\"")
            }
            let values = r["values"] as? [String] ?? []
            parsed.append(
                Round(
                    number: number, name: name, summary: r["summary"] as? String ?? "\(field) changed",
                    requiresReimage: r["reimage"] as? Bool ?? true,
                    marker: Round.Marker(
                        path: field.split(separator: ".").map(String.init), values: values, latest: r["latest"] as? Bool ?? false,
                        egressCut: r["egressCut"] as? Bool ?? false)))
        }
        guard Set(parsed.map(\.number)).count == parsed.count else {
            throw FileError(description: "\(nameOrPath): two rounds have the same number")
        }
        return Playbook(name: object["name"] as? String ?? nameOrPath, rounds: parsed.sorted { $0.number < $1.number })
    }
}
