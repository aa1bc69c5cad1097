import Foundation
import Testing

@testable import CutoverKit

@Suite("Markdown escaping: names and messages from logs cannot inject markup")
struct MarkdownEscapeTests {
    @Test(arguments: [
        ("web-1", "web-1"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("[click](https://evil.example)", "\\[click\\](https://evil.example)"),
        ("![x](y)", "!\\[x\\](y)"),
        ("a|b", "a\\|b"),
        ("*bold* _it_ `code` ~~s~~", "\\*bold\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~"),
        ("line\nbreak", "line break"),
        ("back\\slash", "back\\\\slash"),
    ])
    func inline(raw: String, escaped: String) {
        #expect(MarkdownEscape.inline(raw) == escaped)
    }

    /// Text from logs that starts a list item cannot open a block inside it.
    @Test(arguments: [
        ("kube-proxy-1", "kube-proxy-1"), ("\n# Injected", "\\# Injected"), ("> quote", "&gt; quote"), ("- item", "\\- item"),
        ("+ item", "\\+ item"), ("=====", "\\====="), ("12. twelve", "12\\. twelve"), ("3) three", "3\\) three"),
        ("2026 is a year", "2026 is a year"),
    ])
    func blockStart(raw: String, escaped: String) {
        #expect(MarkdownEscape.blockStart(MarkdownEscape.inline(raw)) == escaped)
    }

    @Test func codeSpansCannotBeClosedEarly() {
        #expect(MarkdownEscape.code("aks-`rm -rf`|x") == "`aks-'rm -rf'\\|x`")
    }
}

/// Compares `text` with the reviewed golden `name` (Goldens/); `CUTOVER_RECORD=1` rewrites it instead.
func expectGolden(_ name: String, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let golden = Paths.goldens.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["CUTOVER_RECORD"] == "1" {
        try text.write(to: golden, atomically: true, encoding: .utf8)
        Issue.record("golden rewritten: review \(golden.path) and commit it", sourceLocation: sourceLocation)
        return
    }
    let expected = try String(contentsOf: golden, encoding: .utf8)
    #expect(
        text == expected, "\(name) differs from the golden; rerun with CUTOVER_RECORD=1 and review the diff", sourceLocation: sourceLocation
    )
}

/// Ingests and correlates the shipped samples into a fresh database.
func correlatedSampleDatabase() throws -> String {
    let db = Paths.temporaryDirectory().appendingPathComponent("samples.sqlite").path
    _ = try Pipeline.ingest(paths: [Paths.samples.appendingPathComponent("logs").path], dbPath: db)
    try Pipeline.correlate(dbPath: db)
    return db
}

@Suite("The sample postmortem")
struct SamplePostmortemTests {
    @Test func matchesTheReviewedGolden() throws {
        try expectGolden("sample-postmortem.md", try Pipeline.report(dbPath: try correlatedSampleDatabase()))
    }

    /// A generated incident of another seed, with node-image upgrades that left nodes out and
    /// every export shape's Kubernetes half as the exporter writes it.
    @Test func aGeneratedIncidentMatchesItsGolden() throws {
        try expectGolden("generated-seed-31-postmortem.md", try Pipeline.report(dbPath: try Self.generatedIncidentDatabase()))
    }

    /// The simulator's incident of seed 31 (three pools of 24 nodes), ingested and correlated.
    static func generatedIncidentDatabase() throws -> String {
        let dir = Paths.temporaryDirectory()
        var spec = SimulationSpec()
        spec.seed = 31
        spec.pools = SimulationSpec.pools(nodes: 24, count: 3)
        try Pipeline.simulate(spec: spec, directory: dir.path)
        let db = dir.appendingPathComponent("g.sqlite").path
        _ = try Pipeline.ingest(paths: [dir.appendingPathComponent("logs").path], dbPath: db)
        try Pipeline.correlate(dbPath: db)
        return db
    }

