import Foundation
import Testing

@testable import CutoverKit

@Suite("The cutover binary on a database with several clusters")
struct ClusterCommandTests {
    /// Two clusters of one subscription: the subscription's activity log, a fleet exporter
    /// stream, and a kubectl dump per cluster.
    static func fleet() throws -> URL {
        let dir = Paths.temporaryDirectory()
        try FleetSimulation.sameSubscription(seed: 12, count: 2, kubeShapes: [.exporter, .kubectlList]).write(to: dir.path)
        return dir
    }

    @Test func runWritesOnePostmortemPerClusterAndAnIndex() throws {
        let dir = try Self.fleet()
        let run = try runCutover(["run", "--out", "pm", "logs/arm", "logs/kube/event-exporter.ndjson.gz"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("pm").path).sorted()
        #expect(files == ["aks-prod-weu.md", "aks-staging-weu.md", "index.md"])
        let index = try String(contentsOf: dir.appendingPathComponent("pm/index.md"), encoding: .utf8)
        #expect(index.contains("| `aks-prod-weu` |") && index.contains("[aks-staging-weu.md](aks-staging-weu.md)"))
        let prod = try String(contentsOf: dir.appendingPathComponent("pm/aks-prod-weu.md"), encoding: .utf8)
        #expect(prod.hasPrefix("# Postmortem: network-isolation cutover of `aks-prod-weu`"))
        #expect(!prod.contains("aks-staging-weu"), "nothing of the sibling cluster in prod's postmortem")
    }

    @Test func reportAndStatusChooseAClusterOrListThem() throws {
        let dir = try Self.fleet()
        _ = try runCutover(["ingest", "logs/arm", "logs/kube/event-exporter.ndjson.gz"], in: dir)
        _ = try runCutover(["correlate"], in: dir)
        let both = try runCutover(["report"], in: dir)
        #expect(both.status == 1)
        #expect(both.stdout.isEmpty)
        #expect(both.stderr.contains("the database holds 2 clusters (aks-prod-weu, aks-staging-weu)"), "\(both.stderr)")
        let one = try runCutover(["report", "--cluster", "AKS-PROD-WEU"], in: dir)
        #expect(one.status == 0)
        #expect(one.stdout.hasPrefix("# Postmortem: network-isolation cutover of `aks-prod-weu`"))
        let typo = try runCutover(["report", "--cluster", "aks-prod"], in: dir)
        #expect(typo.status == 1)
        #expect(typo.stdout.isEmpty)
        #expect(typo.stderr.contains("holds no cluster \"aks-prod\"; it holds: aks-prod-weu, aks-staging-weu"), "\(typo.stderr)")
        let status = try runCutover(["status"], in: dir)
        #expect(status.status == 3)
        #expect(status.stdout.contains("Cutover status of aks-prod-weu") && status.stdout.contains("Cutover status of aks-staging-weu"))
        let typoStatus = try runCutover(["status", "--cluster", "nope"], in: dir)
        #expect(typoStatus.status == 1)
    }

    @Test func givenMilestonesOnSeveralClustersNeedTheCluster() throws {
        let dir = try Self.fleet()
        _ = try runCutover(["ingest", "logs/arm", "logs/kube/event-exporter.ndjson.gz"], in: dir)
        let bare = try runCutover(["correlate", "--milestone", "2=2026-11-03T12:15:00Z"], in: dir)
        #expect(bare.status == 1)
        #expect(bare.stderr.contains("say which one --milestone is about with --cluster NAME"), "\(bare.stderr)")
        let named = try runCutover(["correlate", "--milestone", "2=2026-11-03T12:15:00Z", "--cluster", "aks-prod-weu"], in: dir)
        #expect(named.status == 0, "\(named.stderr)")
        let db = try Database(path: dir.appendingPathComponent("cutover.sqlite").path, readOnly: true)
        #expect(
            try db.rows("SELECT cluster, source FROM milestones WHERE round = 2 ORDER BY cluster").map { $0.map(\.text) } == [
                ["aks-prod-weu", "given"], ["aks-staging-weu", "detected"],
            ])
    }

