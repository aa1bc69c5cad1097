import ArgumentParser
import CutoverKit
import Foundation

/// `cutover`: which failures came from which node missing which round of a network-isolation cutover.
struct Cutover: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cutover",
        abstract: "Explain the failures of an AKS network-isolation cutover, node by node and round by round.",
        discussion: """
            Exit codes: 0 success; 64 usage error; 1 fatal error; 2 finished, but some input files were damaged \
            or unreadable (their good records were kept); 3 (status) not safe to take the next step yet; 4 (status) \
            unknown whether it is safe: the inputs cannot show it.
            Example:
              cutover run samples/logs --out postmortem.md
            """,
        version: CutoverVersion.current,
        subcommands: [
            Run.self, Ingest.self, Correlate.self, Report.self, Status.self, Query.self, Show.self, NightlyCommand.self,
            FleetIndexCommand.self, Simulate.self,
        ]
    )
}

/// Exit code for a run that finished but could not read every input to its end.
let damagedInputExit: Int32 = 2
/// Exit code of `status` while some node still needs a reimage.
let notSafeExit: Int32 = 3
/// Exit code of `status` when the inputs cannot show whether it is safe (fails closed).
let unknownSafetyExit: Int32 = 4

StandardOutput.ignoreBrokenPipes()
Cutover.main()
