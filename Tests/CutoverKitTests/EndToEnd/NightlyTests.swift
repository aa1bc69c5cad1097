import Foundation
import Testing

@testable import CutoverKit

/// `cutover nightly` over several nights of a fleet's exports, as cron runs it.
@Suite("cutover nightly: dated reports, an index, what changed since the last run, exit codes for cron")
struct NightlyTests {
    let dir = Paths.temporaryDirectory()
    var inputs: URL { dir.appendingPathComponent("exports") }
    var out: URL { dir.appendingPathComponent("reports") }

    func night(_ date: String, _ extra: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
        try runCutover(["nightly", "--input", inputs.path, "--out", out.path, "--night", date] + extra, in: dir)
    }

    func read(_ path: String) throws -> String { try String(contentsOf: out.appendingPathComponent(path), encoding: .utf8) }

    /// The simulator's ground truth is no export: it does not go to the nightly inputs.
    func removeTruth() throws {
        for file in RecordLayoutTests.files(under: inputs) where (file as NSString).lastPathComponent.hasPrefix("truth") {
            try FileManager.default.removeItem(atPath: file)
        }
    }

    /// The activity-log record of a scale-set instance reimage (the diagnostic-settings shape).
    static func reimage(vmss: String, instance: Int, at time: String, id: String) -> String {
        let group = "MC_RG-PROD-WEU_AKS-PROD-WEU_WESTEUROPE"
        return
            #"{"time":"\#(time)","resourceId":"/SUBSCRIPTIONS/3F2B8C1E-7D4A-4E9B-9C61-0A5D2E8F4B17/RESOURCEGROUPS/\#(group)/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINESCALESETS/\#(vmss.uppercased())/VIRTUALMACHINES/\#(instance)","#
            + #""operationName":"MICROSOFT.COMPUTE/VIRTUALMACHINESCALESETS/VIRTUALMACHINES/REIMAGE/ACTION","category":"Administrative","#
            + #""resultType":"Success","correlationId":"\#(id)","properties":{"operationId":"\#(id)"}}"#
    }

    @Test func fourNightsOfAFleet() throws {
        // Night 1: one cluster's exports (the shipped samples).
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Paths.samples.appendingPathComponent("logs"), to: inputs.appendingPathComponent("night1"))
        let first = try night("2026-11-03")
        #expect(first.status == 3, "nodes still to reimage: \(first.stderr)")
        let index1 = try read("2026-11-03/index.md")
        #expect(index1.contains("| `aks-prod-weu` | 16 | 12 | 12 | 5 | 0 | [aks-prod-weu.md](aks-prod-weu.md) |"), "\(index1)")
        #expect(try read("2026-11-03/aks-prod-weu.md").contains("This is the first nightly run on this database"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out.appendingPathComponent("latest").path) == "2026-11-03")

        // Night 2: a new file that was cut off in transfer: an input error, named in the index.
        let exporter = inputs.appendingPathComponent("night1/kube/event-exporter.ndjson.gz")
        let bytes = try Data(contentsOf: exporter)
        try FileManager.default.createDirectory(at: inputs.appendingPathComponent("night2"), withIntermediateDirectories: true)
        try bytes.prefix(bytes.count / 2).write(to: inputs.appendingPathComponent("night2/event-exporter-cut.ndjson.gz"))
        let second = try night("2026-11-04")
        #expect(second.status == 3)
        let index2 = try read("2026-11-04/index.md")
        #expect(index2.contains("- New input errors: 1."), "\(index2)")
        #expect(index2.contains("event-exporter-cut.ndjson.gz: truncated"))
        #expect(index2.contains("| `aks-prod-weu` | 16 | 12 | 0 | 5 | 0 |"))

        // Night 3: a second cluster appears.
        var spec = SimulationSpec()
        spec.cluster = SimulatedCluster(name: "aks-dev-neu")
        spec.seed = 21
        try Pipeline.simulate(spec: spec, directory: inputs.appendingPathComponent("night3").path)
        try removeTruth()
        let third = try night("2026-11-05")
        #expect(third.status == 3)
        let index3 = try read("2026-11-05/index.md")
        #expect(index3.contains("- New clusters: `aks-dev-neu`."), "\(index3)")
        #expect(index3.contains("- New input errors: none."), "the cut file is not new any more")
        #expect(try read("2026-11-05/aks-dev-neu.md").contains("- New cluster: it was not in the last run."))

