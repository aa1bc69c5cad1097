import Foundation
import Testing

@testable import CutoverKit

@Suite("Postmortems from hostile logs, rendered by GitHub's own renderer")
struct RenderedPostmortemTests {
    /// One JSON line.
    static func line(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Events and activity records whose names and texts are the hostile corpus: the cluster
    /// (an exporter's `clusterName`), nodes, pods, namespaces and messages.
    static func hostileInputs(in dir: URL) throws {
        let corpus = HostileText.corpus(base: "aks-apps-12345678-vmss000001", count: 60)
        var events: [String] = []
        for (k, text) in corpus.enumerated() {
            let host = k % 3 == 0 ? text : "aks-apps-12345678-vmss00000\(k % 7)"
            let pod = k % 3 == 1 ? "kube-proxy-\(text)" : "kube-proxy-\(k)"
            events.append(
                try line([
                    "clusterName": k % 2 == 0 ? "aks-prod" : "aks-\(text)",
                    "metadata": ["uid": "h\(k)", "namespace": "kube-system", "name": "e\(k)"],
                    "involvedObject": ["kind": "Pod", "namespace": "kube-system", "name": pod],
                    "reason": "Failed", "type": "Warning",
                    "message":
                        "Failed to pull image \"mcr.microsoft.com/oss/kube-proxy:\(text)\": dial tcp 1.2.3.4:443: i/o timeout \(text)",
                    "source": ["component": "kubelet", "host": host],
                    "firstTimestamp": "2026-11-03T13:\(10 + k % 40):00Z", "lastTimestamp": "2026-11-03T13:\(10 + k % 40):30Z", "count": 3,
                ]))
        }
        try events.joined(separator: "\n").write(to: dir.appendingPathComponent("events.ndjson"), atomically: true, encoding: .utf8)
        var activity: [String] = []
        for (k, text) in corpus.prefix(12).enumerated() {
            let id = "/subscriptions/s/resourceGroups/rg-\(text)/providers/Microsoft.ContainerService/managedClusters/aks-prod"
            for (status, minute) in [("Started", 0), ("Succeeded", 3)] {
                activity.append(
                    try line([
                        "time": "2026-11-03T\(9 + k % 3):0\(minute):00Z",
                        "operationName": "Microsoft.ContainerService/managedClusters/write",
                        "resultType": status, "correlationId": "c\(k)", "resourceId": id, "properties": ["operationId": "o\(k)"],
                    ]))
            }
        }
        try activity.joined(separator: "\n").write(to: dir.appendingPathComponent("PT1H.json"), atomically: true, encoding: .utf8)
    }

    /// The headings the sample postmortem has: any other heading came from the logs.
    static func knownHeadings() throws -> [String] {
        let golden = try String(contentsOf: Paths.goldens.appendingPathComponent("sample-postmortem.md"), encoding: .utf8)
        return golden.split(separator: "\n").filter { $0.hasPrefix("#") && !$0.hasPrefix("# ") }
            .map { $0.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces) }
    }

    static func check(_ file: URL, headings extra: [String] = []) throws -> (status: Int32, output: String) {
        var arguments = [Paths.repository.appendingPathComponent("scripts/check-markdown.py").path, file.path, "--max-columns", "7"]
        for prefix in ["Postmortem: network-isolation cutover of ", "Postmortems: network-isolation cutover, ", "Round "] {
            arguments += ["--heading-prefix", prefix]
        }
        for heading in try knownHeadings() + extra { arguments += ["--heading", heading] }
        let result = try runProgram("/usr/bin/env", ["python3"] + arguments)
        return (result.status, result.stdout + result.stderr)
    }

