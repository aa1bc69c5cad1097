import ArgumentParser
import CutoverKit

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a realistic synthetic incident (logs in real export shapes + truth.json).",
        discussion: """
            The shipped samples/ are made with the first example.
            Example:
              cutover simulate --preset small --seed 7 --out samples
              cutover simulate --preset fleet --out /tmp/fleet
            """)

    @Option(name: .long, help: "small (19 nodes, the samples) or fleet (about 2,000 nodes).") var preset: String = "small"
    @Option(name: .long, help: "Random seed; the same seed gives byte-identical files.") var seed: UInt64 = 7
    @Option(name: .long, help: "Directory to write logs/ and truth.json into.") var out: String

    func validate() throws {
        guard SimulationSpec.preset(preset) != nil else { throw ValidationError("--preset must be small or fleet") }
    }

    func run() throws {
        var spec = SimulationSpec.preset(preset) ?? SimulationSpec()
        spec.seed = seed
        let incident = try Pipeline.simulate(spec: spec, directory: out)
        printError(
            "simulated \(incident.nodes.count) nodes, \(incident.events.count) events, "
                + "\(incident.activity.count) activity records, \(incident.failures.count) failure events into \(out)")
    }
}