    /// Two clusters in one subscription: one postmortem each and the index.
    @Test func twoClustersMatchTheirGoldens() throws {
        let dir = Paths.temporaryDirectory()
        _ = try FleetSimulation.sameSubscription(seed: 41, count: 2, nodes: 12).write(to: dir.path)
        let db = dir.appendingPathComponent("f.sqlite").path
        _ = try Pipeline.ingest(paths: [dir.appendingPathComponent("logs").path], dbPath: db)
        try Pipeline.correlate(dbPath: db)
        let (postmortems, index) = try Pipeline.reports(dbPath: db)
        #expect(postmortems.count == 2)
        try expectGolden("two-clusters-index.md", index)
        for p in postmortems { try expectGolden("two-clusters-" + p.file, p.markdown) }
    }

    /// The cohort table and the round sections agree: per round, the nodes that missed it and
    /// failed are exactly the nodes the round's section blames, wherever they were reimaged later;
    /// none of them is counted as having the round. On the sample the old view said 5 for round 3
    /// (a node blamed on round 1 counted too) where the section lists 4.
    @Test func theCohortsCountTheNodesTheRoundSectionsBlame() throws {
        for path in [try correlatedSampleDatabase(), try Self.generatedIncidentDatabase()] {
            let db = try Database(path: path, readOnly: true)
            let cohorts = try db.rows("SELECT round, nodes_with_round, failing_without_round, nodes_without_round FROM round_cohorts")
            #expect(cohorts.count == 3, "\(path)")
            for c in cohorts {
                let blamed = try db.int(
                    "SELECT count(DISTINCT node) FROM attributions WHERE verdict = 'missed_round' AND missed_round = \(c[0].text)")
                #expect(Int(c[2].text) == blamed, "round \(c[0].text) in \(path)")
                #expect(Int(c[3].text) ?? 0 >= blamed)
            }
            let section = try Pipeline.report(dbPath: path)
            for c in cohorts where Int(c[2].text) ?? 0 > 0 {
                #expect(section.contains("| \(c[0].text) ") && section.contains("\(c[2].text) of \(c[3].text) ("), "\(path)")
            }
        }
        let sample = try Database(path: try correlatedSampleDatabase(), readOnly: true)
        #expect(try sample.int("SELECT failing_without_round FROM round_cohorts WHERE round = 3") == 4)
    }

    /// Version 7 computes the cohorts from per-node aggregates (version 6 asked per node and
    /// round, seconds on a large incident): the same rows, on the sample, a generated incident,
    /// one with six failing pods a node and a two-cluster subscription.
    @Test func theCohortsOfVersionSevenAreThoseOfVersionSix() throws {
        let v6 = Schema.migrations[5]
        let start = try #require(v6.range(of: "CREATE VIEW round_cohorts AS"))
        let end = try #require(v6.range(of: "GROUP BY c.cluster, c.round;"))
        let oldView = String(v6[start.lowerBound..<end.upperBound])
            .replacingOccurrences(of: "CREATE VIEW round_cohorts", with: "CREATE TEMP VIEW cohorts_v6")
        var spec = SimulationSpec()
        spec.seed = 19
        spec.pools = SimulationSpec.pools(nodes: 40, count: 4)
        spec.failingPods = 6
        let many = Paths.temporaryDirectory()
        try Pipeline.simulate(spec: spec, directory: many.path)
        let fleet = Paths.temporaryDirectory()
        _ = try FleetSimulation.sameSubscription(seed: 41, count: 2, nodes: 12).write(to: fleet.path)
        var paths = [try correlatedSampleDatabase(), try Self.generatedIncidentDatabase()]
        for dir in [many, fleet] {
            let db = dir.appendingPathComponent("c.sqlite").path
            _ = try Pipeline.ingest(paths: [dir.appendingPathComponent("logs").path], dbPath: db)
            try Pipeline.correlate(dbPath: db)
            paths.append(db)
        }
        for path in paths {
            let db = try Database(path: path, readOnly: true)
            try db.execute(oldView)
            let columns = "cluster, round, name, nodes_with_round, failing_with_round, nodes_without_round, failing_without_round"
            let now = try db.rows("SELECT \(columns) FROM round_cohorts ORDER BY cluster, round")
            #expect(now.count >= 3, "\(path)")
            #expect(now == (try db.rows("SELECT \(columns) FROM cohorts_v6 ORDER BY cluster, round")), "\(path)")
        }
    }

