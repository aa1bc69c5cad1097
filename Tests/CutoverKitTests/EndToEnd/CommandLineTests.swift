import Foundation
import Testing

@testable import CutoverKit

/// Runs the built `cutover` binary, as users and cron jobs do.
func runCutover(_ arguments: [String], in directory: URL) throws -> (status: Int32, stdout: String, stderr: String) {
    let executable = try #require(Paths.executable, "the cutover executable was not found next to the test bundle")
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

@Suite("The cutover binary on the shipped samples")
struct CommandLineTests {
    @Test func runPrintsThePostmortemOnStdoutAndTheSummaryOnStderr() throws {
        let dir = Paths.temporaryDirectory()
        let result = try runCutover(["run", Paths.samples.appendingPathComponent("logs").path], in: dir)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("# Postmortem: network-isolation cutover of `aks-prod-weu`"))
        #expect(result.stdout.contains("## Root cause: round 1 (artifact-cache)"))
        #expect(result.stderr.contains("ingested 6 file(s)"))
        #expect(!result.stdout.contains("ingested 6 file(s)"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("cutover.sqlite").path))
    }

    @Test func damagedInputGivesExitCodeTwoAndKeepsTheRest() throws {
        let dir = Paths.temporaryDirectory()
        let text = (1...500).map { event(uid: "u\($0)", count: 1, first: "2026-11-03T13:00:00Z", last: "2026-11-03T13:00:00Z") }
            .joined(separator: "\n")
        let whole = dir.appendingPathComponent("w.gz").path
        try writeGzip(text, to: whole)
        let data = try Data(contentsOf: URL(fileURLWithPath: whole))
        try data.prefix(data.count * 2 / 3).write(to: dir.appendingPathComponent("cut.json.gz"))
        let result = try runCutover(["ingest", "cut.json.gz"], in: dir)
        #expect(result.status == 2)
        #expect(result.stderr.contains("cut.json.gz ends mid-stream"))
    }

    @Test func standardInputIsAnInputToo() throws {
        let dir = Paths.temporaryDirectory()
        let executable = try #require(Paths.executable)
        let process = Process()
        process.executableURL = executable
        process.arguments = ["ingest", "-"]
        process.currentDirectoryURL = dir
        let input = Pipe()
        let err = Pipe()
        process.standardInput = input
        process.standardError = err
        try process.run()
        input.fileHandleForWriting.write(
            try Data(contentsOf: Paths.samples.appendingPathComponent("logs/kube/kubectl-get-events.json.gz")))
        try input.fileHandleForWriting.close()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(stderr.contains("ingested 1 file(s)") && stderr.contains("0 rejects"))
        let csv = try runCutover(["query", "--format", "csv", "SELECT count(*) AS events FROM kube_events"], in: dir)
        #expect(csv.stdout.hasPrefix("events\r\n") && csv.stdout != "events\r\n0\r\n")
    }

    @Test func badMilestoneOptionIsAUsageError() throws {
        let result = try runCutover(["run", "--milestone", "2=yesterday", "x"], in: Paths.temporaryDirectory())
        #expect(result.status != 0 && result.status != 2)
        #expect(result.stderr.contains("--milestone 2=yesterday"))
    }

    @Test func queriesAreReadOnly() throws {
        let dir = Paths.temporaryDirectory()
        _ = try runCutover(["ingest", Paths.samples.appendingPathComponent("logs").path], in: dir)
        let result = try runCutover(["query", "DELETE FROM kube_events"], in: dir)
        #expect(result.status != 0)
        #expect(result.stderr.contains("read-only"))
    }

    @Test func statusSaysWhichNodesStillNeedAReimageAndExitsThree() throws {
        let dir = Paths.temporaryDirectory()
        _ = try runCutover(["ingest", Paths.samples.appendingPathComponent("logs").path], in: dir)
        let result = try runCutover(["status"], in: dir)
        #expect(result.status == 3)
        #expect(result.stdout.contains("Round 1 artifact-cache: took effect 2026-11-03 09:03:14"))
        #expect(
            result.stdout.contains(
                "aks-batch-75596582-vmss000004  az vmss reimage -g MC_RG-PROD-WEU_AKS-PROD-WEU_WESTEUROPE -n aks-batch-75596582-vmss --instance-ids 4"
            ))
        #expect(result.stdout.contains("NOT SAFE to take the next step: 5 node(s) still need a reimage"))
        // Under the current documentation no reimage follows the outbound change: fewer nodes are behind.
        let current = try runCutover(["status", "--playbook", "current-docs"], in: dir)
        #expect(current.status == 3)
        #expect(current.stdout.contains("Round 3 egress-none: took effect 2026-11-03 12:03:22; needs no reimage"))
        #expect(current.stdout.contains("NOT SAFE to take the next step: 1 node(s) still need a reimage"))
    }

    @Test func statusIsSafeWhenEveryNodeCaughtUp() throws {
        let dir = Paths.temporaryDirectory()
        var spec = SimulationSpec()
        spec.missRates = [2: 0, 3: 0]
        spec.failedUpgradeLeavesOut = 0
        try Pipeline.simulate(spec: spec, directory: dir.path)
        _ = try runCutover(["ingest", dir.appendingPathComponent("logs").path], in: dir)
        let result = try runCutover(["status"], in: dir)
        #expect(result.status == 0)
        #expect(result.stdout.contains("SAFE to take the next step"))
    }
}