        // Night 4: a node of the first cluster is reimaged after round 3: it converged.
        let converged = "aks-system-33370940-vmss000000"
        try FileManager.default.createDirectory(at: inputs.appendingPathComponent("night4"), withIntermediateDirectories: true)
        try
            (Self.reimage(
                vmss: "aks-system-33370940-vmss", instance: 0, at: "2026-11-03T13:45:00.0000000Z",
                id: "7e1c0000-0000-4000-8000-000000000001")
            + "\n").write(to: inputs.appendingPathComponent("night4/PT1H.json"), atomically: true, encoding: .utf8)
        let fourth = try night("2026-11-06")
        #expect(fourth.status == 3, "the other nodes are still behind")
        let report4 = try read("2026-11-06/aks-prod-weu.md")
        #expect(report4.contains("- Nodes that converged since: 1:\n  - `\(converged)`"), "\(report4)")
        #expect(report4.contains("- Nodes still to reimage: 4."))
        #expect(try read("2026-11-06/index.md").contains("| `aks-prod-weu` | 16 | 12 | 0 | 4 | 1 |"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out.appendingPathComponent("latest").path) == "2026-11-06")

        // A night with nothing new changes nothing and says so.
        let quiet = try night("2026-11-07")
        #expect(quiet.status == 3)
        #expect(
            try read("2026-11-07/aks-prod-weu.md").contains("- New pods blamed on a missed round: 0.\n- Nodes that converged since: 0."))
    }

    @Test func exitCodesForCron() throws {
        // Every node converged (no round missed): 0; then a damaged input: 2.
        var spec = SimulationSpec()
        spec.missRates = [:]
        spec.failedUpgradeLeavesOut = 0
        spec.seed = 5
        try Pipeline.simulate(spec: spec, directory: inputs.appendingPathComponent("a").path)
        try removeTruth()
        let clean = try night("2026-11-03")
        #expect(clean.status == 0, "\(clean.stderr)")
        try Data([0x1F, 0x8B, 0x08, 0x00, 0x01]).write(to: inputs.appendingPathComponent("a/broken.json.gz"))
        let damaged = try night("2026-11-04")
        #expect(damaged.status == 2, "\(damaged.stderr)")
        // Another nightly holds the database: the second waits --wait seconds, then exits 1.
        let db = out.appendingPathComponent("cutover.sqlite").path
        let holder = try WriterLock(database: db + ".nightly", timeout: 1)
        let busy = try night("2026-11-05", ["--wait", "0.5"])
        withExtendedLifetime(holder) {}
        #expect(busy.status == 1)
        #expect(busy.stderr.contains("nightly could not run"), "\(busy.stderr)")
    }

    /// N shard processes (as an Indexed Job runs them) write the same index as one process.
    @Test func shardsMergeIntoTheIndexOfOneRun() throws {
        let fleet = FleetSimulation.sameSubscription(seed: 3, count: 3, nodes: 8)
        _ = try fleet.write(to: inputs.path)
        try removeTruth()
        let single = try night("2026-11-03")
        #expect([0, 3].contains(single.status))
        let whole = try read("2026-11-03/index.md")
        let sharded = dir.appendingPathComponent("sharded")
        var statuses: [Int32] = []
        for i in 0..<3 {
            let run = try runProgram(
                Paths.executable?.path ?? "cutover",
                ["nightly", "--input", inputs.path, "--out", sharded.path, "--night", "2026-11-03", "--shards", "3"],
                in: dir, environment: ProcessInfo.processInfo.environment.merging(["JOB_COMPLETION_INDEX": "\(i)"]) { $1 })
            statuses.append(run.status)
        }
        #expect(statuses.allSatisfy { [0, 3].contains($0) })
        let merged = try String(contentsOf: sharded.appendingPathComponent("2026-11-03/index.md"), encoding: .utf8)
        #expect(merged == whole)
        // Shards never share a database.
        let databases = try FileManager.default.contentsOfDirectory(atPath: sharded.path).filter { $0.hasSuffix(".sqlite") }.sorted()
        #expect(databases == ["cutover.shard-0-of-3.sqlite", "cutover.shard-1-of-3.sqlite", "cutover.shard-2-of-3.sqlite"])
        // The merge step on its own gives the same index.
        try FileManager.default.removeItem(at: sharded.appendingPathComponent("2026-11-03/index.md"))
        let merge = try runCutover(["fleet-index", sharded.appendingPathComponent("2026-11-03").path, "--shards", "3"], in: dir)
        #expect(merge.status == 0)
        #expect(try String(contentsOf: sharded.appendingPathComponent("2026-11-03/index.md"), encoding: .utf8) == whole)
        #expect(try runCutover(["fleet-index", sharded.appendingPathComponent("2026-11-03").path, "--shards", "4"], in: dir).status == 1)
    }

    /// Pruning removes only what no result rests on: correlation gives the same results after.
    @Test func retentionKeepsWhatResultsRestOn() throws {
        let db = dir.appendingPathComponent("r.sqlite").path
        // An old event exported three times, seen again each time: folded into one row at ingest,
        // then pruned; neither the row nor the copies folded away may leave their text behind.
        let repeated = dir.appendingPathComponent("repeated.ndjson").path
        try (1...3).map {
            event(uid: "0ld-rep3ated-uid", reason: "Pulling", count: 3, first: "2026-11-01T10:00:00Z", last: "2026-11-01T10:0\($0):00Z")
                .replacingOccurrences(of: "Error: ErrImagePull", with: "pulling image \($0) doomed-text-q7")
        }.joined(separator: "\n").write(toFile: repeated, atomically: true, encoding: .utf8)
        _ = try Pipeline.ingest(paths: [Paths.samples.appendingPathComponent("logs").path, repeated], dbPath: db)
        #expect(try Database(path: db, readOnly: true).int("SELECT count(*) FROM kube_events WHERE uid = '0ld-rep3ated-uid'") == 1)
        try Pipeline.correlate(dbPath: db)
        let results = "SELECT * FROM attributions ORDER BY failure_id"
        let before = try Database(path: db, readOnly: true).rows(results)
        let events = try Database(path: db, readOnly: true).int("SELECT count(*) FROM kube_events")
        // A record retention deletes: its uid must not stay in the file's free space.
        let doomed = try Database(path: db, readOnly: true).rows(
            """
            SELECT uid FROM kube_events WHERE uid IS NOT NULL AND last_seen < '2026-11-09T00:00:00Z'
                AND reason NOT IN (\((CorrelationFacts.relevantReasons + ["Started"]).map { "'\($0)'" }.joined(separator: ", ")))
            LIMIT 5
            """
        ).compactMap { $0.first?.text }
        #expect(doomed.count == 5)
        let pruned = try Nightly.prune(dbPath: db, olderThan: 1, night: "2026-11-10")
        #expect(pruned > 0 && pruned < events)
        try Database(path: db).execute("PRAGMA wal_checkpoint(TRUNCATE)")
        let file = try Data(contentsOf: URL(fileURLWithPath: db))
        for uid in doomed + ["0ld-rep3ated-uid", "doomed-text-q7"] {
            #expect(file.range(of: Data(uid.utf8)) == nil, "pruned text \(uid) still in the file")
        }
        try Pipeline.correlate(dbPath: db)
        #expect(try Database(path: db, readOnly: true).rows(results) == before)
        #expect(try Nightly.prune(dbPath: db, olderThan: 30, night: "2026-11-10") == 0)
    }
}