    @Test func isByteIdenticalForTheSameData() throws {
        let first = try Pipeline.report(dbPath: try correlatedSampleDatabase())
        let second = try Pipeline.report(dbPath: try correlatedSampleDatabase())
        #expect(first == second)
    }

    @Test func hostileNamesAreEscapedInTheDocument() throws {
        let dir = Paths.temporaryDirectory()
        let db = dir.appendingPathComponent("h.sqlite").path
        let path = dir.appendingPathComponent("evil.json").path
        let evil =
            #"{"metadata":{"uid":"x1"},"involvedObject":{"kind":"Pod","namespace":"shop","name":"web-<script>alert(1)</script>"},"reason":"Failed","message":"Failed to pull image \"[x](javascript:alert(1))\": | injected | cell","source":{"component":"kubelet","host":"aks-apps-12345678-vmss000001"},"firstTimestamp":"2026-11-03T13:00:00Z","lastTimestamp":"2026-11-03T13:00:00Z","count":1,"type":"Warning"}"#
        try evil.write(toFile: path, atomically: true, encoding: .utf8)
        _ = try Pipeline.ingest(paths: [path], dbPath: db)
        try Pipeline.correlate(dbPath: db)
        let report = try Pipeline.report(dbPath: db)
        #expect(!report.contains("<script>"))
        #expect(report.contains("web-&lt;script&gt;alert(1)&lt;/script&gt;"))
        // The image the pull named is shown as code: a link written in it stays text.
        #expect(report.contains("(`[x](javascript:alert(1))`)"))
        #expect(!report.contains("| injected |"))
    }
}

@Suite("Input names in the report")
struct DisplayNameTests {
    @Test func basenamesAreLengthenedOnlyWhereTheyCollide() {
        let names = PostmortemBuilder.displayNames([
            "/tmp/x/logs/kube/events.json.gz",
            "/data/arm/y=2026/m=11/d=03/h=10/m=00/PT1H.json",
            "/data/arm/y=2026/m=11/d=03/h=11/m=00/PT1H.json",
        ])
        #expect(names == ["events.json.gz", "h=10/m=00/PT1H.json", "h=11/m=00/PT1H.json"])
    }
}

/// A cluster too big to list node by node stays a document one can read.
@Suite("The postmortem of a large cluster")
struct LargePostmortemTests {
    @Test func aggregatesByPoolCutsLongTablesAndGivesOneCommandPerScaleSet() throws {
        let dir = Paths.temporaryDirectory()
        var spec = SimulationSpec()
        spec.pools = SimulationSpec.pools(nodes: 150, count: 5)
        spec.eventsPerNode = 10
        spec.missRates = [2: 0.3, 3: 0.4]
        spec.seed = 11
        try Pipeline.simulate(spec: spec, directory: dir.path)
        let db = dir.appendingPathComponent("l.sqlite").path
        _ = try Pipeline.ingest(paths: [dir.appendingPathComponent("logs").path], dbPath: db)
        try Pipeline.correlate(dbPath: db)
        let report = try Pipeline.report(dbPath: db)
        // The fleet-shaped golden: 750 nodes in five pools, reviewed by reading it.
        try expectGolden("generated-fleet-750-postmortem.md", report)
        #expect(report.utf8.count < 100_000)
        #expect(report.contains("Per pool (nodes ✓ / ✗ per round):"))
        // No table runs longer than the cut (40 rows) plus its header; a cut says where the rest is.
        var run = 0
        var longest = 0
        for line in report.split(separator: "\n", omittingEmptySubsequences: false) {
            run = line.hasPrefix("|") ? run + 1 : 0
            longest = max(longest, run)
        }
        #expect(longest <= 42)
        #expect(report.contains("more: `cutover query"))
        // One command per scale set (or pool): never one per node.
        let store = try Database(path: db, readOnly: true)
        let behind = try store.rows(
            """
            SELECT count(DISTINCT n.vmss), count(DISTINCT r.node) FROM node_round_results r JOIN node_results n USING (cluster, node)
            WHERE r.status = 'missed' AND n.removed_at IS NULL
            """
        ).first.map { $0.map(\.text) }
        let commands = report.split(separator: "\n").filter { $0.hasPrefix("az vmss reimage") || $0.hasPrefix("az aks nodepool upgrade") }
        #expect(
            behind.map { String(commands.count) == $0[0] && Int($0[1]) ?? 0 > commands.count } == true, "\(commands.count), \(behind ?? [])"
        )
    }
}

