/// One milestone of a cutover procedure.
public struct Round: Sendable, Equatable {
    public var number: Int
    /// Short stable name used in the database and the report (`artifact-cache`).
    public var name: String
    /// What changed, in words, for the report.
    public var summary: String
    /// Whether a node must bootstrap again after this milestone for it to take effect.
    public var requiresReimage: Bool

    public init(number: Int, name: String, summary: String, requiresReimage: Bool) {
        self.number = number
        self.name = name
        self.summary = summary
        self.requiresReimage = requiresReimage
    }
}

/// The rounds a cutover procedure has (DESIGN.md section 2, FACTS.md 1.3).
public struct Playbook: Sendable, Equatable {
    public var name: String
    public var rounds: [Round]

    /// What teams do in practice: three milestones, each followed by a reimage.
    public static let threeRounds = Playbook(
        name: "three-rounds",
        rounds: [
            Round(
                number: 1, name: "artifact-cache",
                summary: "bootstrap artifact source switched to Cache", requiresReimage: true),
            Round(
                number: 2, name: "isolation-wiring",
                summary: "bootstrap container registry id set or changed", requiresReimage: true),
            Round(
                number: 3, name: "egress-none",
                summary: "outbound type switched to none/block", requiresReimage: true),
        ])

    public func round(_ number: Int) -> Round? { rounds.first { $0.number == number } }
}