@Suite("Saved queries run against the sample database and keep their header promise")
struct SavedQueryTests {
    static let files = ((try? FileManager.default.contentsOfDirectory(atPath: Paths.queries.path)) ?? [])
        .filter { $0.hasSuffix(".sql") }.sorted()

    @Test func thereAreSavedQueries() { #expect(Self.files.count >= 20) }

    @Test(arguments: files)
    func queryRunsAndMatchesItsColumnsHeader(file: String) throws {
        let text = try String(contentsOf: Paths.queries.appendingPathComponent(file), encoding: .utf8)
        let header = text.split(separator: "\n").prefix(3).map(String.init)
        #expect(
            header.count == 3 && header[0].hasPrefix("-- Question: ") && header[1].hasPrefix("-- Columns:  ")
                && header[2].hasPrefix("-- Example:  cutover query \(file.dropLast(4))"))
        let columns = header[1].dropFirst("-- Columns:  ".count).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let db = try Database(path: try correlatedSampleDatabase(), readOnly: true)
        var columnsSeen: [String] = []
        var rows = 0
        try QueryRunner(db: db).stream(
            text, parameters: Self.exampleParameters(header[2]), columns: { columnsSeen = $0 }, row: { _ in rows += 1 })
        #expect(columnsSeen == columns)
        #expect(rows > 0 || file.hasPrefix("rejects"), "the sample has no rejects; every other query has rows")
    }