/// deploy/: the CronJob and the Containerfile, checked for what Kubernetes and the README need.
@Suite("The Kubernetes deployment: an Indexed CronJob of cutover nightly shards")
struct DeploymentTests {
    func check(_ root: URL) throws -> (status: Int32, stderr: String) {
        let run = try runProgram(
            "/usr/bin/env", ["python3", Paths.repository.appendingPathComponent("scripts/check-manifests").path],
            environment: ProcessInfo.processInfo.environment.merging(["CUTOVER_ROOT": root.path]) { $1 })
        return (run.status, run.stderr)
    }

    @Test func theManifestsHaveWhatAnIndexedCronJobNeeds() throws {
        let ok = try check(Paths.repository)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(!ok.stderr.contains("No module named"), "run scripts/setup --tests: it installs PyYAML for this test")
    }

    @Test(arguments: [
        ("completionMode: Indexed", "completionMode: NonIndexed", "completionMode Indexed"),
        ("restartPolicy: Never", "restartPolicy: Always", "restartPolicy Never or OnFailure"),
        ("completions: 4", "completions: 5", "equals completions"),
        ("runAsNonRoot: true", "runAsNonRoot: false", "runAsNonRoot"),
    ])
    func aBrokenManifestFails(original: String, broken: String, message: String) throws {
        let root = Paths.temporaryDirectory()
        try FileManager.default.copyItem(at: Paths.repository.appendingPathComponent("deploy"), to: root.appendingPathComponent("deploy"))
        let manifest = root.appendingPathComponent("deploy/kubernetes/cronjob.yaml")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        #expect(text.contains(original))
        try text.replacingOccurrences(of: original, with: broken).write(to: manifest, atomically: true, encoding: .utf8)
        let result = try check(root)
        #expect(result.status == 1)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
