import Foundation
import Testing

@testable import CutoverKit

@Suite("Shell completions complete paths, option values and saved query names")
struct CompletionTests {
    /// What bash's completion offers for `line` with cutover's generated script loaded, run in
    /// the repository (so `sam` is the start of `samples`).
    static func complete(_ line: String) throws -> [String] {
        let dir = Paths.temporaryDirectory()
        let executable = try #require(Paths.executable)
        let script = try runCutover(["--generate-completion-script", "bash"], in: dir)
        #expect(script.status == 0)
        let path = dir.appendingPathComponent("cutover.bash")
        try script.stdout.write(to: path, atomically: true, encoding: .utf8)
        let harness = """
            source "\(path.path)"
            COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}
            read -ra COMP_WORDS <<< "$COMP_LINE"
            [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
            COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            COMPREPLY=()
            _cutover cutover "${COMP_WORDS[$COMP_CWORD]}" "${COMP_WORDS[$COMP_CWORD-1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = executable.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        let result = try runProgram("/bin/bash", ["-c", harness, "complete", line], in: Paths.repository, environment: environment)
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test(arguments: [
        ("cutover run sam", "samples"), ("cutover ingest Pack", "Package.swift"), ("cutover query nodes", "nodes-that-missed-a-round"),
        ("cutover run --playbook cu", "current-docs"), ("cutover status --playbook three", "three-rounds"),
        ("cutover simulate --preset f", "fleet"), ("cutover simulate --egress na", "nat-gateway"), ("cutover query --format c", "csv"),
    ])
    func offers(line: String, expected: String) throws {
        let offered = try Self.complete(line)
        #expect(offered.contains(expected), "\(line) offers \(offered)")
    }
}
