import Foundation
import Testing

@testable import CutoverKit

@Suite("Output that cannot be written, and counts no real cluster has, are errors or figures, never crashes")
struct OutputFailureTests {
    /// Runs the binary with its standard output on `/dev/full` (every write fails with ENOSPC)
    /// or on a pipe whose reader has gone (EPIPE).
    static func run(_ arguments: [String], in dir: URL, stdout: String) throws -> (status: Int32, stderr: String) {
        let process = Process()
        let executable: URL = try #require(Paths.executable)
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = dir
        let err = Pipe()
        process.standardError = err
        if stdout == "full" {
            let full: FileHandle = try #require(FileHandle(forWritingAtPath: "/dev/full"))
            process.standardOutput = full
        } else {
            let pipe = Pipe()
            try pipe.fileHandleForReading.close()
            process.standardOutput = pipe
        }
        try process.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test(arguments: ["full", "closed pipe"])
    func aWriteErrorIsAMessageAndExitCodeOne(stdout: String) throws {
        let dir = Paths.temporaryDirectory()
        _ = try runCutover(["ingest", Paths.samples.appendingPathComponent("logs").path], in: dir)
        _ = try runCutover(["correlate"], in: dir)
        for command in [["report"], ["query", "SELECT * FROM attributions"], ["status"]] {
            let result = try Self.run(command, in: dir, stdout: stdout)
            #expect(result.status == 1, "\(command) to \(stdout): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("cannot write to standard output"), "\(command): \(result.stderr)")
        }
    }

    /// Event counts near Int64.max (crafted, or a corrupt export) add up without trapping.
    @Test func countsNearTheLargestIntegerDoNotCrashTheReport() throws {
        let dir = Paths.temporaryDirectory()
        let big = Int64.max - 3
        let lines = (1...4).map { k in
            #"{"metadata":{"uid":"big-\#(k)","namespace":"kube-system"},"involvedObject":{"kind":"Pod","namespace":"kube-system","name":"kube-proxy-abcde"},"#
                + #""reason":"Failed","message":"Failed to pull image \"mcr.microsoft.com/oss/kubernetes/kube-proxy:v1\": dial tcp 1.2.3.4:443: i/o timeout","#
                + #""source":{"component":"kubelet","host":"aks-apps-12345678-vmss000001"},"firstTimestamp":"2026-11-03T13:00:0\#(k)Z","#
                + #""lastTimestamp":"2026-11-03T13:05:00Z","count":\#(big),"type":"Warning"}"#
        }
        try lines.joined(separator: "\n").write(to: dir.appendingPathComponent("big.json"), atomically: true, encoding: .utf8)
        let result = try runCutover(["run", "big.json"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("kube-proxy-abcde"))
        #expect(result.stdout.contains("\(Int.max)"), "the sum saturates")
    }
}

@Suite("Terminal output: what came from logs and file names is shown, not obeyed")
struct TerminalOutputTests {
    /// Files named with terminal control sequences, holding records with them: the ingest
    /// summary, status and table output carry no control byte.
    @Test func controlSequencesInNamesAndLogsAreEscapedOnTheTerminal() throws {
        let dir = Paths.temporaryDirectory()
        for (k, name) in HostileText.corpus(base: "events.json", count: 12).enumerated()
        where !name.contains("/") && !name.contains("\u{0}") {
            let text =
                event(uid: "t\(k)", count: 1, first: "2026-11-03T13:00:00Z", last: "2026-11-03T13:00:00Z", host: name) + "\n{broken\n"
            try? text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let ingest = try runCutover(["ingest", "."], in: dir)
        #expect(ingest.status == 2)
        #expect(!HostileText.hasTerminalControl(ingest.stderr), "\(ingest.stderr.debugDescription)")
        #expect(ingest.stderr.contains("\\e[31m"))
        let query = try runCutover(["query", "SELECT source_host, name FROM kube_events JOIN sources USING (source_id)"], in: dir)
        #expect(!HostileText.hasTerminalControl(query.stdout), "\(query.stdout.debugDescription)")
        let status = try runCutover(["status"], in: dir)
        #expect(!HostileText.hasTerminalControl(status.stdout + status.stderr))
    }

    @Test func numbersAreGroupedByThousands() {
        #expect(ProgressLine.grouped(0) == "0")
        #expect(ProgressLine.grouped(999) == "999")
        #expect(ProgressLine.grouped(1000) == "1,000")
        #expect(ProgressLine.grouped(2_000_000) == "2,000,000")
        #expect(ProgressLine.grouped(-12345) == "-12,345")
    }
}