    /// No saved query scans a large table once per row of another (a correlated subquery
    /// without an index): on a 2 M-event database that is seconds instead of milliseconds.
    @Test(arguments: files)
    func noSavedQueryScansABigTablePerRow(file: String) throws {
        let text = try String(contentsOf: Paths.queries.appendingPathComponent(file), encoding: .utf8)
        let db = try Database(path: try correlatedSampleDatabase(), readOnly: true)
        let sql = text.split(separator: "\n").filter { !$0.hasPrefix("--") }.joined(separator: "\n")
        let stmt = try db.prepare("EXPLAIN QUERY PLAN " + sql)
        try stmt.bindNamed(Self.exampleParameters(text.split(separator: "\n").prefix(3).last.map(String.init) ?? ""))
        var plan: [(id: Int, parent: Int, detail: String)] = []
        while try stmt.step() { plan.append((stmt.int(0) ?? 0, stmt.int(1) ?? 0, stmt.string(3) ?? "")) }
        let correlated = Set(plan.filter { $0.detail.contains("CORRELATED") }.map(\.id))
        let big = ["kube_events", "activity_records", "bootstrap_results", "failure_results", "node_round_results"]
        for step in plan where correlated.contains(step.parent) {
            #expect(
                !big.contains { step.detail.hasPrefix("SCAN \($0)") || step.detail.hasPrefix("SCAN \($0) ") }, "\(file): \(step.detail)")
        }
    }

    /// The `--param NAME=VALUE` pairs of a saved query's Example line: a parameterised query
    /// runs in the test with the value its header shows.
    static func exampleParameters(_ example: String) -> [String: String] {
        var result: [String: String] = [:]
        let words = example.split(separator: " ").map(String.init)
        for (i, word) in words.enumerated() where word == "--param" && i + 1 < words.count {
            let pair = words[i + 1].split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { result[pair[0]] = pair[1] }
        }
        return result
    }

    @Test func aParameterLeftUnboundIsAnErrorThatNamesIt() throws {
        let dir = Paths.temporaryDirectory()
        _ = try runCutover(["run", Paths.samples.appendingPathComponent("logs").path], in: dir)
        let unbound = try runCutover(["query", "node-history"], in: dir)
        #expect(unbound.status == 1)
        #expect(
            unbound.stderr.contains("the query has parameter(s) :node with no value: give each with --param node=VALUE"),
            "\(unbound.stderr)")
        let wrong = try runCutover(["query", "node-history", "--param", "node=x", "--param", "nod=y"], in: dir)
        #expect(wrong.stderr.contains("the query has no parameter :nod"), "\(wrong.stderr)")
        let bound = try runCutover(["query", "--format", "csv", "node-history", "--param", "node=AKS-BATCH-75596582-VMSS000004"], in: dir)
        #expect(bound.status == 0)
        #expect(bound.stdout.contains("round 1: missed") && bound.stdout.contains("failure: missed_round"), "\(bound.stdout)")
        let list = try runCutover(["query", "--list"], in: dir)
        #expect(list.stdout.contains("node-history") && list.stdout.contains("what happened to one node"))
        let nulls = try runCutover(["query", "SELECT NULL AS a, '' AS b, 'x' AS c"], in: dir)
        #expect(nulls.stdout.split(separator: "\n")[2] == "NULL     x", "\(nulls.stdout.debugDescription)")
    }

    /// On a database with two clusters, every query that names the cluster shows both, and no
    /// row has lost its cluster.
    @Test(arguments: files)
    func queryNamesTheClusterOnAFleetDatabase(file: String) throws {
        let text = try String(contentsOf: Paths.queries.appendingPathComponent(file), encoding: .utf8)
        guard !text.contains("--param") else { return }  // about one node: one cluster
        let result = try QueryRunner(db: try Database(path: try Self.fleetDatabase(), readOnly: true)).run(text)
        guard let column = result.columns.firstIndex(of: "cluster") else { return }
        #expect(Set(result.rows.map { $0[column].text }) == ["aks-prod-weu", "aks-staging-weu"], "\(file)")
    }

    /// Two clusters of one subscription, ingested and correlated once for the suite.
    static func fleetDatabase() throws -> String {
        let dir = Paths.temporaryDirectory()
        try FleetSimulation.sameSubscription(seed: 4, count: 2).write(to: dir.path)
        let db = dir.appendingPathComponent("fleet.sqlite").path
        _ = try Pipeline.ingest(paths: [dir.appendingPathComponent("logs").path], dbPath: db)
        try Pipeline.correlate(dbPath: db)
        return db
    }

    /// The sample's scale-out at 13:05 reuses the removed surge node's instance id: its history
    /// holds both nodes, and node-evidence tells them apart.
    @Test func aReusedNameSplitsItsEvidenceIntoGenerations() throws {
        let db = try Database(path: try correlatedSampleDatabase(), readOnly: true)
        let recreated = try db.rows("SELECT node, recreated_at FROM node_results WHERE recreated_at IS NOT NULL")
        #expect(recreated.count == 1)
        let node = try #require(recreated.first?[0].text)
        let text = try String(contentsOf: Paths.queries.appendingPathComponent("node-evidence.sql"), encoding: .utf8)
        let generations = try QueryRunner(db: db).run(text).rows.filter { $0[1].text == node }.map { $0[6].text }
        #expect(generations.contains("earlier") && generations.last == "current", "\(generations)")
    }
}
