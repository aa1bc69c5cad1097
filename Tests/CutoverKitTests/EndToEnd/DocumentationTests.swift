import Foundation
import Testing

@testable import CutoverKit

@Suite("The README and --help agree")
struct DocumentationTests {
    static let commands = ["run", "ingest", "correlate", "report", "status", "query", "show", "nightly", "fleet-index", "simulate"]

    /// The long options a command's `--help` lists (without --help and --version).
    static func helpOptions(_ command: String) throws -> Set<String> {
        let help = try runCutover([command, "--help"], in: Paths.temporaryDirectory())
        #expect(help.status == 0)
        let options = help.stdout.matches(of: /--[a-z][a-z-]+/).map { String($0.output) }
        return Set(options).subtracting(["--help", "--version"])
    }

    /// The options the README's command table gives a command.
    static func readmeOptions(_ command: String) throws -> Set<String> {
        let readme = try String(contentsOf: Paths.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let row = try #require(
            readme.split(separator: "\n").first { $0.hasPrefix("| `cutover \(command) ") }, "no README table row for \(command)")
        let usage = row.split(separator: "`")[1]
        return Set(usage.matches(of: /--[a-z][a-z-]+/).map { String($0.output) })
    }

    @Test(arguments: commands)
    func theReadmeTableListsEveryOptionOfEachCommand(command: String) throws {
        let help = try Self.helpOptions(command)
        let readme = try Self.readmeOptions(command)
        #expect(
            help == readme,
            "\(command): only in --help \(help.subtracting(readme).sorted()), only in README \(readme.subtracting(help).sorted())")
    }

    /// Each command's help has an example that runs the command, on lines no wider than 80
    /// columns, so it does not break mid-command in a terminal.
    @Test(arguments: commands)
    func helpHasAnExampleThatFitsATerminal(command: String) throws {
        let help = try runCutover([command, "--help"], in: Paths.temporaryDirectory())
        let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let examples = lines.drop { !$0.contains("Example:") }.dropFirst().prefix { $0.hasPrefix("  ") }
        #expect(!examples.isEmpty, "\(command) --help has no example")
        #expect(examples.allSatisfy { $0.trimmingCharacters(in: .whitespaces).hasPrefix("cutover ") }, "\(examples)")
        #expect(examples.contains { $0.contains("cutover \(command) ") }, "\(examples)")
        // The usage line is argument-parser's, which wraps it to a terminal's width when there is one.
        let text = lines.filter { !$0.hasPrefix("USAGE:") }
        #expect(text.allSatisfy { $0.count <= 80 }, "\(text.filter { $0.count > 80 })")
    }

    /// The exit codes the README documents are the ones the binary uses.
    @Test func documentedExitCodes() throws {
        let dir = Paths.temporaryDirectory()
        #expect(try runCutover(["report", "--no-such-option"], in: dir).status == 64)  // usage
        #expect(try runCutover(["report", "--db", "missing.sqlite"], in: dir).status == 1)  // fatal
        #expect(try runCutover(["--version"], in: dir).stdout == CutoverVersion.current + "\n")
        let readme = try String(contentsOf: Paths.repository.appendingPathComponent("README.md"), encoding: .utf8)
        for text in [
            "`0` success", "`64` usage error", "`1` a fatal problem", "`2` the run finished", "`3` (`status` only)", "`4` (`status` only)",
        ] {
            #expect(readme.contains(text), "README lacks \(text)")
        }
    }

    /// Every relative link and image of the README and docs/ names a file of the repository
    /// (the screenshot of the sample postmortem among them).
    @Test func relativeLinksNameFilesThatExist() throws {
        let docs = try FileManager.default.contentsOfDirectory(atPath: Paths.repository.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.map { "docs/" + $0 }
        var checked = 0
        for page in ["README.md"] + docs {
            let url = Paths.repository.appendingPathComponent(page)
            let text = try String(contentsOf: url, encoding: .utf8)
            for match in text.matches(of: /\]\(([^)\s#]+)(#[^)]*)?\)/) {
                let target = String(match.output.1)
                guard !target.contains("://"), !target.hasPrefix("mailto:") else { continue }
                let file = url.deletingLastPathComponent().appendingPathComponent(target).standardizedFileURL
                #expect(FileManager.default.fileExists(atPath: file.path), "\(page) links to \(target), which is not there")
                checked += 1
            }
        }
        #expect(checked > 10)
        let readme = try String(contentsOf: Paths.repository.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("(docs/images/sample-postmortem-top.png)"))
    }
}