/// `report --format json`: the postmortem's facts, and docs/POSTMORTEM-JSON.md agrees with them.
@Suite("The postmortem as JSON")
struct PostmortemJSONTests {
    /// Every key path of a JSON value (`rounds[].pods[].image`).
    static func paths(_ value: Any, prefix: String = "") -> Set<String> {
        var out = Set<String>()
        if let object = value as? [String: Any] {
            for (key, child) in object {
                let path = prefix.isEmpty ? key : prefix + "." + key
                out.insert(path)
                out.formUnion(paths(child, prefix: path))
            }
        } else if let array = value as? [Any] {
            for child in array { out.formUnion(paths(child, prefix: prefix + "[]")) }
        }
        return out
    }

    @Test func theDocumentedKeysAreTheKeys() throws {
        // The samples, and an incident without activity logs (so a data gap, milestones not observed).
        var seen = Set<String>()
        let sample = try Pipeline.report(dbPath: try correlatedSampleDatabase(), json: true)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(sample.utf8)) as? [String: Any])
        seen.formUnion(Self.paths(object))
        let dir = Paths.temporaryDirectory()
        var spec = SimulationSpec()
        spec.shapes = [.exporter]
        try Pipeline.simulate(spec: spec, directory: dir.path)
        let db = dir.appendingPathComponent("g.sqlite").path
        _ = try Pipeline.ingest(paths: [dir.appendingPathComponent("logs").path], dbPath: db)
        try Pipeline.correlate(dbPath: db)
        let gaps = try #require(
            try JSONSerialization.jsonObject(with: Data(try Pipeline.report(dbPath: db, json: true).utf8)) as? [String: Any])
        seen.formUnion(Self.paths(gaps))
        #expect((gaps["data_gaps"] as? [Any])?.isEmpty == false)

        let page = try String(contentsOf: Paths.repository.appendingPathComponent("docs/POSTMORTEM-JSON.md"), encoding: .utf8)
        let documented = Set(
            page.split(separator: "\n").filter { $0.hasPrefix("| `") }.compactMap { $0.split(separator: "`").dropFirst().first }.map(
                String.init))
        #expect(seen.subtracting(documented).isEmpty, "not documented: \(seen.subtracting(documented).sorted())")
        #expect(documented.subtracting(seen).isEmpty, "documented, never written: \(documented.subtracting(seen).sorted())")

        // The figures are the markdown's.
        let summary = try #require(object["summary"] as? [String: Any])
        #expect(summary["pods"] as? Int == 16 && summary["missed_round_pods"] as? Int == 12 && summary["unconverged_nodes"] as? Int == 5)
        #expect(object["schema"] as? String == "cutover.postmortem/1")
        let markdown = try Pipeline.report(dbPath: try correlatedSampleDatabase())
        #expect(markdown.contains("16 pods on 10 nodes") && markdown.contains("5 nodes still have not bootstrapped"))
        for step in try #require(object["remediation"] as? [[String: Any]]) {
            #expect(markdown.contains(try #require(step["command"] as? String)))
        }
    }
}