    /// A kubectl dump names no cluster: `--cluster` says whose it is.
    @Test func ingestClusterLabelsTheEventsThatNameNone() throws {
        let dir = try Self.fleet()
        let result = try runCutover(["ingest", "--cluster", "aks-staging-weu", "logs/kube/aks-staging-weu"], in: dir)
        #expect(result.status == 0)
        let db = try Database(path: dir.appendingPathComponent("cutover.sqlite").path, readOnly: true)
        #expect(try db.rows("SELECT DISTINCT cluster FROM kube_events").map { $0.map(\.text) } == [["aks-staging-weu"]])
        #expect(
            try db.int("SELECT count(*) FROM node_sightings WHERE cluster = 'aks-staging-weu'")
                == db.int("SELECT count(*) FROM node_sightings"))
        #expect(try db.int("SELECT count(*) FROM node_sightings") > 3)
    }

    /// The README walk-through run twice in one folder is the same incident; another incident's
    /// inputs into the same database are refused unless `--append` says they belong to it.
    @Test func oneRunIsOneIncident() throws {
        let dir = Paths.temporaryDirectory()
        let samples = Paths.samples.appendingPathComponent("logs").path
        let first = try runCutover(["run", samples], in: dir)
        let again = try runCutover(["run", samples], in: dir)
        #expect(first.status == 0 && again.status == 0)
        #expect(first.stdout == again.stdout)
        let other = Paths.temporaryDirectory()
        var spec = SimulationSpec()
        spec.seed = 99
        try Pipeline.simulate(spec: spec, directory: other.path)
        let refused = try runCutover(["run", other.appendingPathComponent("logs").path], in: dir)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("already holds 6 input file(s) of another run"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--append"))
        #expect(refused.stdout.isEmpty)
        let appended = try runCutover(["run", "--append", other.appendingPathComponent("logs").path], in: dir)
        #expect(appended.status == 0, "\(appended.stderr)")
    }

    /// A gate fails closed: no database, or no activity log, is not "safe".
    @Test func statusWithoutEvidenceIsNeverSafe() throws {
        let dir = Paths.temporaryDirectory()
        let missing = try runCutover(["status", "--db", "typo.sqlite"], in: dir)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no database at typo.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("typo.sqlite").path))
        var spec = SimulationSpec()
        spec.missRates = [2: 0, 3: 0]
        spec.failedUpgradeLeavesOut = 0
        spec.shapes = [.exporter, .activityLogCLI]
        try Pipeline.simulate(spec: spec, directory: dir.path)
        _ = try runCutover(["ingest", "logs/kube"], in: dir)
        let eventsOnly = try runCutover(["status"], in: dir)
        #expect(eventsOnly.status == 4, "\(eventsOnly.stdout)")
        #expect(eventsOnly.stdout.contains("UNKNOWN whether it is safe"))
        _ = try runCutover(["ingest", "logs/arm"], in: dir)
        let everything = try runCutover(["status"], in: dir)
        #expect(everything.status == 0, "\(everything.stdout)")
    }

    /// The `meta` view says what built the database: its schema, each ingest, each correlation.
    @Test func metaRecordsWhatBuiltTheDatabase() throws {
        let dir = Paths.temporaryDirectory()
        _ = try runCutover(["ingest", "--cluster", "aks-x", Paths.samples.appendingPathComponent("logs/kube").path], in: dir)
        _ = try runCutover(["correlate", "--playbook", "current-docs"], in: dir)
        let db = try Database(path: dir.appendingPathComponent("cutover.sqlite").path, readOnly: true)
        let rows = try db.rows("SELECT what, cutover_version, details FROM meta").map { $0.map(\.text) }
        #expect(rows.map { $0[0] } == ["schema", "ingest", "correlate"], "\(rows)")
        #expect(rows[1][1] == CutoverVersion.current && rows[1][2].contains("--cluster aks-x: 2 file(s)"), "\(rows[1])")
        #expect(rows[2][2].hasPrefix("playbook current-docs, milestones {}"), "\(rows[2])")
    }

    /// `status` re-runs a stale correlation as the user last asked, never with its own defaults.
    @Test func statusKeepsThePlaybookAndMilestonesTheUserChose() throws {
        let dir = Paths.temporaryDirectory()
        _ = try runCutover(["ingest", Paths.samples.appendingPathComponent("logs").path], in: dir)
        _ = try runCutover(["correlate", "--playbook", "current-docs", "--milestone", "3=2026-11-03T12:30:00Z"], in: dir)
        let status = try runCutover(["status"], in: dir)
        #expect(status.stdout.contains("(playbook current-docs)"), "\(status.stdout)")
        let db = try Database(path: dir.appendingPathComponent("cutover.sqlite").path, readOnly: true)
        #expect(
            try db.rows("SELECT source, effective_time FROM milestones WHERE round = 3").map { $0.map(\.text) } == [
                ["given", "2026-11-03T12:30:00.000Z"]
            ])
    }
}