    @Test func hostileNamesAndMessagesRenderAsText() throws {
        let dir = Paths.temporaryDirectory()
        try Self.hostileInputs(in: dir)
        let run = try runCutover(["run", "--out", "pm", "events.ndjson", "PT1H.json"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("pm").path).sorted()
        #expect(files.count > 3, "several hostile cluster names, one postmortem each: \(files)")
        for file in files {
            let (status, output) = try Self.check(dir.appendingPathComponent("pm/\(file)"))
            #expect(status == 0, "\(file): \(output)")
            #expect(!output.contains("No module named"), "run scripts/setup --tests: it installs the renderer the test uses")
        }
    }

    /// Every golden (the samples, a generated incident, two clusters and their index) renders
    /// cleanly: tables whole and at most 7 columns wide, the timeline drawn by the real Mermaid.
    @Test func everyGoldenRendersAndItsTimelineIsDrawn() throws {
        let goldens = try FileManager.default.contentsOfDirectory(atPath: Paths.goldens.path).filter { $0.hasSuffix(".md") }.sorted()
        #expect(goldens.count >= 5)
        for name in goldens {
            let (status, output) = try Self.check(Paths.goldens.appendingPathComponent(name))
            #expect(status == 0, "\(name): \(output)")
            if name != "two-clusters-index.md" { #expect(output.contains(" 1 mermaid blocks"), "\(name): \(output)") }
        }
    }

    /// The checker itself catches what it must: markup, a ragged table, a heading from the logs,
    /// and a timeline Mermaid cannot draw (a time it cannot read, a label with a colon, a
    /// label that starts a comment).
    @Test func theCheckerCatchesInjection() throws {
        let dir = Paths.temporaryDirectory()
        let bad = dir.appendingPathComponent("bad.md")
        try
            "# Postmortem: network-isolation cutover of x\n\n| a | b |\n|---|---|\n| 1 | 2 | 3 |\n\n<img src=x onerror=alert(1)>\n\n## Injected\n"
            .write(to: bad, atomically: true, encoding: .utf8)
        let (badStatus, badOutput) = try Self.check(bad)
        #expect(badStatus == 1)
        #expect(badOutput.contains("tag <img>") && badOutput.contains("event attribute onerror") && badOutput.contains("'Injected'"))
        #expect(badOutput.contains("table 1: rows with [2, 3] cells"), "\(badOutput)")

        let gantt = "gantt\n    dateFormat YYYY-MM-DD HH:mm:ss\n    section Waves\n"
        for (body, problem) in [
            ("    wave :active, t1, 2026-13-45 10:00:00, 5m", "rejects it: Invalid date"),
            ("    pool a: 3 nodes :active, t1, 2026-11-03 10:00:00, 5m", "rejects it"),
            ("    wave :active, t1, 2026-11-03 10:00:00, 5m\n    %% note :crit, t2, 2026-11-03 10:00:00, 5m", "2 tasks written, 1 drawn"),
        ] {
            let file = dir.appendingPathComponent("gantt.md")
            try "# Postmortem: network-isolation cutover of x\n\n```mermaid\n\(gantt)\(body)\n```\n".write(
                to: file, atomically: true, encoding: .utf8)
            let (status, output) = try Self.check(file)
            #expect(status == 1 && output.contains(problem), "\(body): \(output)")
        }
    }

    /// A round with more pods than are listed one by one is shown by workload and error, and
    /// the timeline draws every pool's wave: with the hostile corpus as pod names, namespaces,
    /// messages and pool names, the whole document still renders as text and Mermaid draws it.
    @Test func hostilePodsByWorkloadAndHostilePoolsRenderAsText() throws {
        let corpus = HostileText.corpus(base: "kube-proxy-abcde", count: 60)
        var failures: [Postmortem.FailureRow] = []
        for (k, text) in corpus.enumerated() {
            failures.append(
                Postmortem.FailureRow(
                    firstSeen: "2026-11-03T13:\(10 + k % 40):00.000Z", lastSeen: "2026-11-03T13:\(11 + k % 40):00.000Z",
                    node: "aks-apps-12345678-vmss00000\(k % 7)", namespace: k % 2 == 0 ? "kube-system" : text,
                    pod: k % 3 == 0 ? text : "kube-proxy-\(k)", category: "image_pull", reason: "Failed", count: 3,
                    verdict: "missed_round", missedRound: 1, missedRounds: "[1]", confidence: k % 5 == 0 ? "medium" : "high",
                    explanation: "because \(text)",
                    message: "Failed to pull image \"mcr.microsoft.com/oss/kube-proxy:\(text)\": dial tcp 1.2.3.4:443: i/o timeout \(text)")
            )
        }
        let nodes = (0..<7).map { k in
            Postmortem.MissedNode(
                node: "aks-apps-12345678-vmss00000\(k)", pool: corpus[k], vmss: nil, instanceID: k, resourceGroup: nil, failures: 3,
                firstFailure: "2026-11-03T13:1\(k):00.000Z", lastBootstrap: nil)
        }
        var p = Postmortem(
            cluster: "aks-prod", resourceID: nil, playbook: nil, windowStart: "2026-11-03T08:00:00.000Z",
            windowEnd: "2026-11-03T14:00:00.000Z",
            milestones: [
                .init(
                    round: 1, name: "artifact-cache", time: "2026-11-03T09:00:00.000Z", source: "detected", evidence: "w",
                    requiresReimage: true)
            ],
            failures: failures, missedNodes: [1: nodes], matrix: [], cohorts: [], missingEvidence: [], evidence: [], inputs: [],
            rejects: [], rejectCount: 0)
        p.waves = corpus.prefix(8).enumerated().map { k, pool in
            .init(round: 1, pool: pool, first: "2026-11-03T09:1\(k):00.000Z", last: "2026-11-03T09:2\(k):00.000Z", nodes: 3)
        }
        let text = MarkdownRenderer().render(p)
        #expect(text.contains("60 pods, by workload and what the error says"))
        #expect(text.contains("after round 1, 3 nodes :active"), "8 pools: one bar each")
        let file = Paths.temporaryDirectory().appendingPathComponent("hostile-grouped.md")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let (status, output) = try Self.check(file)
        #expect(status == 0, "\(output)")
        #expect(output.contains(" 1 mermaid blocks"), "\(output)")
    }

    /// The nightly's "since the last run" list: new pods (namespace/pod from logs) and the
    /// nodes that converged, with the hostile corpus, stay list items of plain text.
    @Test func hostileNamesInTheNightlyChangesStayText() throws {
        let corpus = HostileText.corpus(base: "kube-proxy-abcde", count: 20)
        var previous = Snapshot()
        previous.add("aks-prod", .cluster, ["aks-prod"])
        previous.add("aks-prod", .unconverged, corpus.map { "aks-apps-1-vmss-\($0)" })
        var current = Snapshot()
        current.add("aks-prod", .cluster, ["aks-prod"])
        current.add("aks-prod", .pod, corpus.map { "\($0)/kube-proxy-\($0)" })
        let change = Change(cluster: "aks-prod", previous: previous, current: current, firstRun: false)
        #expect(change.newPods.count == 20 && change.resolved.count == 20)
        let file = Paths.temporaryDirectory().appendingPathComponent("nightly-changes.md")
        try ("# Postmortem: network-isolation cutover of x\n\n" + change.markdown).write(to: file, atomically: true, encoding: .utf8)
        let (status, output) = try Self.check(file, headings: ["Since the last nightly run"])
        #expect(status == 0, "\(output)")
    }

    /// Pool names are text from logs: every one of the hostile corpus, as a wave's label, still
    /// gives a chart the real Mermaid draws with one bar each, labelled as written.
    @Test func hostileLabelsStayInsideTheirBars() throws {
        var chart = MermaidGantt()
        chart.maxWaveBars = .max
        // The corpus, and pool names AKS allows that are words of the gantt syntax.
        let keywords = ["section", "click", "title", "excludes", "includes", "dateformat", "todaymarker", "weekday"]
        for (k, text) in (HostileText.corpus(base: "apps", count: 60) + keywords).enumerated() {
            chart.add(
                .wave, "\(text) after round 1", round: 1, from: "2026-11-03T10:\(10 + k % 40):00Z", to: "2026-11-03T10:\(12 + k % 40):00Z")
        }
        chart.add(.milestone, "round 1 artifact-cache", round: 1, from: "2026-11-03T10:05:00Z")
        let source = try #require(chart.source())
        #expect(source.split(separator: "\n").count == 5 + 2 + 69, "one line per bar: no label broke a line\n\(source)")
        let file = Paths.temporaryDirectory().appendingPathComponent("hostile-gantt.md")
        try "# Postmortem: network-isolation cutover of x\n\n```mermaid\n\(source)\n```\n".write(
            to: file, atomically: true, encoding: .utf8)
        let (status, output) = try Self.check(file)
        #expect(status == 0, "\(output)")
    }
}
