/// Renders a `Postmortem` as markdown that reads well on GitHub and Azure DevOps (980 px):
/// header, summary, impact, root cause by round, node × round matrix, failures with other
/// causes, data gaps, remediation, and an appendix to reproduce it.
///
/// In: a `Postmortem`. Out: the document text. Everything that came from logs goes through
/// `MarkdownEscape`. Pods are counted first (kubelet reports one pull failure as up to four
/// event objects); long tables are cut at `maxRows` with the saved query that lists them all,
/// and a large cluster's matrix is shown per pool, so a fleet-sized incident stays readable.
public struct MarkdownRenderer {
    public var maxRows: Int
    /// A round's pods are listed one by one up to this many, else by workload and error.
    public var podsListed: Int

    public init(maxRows: Int = 40, podsListed: Int = 12) {
        self.maxRows = maxRows
        self.podsListed = podsListed
    }

    /// One pod's failures under one verdict: the unit the document counts. What every table
    /// reads of it is worked out once, when its rows are grouped: on a 98,000-failure incident the
    /// tables read 32,000 pods several times each, and working it out anew (the error text, the
    /// workload, the weakest confidence, the sum of counts) was most of the report's time.
    final class PodFailure: Sendable {
        let node: String?
        /// The node as a number, the same for equal names (as `Set<String>` takes them): what the
        /// tables count distinct nodes by (a set of 50,000 names hashed a table was a third of
        /// the document's time on 97,874 failures).
        let nodeKey: Int?
        let namespace: String?
        let pod: String?
        let verdict: String
        let missedRound: Int?
        let missedRounds: String?
        /// When its first event (in the report's order) was seen.
        let firstSeen: String
        /// What the error text says, and that in words with the image.
        let signal: ErrorSignal
        let reading: String
        /// `namespace/pod`, and the workload the pod belongs to.
        let name: String
        let workload: String
        let isAddon: Bool
        /// The message that states the cause (the pull or sandbox error, else the longest), and
        /// the image it was pulling.
        let message: String
        let image: String?
        /// The weakest confidence of its events, and the explanation of the first event at it.
        let confidence: String
        let why: String
        /// Its events' counts summed; the last time one was seen; its kinds of event in order.
        let count: Int
        let lastSeen: String
        let reasons: [String]
        let wiringIncomplete: Bool

        /// The pod of `rows[members]` (positions in order, at least one), read in place: a row
        /// copied is fifteen references counted.
        init(
            _ rows: [Postmortem.FailureRow], _ members: [Int], nodeKeys: inout [String: Int], readings: inout [String: Reading]
        ) {
            let head = members[0]
            node = rows[head].node
            nodeKey = node.map { name in
                if let known = nodeKeys[name] { return known }
                nodeKeys[name] = nodeKeys.count
                return nodeKeys.count - 1
            }
            namespace = rows[head].namespace
            pod = rows[head].pod
            verdict = rows[head].verdict
            missedRound = rows[head].missedRound
            missedRounds = rows[head].missedRounds
            firstSeen = rows[head].firstSeen
            var cause: Int?
            var longest = head
            var longestCount = -1
            var weakest = head
            var lastSeen = rows[head].firstSeen
            var count = 0
            var reasons: [String] = []
            var addon = false
            var wiring = false
            for i in members {
                if cause == nil {
                    if rows[i].message.hasPrefix("Failed to pull image") || rows[i].message.hasPrefix("Failed to create pod sandbox") {
                        cause = i
                    } else {
                        let n = Self.characters(rows[i].message)
                        if n > longestCount { (longest, longestCount) = (i, n) }
                    }
                }
                if Self.rank(rows[i].confidence) < Self.rank(rows[weakest].confidence) { weakest = i }
                lastSeen = max(lastSeen, rows[i].firstSeen, rows[i].lastSeen)
                count = MarkdownRenderer.add(count, rows[i].count)
                if !reasons.contains(rows[i].reason) { reasons.append(rows[i].reason) }
                addon = addon || rows[i].category == "addon"
                wiring = wiring || rows[i].wiringIncomplete
            }
            let message = rows[cause ?? longest].message
            self.message = message
            let known =
                readings[message]
                ?? {
                    let signal = ErrorSignal(message: message)
                    let image = Self.image(in: message)
                    let known = Reading(signal: signal, text: Self.reading(signal, message: message, image: image), image: image)
                    readings[message] = known
                    return known
                }()
            (signal, reading, image) = (known.signal, known.text, known.image)
            name = [namespace, pod].compactMap { $0 }.joined(separator: "/")
            workload = MarkdownRenderer.workload(pod ?? "")
            isAddon = namespace == "kube-system" || addon
            confidence = rows[weakest].confidence
            why = rows[weakest].explanation
            self.count = count
            self.lastSeen = lastSeen
            self.reasons = reasons
            wiringIncomplete = wiring
        }

        /// `text.count` (Characters), counted on the bytes when the text is ASCII without a CR (each
        /// byte then one Character; CR LF is one), as kubelet's messages are: no grapheme breaking
        /// of every failure's message.
        static func characters(_ text: String) -> Int {
            text.utf8.allSatisfy { $0 < 0x80 && $0 != 0x0D } ? text.utf8.count : text.count
        }

        /// What a message says, read once for every pod whose cause it states.
        struct Reading {
            var signal: ErrorSignal
            var text: String
            var image: String?
        }

        /// What the error-text reading found, in words, with the image it was pulling.
        static func reading(_ s: ErrorSignal, message: String, image: String?) -> String {
            var text = s.summary
            if s.kind == .other && s.host == .unknown {
                text =
                    ByteSearch.contains(message, "Back-off restarting failed container")
                    ? "container restarting (no pull error)" : "no known error text"
            }
            return text + (image.map { " (" + MarkdownEscape.code($0) + ")" } ?? "")
        }
        /// The image of a pull error (`Failed to pull image "…"`, `Back-off pulling image "…"`).
        static func image(in message: String) -> String? {
            // Kubelet's messages are ASCII: found on the bytes, where Foundation's search bridges to `NSString`.
            guard message.utf8.allSatisfy({ $0 < 0x80 }) else { return imageOfAnyText(in: message) }
            var text = message
            guard let at = text.withUTF8({ ByteSearch.firstOffset(of: "image \"", in: $0) }) else { return nil }
            let bytes = message.utf8
            let start = bytes.index(bytes.startIndex, offsetBy: at + 7)
            guard let end = bytes[start...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
            return imageName(message[start..<end])
        }

        static func imageOfAnyText(in message: String) -> String? {
            guard let start = message.range(of: "image \""), let end = message[start.upperBound...].firstIndex(of: "\"") else { return nil }
            return imageName(message[start.upperBound..<end])
        }

        private static func imageName(_ name: Substring) -> String? {
            name.isEmpty || name.count > 200 ? nil : String(name)
        }
        static func rank(_ confidence: String) -> Int {
            switch confidence {
            case "high": return 2
            case "medium": return 1
            default: return 0
            }
        }
    }

    /// Counts come from logs: a crafted one near Int.max must not trap the sum, which saturates.
    static func sum(_ counts: [Int]) -> Int { counts.reduce(0, add) }

    static func add(_ sum: Int, _ n: Int) -> Int {
        let (total, overflow) = sum.addingReportingOverflow(n)
        return overflow ? Int.max : total
    }

    /// Groups failure rows by pod and verdict, in the rows' order.
    static func pods(_ rows: [Postmortem.FailureRow]) -> [PodFailure] {
        struct Key: Hashable {
            var node: String?
            var namespace: String?
            var pod: String?
            var verdict: String
            var missed: String?
        }
        // Each pod's positions, in order of its first row; one lookup a row.
        var pods: [[Int]] = []
        var position: [Key: Int] = [:]
        position.reserveCapacity(rows.count / 2)
        for i in rows.indices {
            let key = Key(
                node: rows[i].node, namespace: rows[i].namespace, pod: rows[i].pod, verdict: rows[i].verdict, missed: rows[i].missedRounds)
            if let at = position[key] {
                pods[at].append(i)
            } else {
                position[key] = pods.count
                pods.append([i])
            }
        }
        var readings: [String: PodFailure.Reading] = [:]
        var nodeKeys: [String: Int] = [:]
        return pods.map { PodFailure(rows, $0, nodeKeys: &nodeKeys, readings: &readings) }
    }

    /// How many nodes the pods are on (`Set(pods.compactMap(\.node)).count`, by their keys).
    static func nodeCount<S: Sequence>(_ pods: S) -> Int where S.Element == PodFailure {
        Set(pods.lazy.compactMap(\.nodeKey)).count
    }

    /// The workload a pod belongs to: its name without the generated suffixes
    /// (`konnectivity-agent-7b9c5d8f6-vvbgl` → `konnectivity-agent`, `ama-logs-qztmp` → `ama-logs`).
    static func workload(_ pod: String) -> String {
        // Most names are ASCII: the same cuts on the bytes, without splitting the name into parts.
        guard pod.utf8.allSatisfy({ $0 < 0x80 }) else { return workloadOfAnyText(pod) }
        let bytes = pod.utf8
        func isLowerAlnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        /// Where the generated part ending at `end` begins (its "-"), if that part is one.
        func generated(endingAt end: String.Index, _ lengths: ClosedRange<Int>, digit: Bool) -> String.Index? {
            guard let dash = bytes[..<end].lastIndex(of: UInt8(ascii: "-")) else { return nil }
            let part = bytes[bytes.index(after: dash)..<end]
            guard lengths.contains(part.count), part.allSatisfy(isLowerAlnum) else { return nil }
            return !digit || part.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) ? dash : nil
        }
        guard let cut = generated(endingAt: bytes.endIndex, 5...5, digit: false) else { return pod }
        return String(pod[..<(generated(endingAt: cut, 8...10, digit: true) ?? cut)])
    }

    static func workloadOfAnyText(_ pod: String) -> String {
        var parts = pod.split(separator: "-", omittingEmptySubsequences: false)
        func generated(_ s: Substring, _ lengths: ClosedRange<Int>) -> Bool {
            lengths.contains(s.count) && s.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") }
        }
        if parts.count > 1, let last = parts.last, generated(last, 5...5) {
            parts.removeLast()
            if parts.count > 1, let hash = parts.last, generated(hash, 8...10), hash.contains(where: \.isNumber) { parts.removeLast() }
        }
        return parts.joined(separator: "-")
    }

    public func render(_ p: Postmortem) -> String {
        let pods = p.pods
        var out: [String] = []
        out += header(p)
        out += summary(p, pods)
        out += impact(p, pods)
        out += timeline(p, pods)
        out += milestones(p)
        for m in p.milestones where m.requiresReimage {
            out += rootCause(m, p, pods)
        }
        out += matrix(p)
        out += otherCauses(pods)
        out += gaps(p)
        out += remediation(p)
        out += appendix(p)
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: header and summary

    private func header(_ p: Postmortem) -> [String] {
        let clusterName = p.cluster.map { MarkdownEscape.code($0) } ?? "the cluster"
        var out = ["# Postmortem: network-isolation cutover of \(clusterName)", "", "| | |", "|---|---|"]
        out.append("| Cluster | \(clusterName)\(p.resourceID.map { " (\(MarkdownEscape.code($0)))" } ?? "") |")
        if let start = p.windowStart, let end = p.windowEnd {
            out.append("| Incident window | \(human(start)) – \(human(end)) UTC |")
        }
        out.append("| Status | draft: generated from the logs; review it, then add what the logs cannot know |")
        out.append("| Generated by | cutover \(CutoverVersion.current) from \(p.inputs.count) input file(s) (appendix) |")
        out.append("")
        return out
    }

    private func summary(_ p: Postmortem, _ pods: [PodFailure]) -> [String] {
        var out = ["## Summary", ""]
        guard !pods.isEmpty else {
            out.append("No image-pull or add-on failures were found in the logs.")
            out.append("")
            out += notes(p)
            return out
        }
        let nodes = Self.nodeCount(pods)
        let missed = pods.filter { $0.verdict == "missed_round" }
        let missedNodes = Self.nodeCount(missed)
        let first = pods.map(\.firstSeen).min() ?? ""
        let last = pods.map(\.lastSeen).max() ?? ""
        var text =
            "\(count(pods.count, "pod")) on \(count(nodes, "node")) failed to pull an image or run an add-on between "
            + "\(human(first)) and \(human(last)) UTC (\(count(p.failures.count, "failure event"))). "
        if missed.isEmpty {
            text += "None of them came from a node that missed a round."
        } else {
            text +=
                "\(missed.count) of those pods, on \(count(missedNodes, "node")), failed because their node had not "
                + "been reimaged since a milestone: a milestone only takes effect on a node after the node is reimaged."
            let byRound = Dictionary(grouping: missed, by: { $0.missedRound ?? 0 })
            if let worst = byRound.max(by: { ($0.value.count, -$0.key) < ($1.value.count, -$1.key) }),
                let m = p.milestones.first(where: { $0.round == worst.key })
            {
                let worstNodes = Self.nodeCount(worst.value)
                text += " Round \(m.round) (\(m.name)) hurt most: \(count(worst.value.count, "pod")) on \(count(worstNodes, "node"))."
            }
        }
        if !p.unconverged.isEmpty {
            text +=
                " \(count(p.unconverged.count, "node")) still \(p.unconverged.count == 1 ? "has" : "have") not bootstrapped since a milestone "
                + "that needs it: reimage \(p.unconverged.count == 1 ? "it" : "them") first (Remediation)."
        } else if !p.matrix.isEmpty {
            text += " Every node has bootstrapped since every milestone it needs."
        }
        out.append(text)
        out.append("")
        out += notes(p)
        return out
    }

    /// What limits the conclusions: missing evidence, milestones not found.
    private func notes(_ p: Postmortem) -> [String] {
        var out: [String] = []
        let unobserved = p.milestones.filter { $0.time == nil }
        if !unobserved.isEmpty {
            out.append(
                "Milestone(s) not found in the logs: "
                    + unobserved.map { "round \($0.round) (\($0.name))" }.joined(separator: ", ")
                    + ". Give them with `--milestone N=TIME` to attribute failures to them.")
            out.append("")
        }
        if !p.missingEvidence.isEmpty {
            out.append("Evidence the inputs lack, so conclusions resting on it are low or medium confidence: see Data gaps.")
            out.append("")
        }
        return out
    }

    // MARK: impact

    private func impact(_ p: Postmortem, _ pods: [PodFailure]) -> [String] {
        guard !pods.isEmpty else { return [] }
        var out = [
            "## Impact", "",
            "Pods that failed, by cause (a pod counts once per cause; the events are in `cutover query attributions`).", "",
            "| Cause | Pods | Nodes | Namespaces | Add-on pods | Failing (UTC) |", "|---|---|---|---|---|---|",
        ]
        var causes: [(String, [PodFailure])] = []
        for m in p.milestones where m.requiresReimage {
            let rows = pods.filter { $0.verdict == "missed_round" && $0.missedRound == m.round }
            if !rows.isEmpty { causes.append(("missed round \(m.round) (\(m.name))", rows)) }
        }
        for (verdict, rows) in Dictionary(grouping: pods.filter { $0.verdict != "missed_round" }, by: \.verdict).sorted(by: {
            $0.key < $1.key
        }) {
            causes.append((Self.verdictText[verdict] ?? verdict, rows))
        }
        for (cause, rows) in causes {
            let first = rows.map(\.firstSeen).min() ?? ""
            let last = rows.map(\.lastSeen).max() ?? ""
            out.append(
                "| \(cause) | \(rows.count) | \(Self.nodeCount(rows)) | \(Set(rows.compactMap(\.namespace)).count) | "
                    + "\(rows.filter(\.isAddon).count) | \(span((first, last))) |")
        }
        out.append("")
        let addons = Dictionary(grouping: pods.filter(\.isAddon), by: \.workload)
        if !addons.isEmpty {
            out += [
                "Add-ons degraded (kube-system workloads with a failing pod; from the first failure to the last one seen):", "",
                "| Add-on | Pods | Nodes | Degraded (UTC) | Longest |", "|---|---|---|---|---|",
            ]
            let sorted = addons.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }
            for (name, rows) in sorted.prefix(maxRows) {
                let first = rows.map(\.firstSeen).min() ?? ""
                let last = rows.map(\.lastSeen).max() ?? ""
                out.append(
                    "| \(MarkdownEscape.cell(name)) | \(rows.count) | \(Self.nodeCount(rows)) | \(span((first, last))) | "
                        + "\(duration(first, last)) |")
            }
            if sorted.count > maxRows { out += ["", "\(sorted.count - maxRows) more: `cutover query addon-failures`."] }
            out.append("")
        }
        return out
    }

    /// The key moments in order – milestones, reimage waves per pool, failure bursts per round –
    /// drawn as a Mermaid gantt chart, then listed in a table.
    private func timeline(_ p: Postmortem, _ pods: [PodFailure]) -> [String] {
        var moments: [(time: String, until: String?, what: String)] = []
        var chart = MermaidGantt()
        for m in p.milestones {
            guard let t = m.time else { continue }
            moments.append((t, nil, "round \(m.round) (\(m.name)) takes effect"))
            chart.add(.milestone, "round \(m.round) \(m.name)", round: m.round, from: t)
        }
        for w in p.waves {
            moments.append(
                (
                    w.first, w.last, "pool \(MarkdownEscape.inline(w.pool)): \(count(w.nodes, "node")) bootstrapped after round \(w.round)"
                ))
            chart.add(
                .wave, "pool \(w.pool) after round \(w.round), \(count(w.nodes, "node"))", round: w.round, nodes: w.nodes, from: w.first,
                to: w.last)
        }
        for m in p.milestones where m.requiresReimage {
            let rows = pods.filter { $0.verdict == "missed_round" && $0.missedRound == m.round }
            guard let first = rows.map(\.firstSeen).min(), let last = rows.map(\.lastSeen).max() else { continue }
            moments.append((first, last, "\(count(rows.count, "pod")) fail on nodes that missed round \(m.round)"))
            chart.add(.burst, "\(count(rows.count, "pod")) missed round \(m.round)", round: m.round, from: first, to: last)
        }
        guard !moments.isEmpty else { return [] }
        let sorted = moments.sorted { ($0.time, $0.what) < ($1.time, $1.what) }
        var out = ["## Timeline", ""]
        if let source = chart.source() { out += ["```mermaid", source, "```", ""] }
        out += ["| From (UTC) | To | What |", "|---|---|---|"]
        for moment in sorted.prefix(maxRows) {
            let until = moment.until.map { u in u.prefix(10) == moment.time.prefix(10) ? String(human(u).dropFirst(11)) : human(u) } ?? ""
            out.append("| \(human(moment.time)) | \(until) | \(moment.what) |")
        }
        if sorted.count > maxRows { out += ["", "\(sorted.count - maxRows) more: `cutover query timeline`."] }
        out.append("")
        return out
    }

    static let verdictText = [
        "converged": "node had every round: another cause", "pre_conversion": "before the cutover began",
        "unplaced": "on no known node", "no_cluster": "in no known cluster", "milestone_unknown": "a milestone is unknown",
    ]

    // MARK: milestones and root cause

    private func milestones(_ p: Postmortem) -> [String] {
        var out = ["## Milestones", ""]
        if let playbook = p.playbook {
            out += ["Playbook: \(MarkdownEscape.code(playbook)) (`--playbook` chooses which rounds need a reimage).", ""]
        }
        out += ["| Round | Name | Took effect (UTC) | Needs reimage | Source | Evidence |", "|---|---|---|---|---|---|"]
        for m in p.milestones {
            out.append(
                "| \(m.round) | \(m.name) | \(m.time.map(human) ?? "not observed") | \(m.requiresReimage ? "yes" : "no") | "
                    + "\(m.source) | \(MarkdownEscape.cell(m.evidence, limit: 200)) |")
        }
        out.append("")
        out += cohorts(p)
        return out
    }

    /// The counterfactual: how often nodes failed with and without each round.
    private func cohorts(_ p: Postmortem) -> [String] {
        let rows = p.cohorts.filter { $0.withRound + $0.withoutRound > 0 }
        guard !rows.isEmpty else { return [] }
        var out = [
            "Nodes that failed, among those that had each round and those that missed it, counted with the attribution of "
                + "the round sections below (the `round_cohorts` view): a node whose failures are blamed on the round missed it, "
                + "even if it was reimaged later; one that missed it but failed because of another round is left out; one that "
                + "had it is failing when it failed afterwards for a cause other than a missed round (the background rate). "
                + "A gap between the two backs the attributions.",
            "", "| Round | Had it: failing | Missed it: failing |", "|---|---|---|",
        ]
        func share(_ failing: Int, _ total: Int) -> String {
            total == 0 ? "–" : "\(failing) of \(total) (\(Int((Double(failing) / Double(total) * 100).rounded())) %)"
        }
        for c in rows {
            out.append("| \(c.round) \(c.name) | \(share(c.failingWith, c.withRound)) | \(share(c.failingWithout, c.withoutRound)) |")
        }
        out.append("")
        return out
    }

    private func rootCause(_ m: Postmortem.MilestoneRow, _ p: Postmortem, _ all: [PodFailure]) -> [String] {
        var out = ["## Root cause: round \(m.round) (\(m.name))", ""]
        let nodes = p.missedNodes[m.round] ?? []
        let pods = all.filter { $0.verdict == "missed_round" && $0.missedRound == m.round }
        guard let time = m.time else {
            out += ["The milestone was not observed, so no failure could be attributed to it.", ""]
            return out
        }
        out += ["**The milestone.** Took effect \(human(time)) UTC (\(m.source)): \(MarkdownEscape.inline(m.evidence)).", ""]
        guard !nodes.isEmpty else {
            out += ["No failure came from a node that missed this round.", ""]
            return out
        }
        out += [
            "**The nodes that missed it.** \(count(nodes.count, "node")) had not bootstrapped since the milestone when "
                + (nodes.count == 1 ? "its pods failed, so it still ran" : "their pods failed, so they still ran")
                + " the config from before it.",
            "", "| Node | Pool | Last bootstrap before it (UTC) | Pods failed | First failure (UTC) |", "|---|---|---|---|---|",
        ]
        // Pods counted for the nodes listed only (a round of 50,000 pods lists a dozen nodes).
        let listed = Set(nodes.prefix(maxRows).map(\.node))
        var podsOnNode: [String: Set<String>] = [:]
        for pod in pods { if let node = pod.node, listed.contains(node) { podsOnNode[node, default: []].insert(pod.name) } }
        for n in nodes.prefix(maxRows) {
            let podCount = podsOnNode[n.node]?.count ?? 0
            out.append(
                "| \(MarkdownEscape.code(n.node)) | \(MarkdownEscape.cell(n.pool)) | \(n.lastBootstrap.map(human) ?? "none seen") | "
                    + "\(podCount) | \(clock(n.firstFailure, sameDayAs: time)) |")
        }
        if nodes.count > maxRows { out += ["", "\(nodes.count - maxRows) more: `cutover query nodes-that-missed-a-round`."] }
        out += [
            "",
            "**The pods that failed.** What the error says is cutover's reading of the message (`pulls-by-registry-and-error`); "
                + "times without a date are on the milestone's day.", "",
        ]
        if pods.count > podsListed {
            out += podsByWorkload(pods, sameDayAs: time)
        } else {
            out += ["| First seen (UTC) | Pod, on node | What the error says | Events | Confidence |", "|---|---|---|---|---|"]
            for pod in pods {
                out.append(
                    "| \(clock(pod.firstSeen, sameDayAs: time)) | \(MarkdownEscape.cell(pod.name)), on "
                        + "\(pod.node.map(MarkdownEscape.code) ?? "no known node") | \(pod.reading) | \(events(pod)) | \(pod.confidence) |")
            }
        }
        out.append("")
        let doubtful = pods.filter { $0.confidence != "high" }
        if !doubtful.isEmpty {
            out += ["Why some are not high confidence:", ""]
            var seen = Set<String>()
            for pod in doubtful {
                let why = pod.why
                guard seen.insert(why).inserted, seen.count <= 5 else { continue }
                out.append(
                    "- \(MarkdownEscape.blockStart(MarkdownEscape.cell(pod.name))) (\(pod.confidence)): \(MarkdownEscape.cell(why, limit: 400))"
                )
            }
            out.append("")
        }
        return out
    }

    /// Many pods: one row per workload and error reading (the same add-on failing the same way on
    /// many nodes is one fact), largest first; every pod is in `cutover query attributions`.
    private func podsByWorkload(_ pods: [PodFailure], sameDayAs time: String) -> [String] {
        struct Key: Hashable {
            var workload: String
            var reading: String
        }
        let groups = Dictionary(grouping: pods) { Key(workload: $0.workload, reading: $0.reading) }
        let sorted = groups.sorted { ($0.value.count, $1.key.workload, $1.key.reading) > ($1.value.count, $0.key.workload, $0.key.reading) }
        var out = [
            "\(count(pods.count, "pod")), by workload and what the error says (each pod: `cutover query attributions`):", "",
            "| Workload | What the error says | Pods | Nodes | Failing (UTC) | Confidence |", "|---|---|---|---|---|---|",
        ]
        for (key, rows) in sorted.prefix(maxRows) {
            let first = rows.map(\.firstSeen).min() ?? ""
            let last = rows.map(\.lastSeen).max() ?? ""
            let confidences = ["high", "medium", "low"].compactMap { c in
                let n = rows.filter { $0.confidence == c }.count
                return n == 0 ? nil : rows.count == n ? c : "\(n) \(c)"
            }
            out.append(
                "| \(MarkdownEscape.cell(key.workload)) | \(key.reading) | \(rows.count) | \(Self.nodeCount(rows)) | "
                    + "\(clock(first, sameDayAs: time))–\(clock(last, sameDayAs: time)) | \(confidences.joined(separator: ", ")) |")
        }
        if sorted.count > maxRows { out += ["", "\(sorted.count - maxRows) more groups: `cutover query attributions`."] }
        return out
    }

    /// `Failed, BackOff ×70`: the kinds of event objects and how many times they were seen.
    private func events(_ pod: PodFailure) -> String {
        "\(MarkdownEscape.cell(pod.reasons.joined(separator: ", "))) ×\(pod.count)"
    }

    // MARK: matrix

    private func matrix(_ p: Postmortem) -> [String] {
        guard !p.matrix.isEmpty else { return [] }
        var out = [
            "## Nodes and rounds", "",
            "✓ bootstrapped after the milestone (at the time given, UTC), ✗ missed it, – not needed or the node was gone, ? unknown.", "",
        ]
        let header = "| Node | " + p.milestones.map { "Round \($0.round)" }.joined(separator: " | ") + " |"
        let rule = "|---|" + String(repeating: "---|", count: p.milestones.count)
        func cell(_ c: String) -> String {
            if c.hasPrefix("done ") { return "✓ " + c.dropFirst(5) }
            return ["**MISSED**": "✗", "gone": "– gone", "n/a": "–"][c] ?? "?"
        }
        func row(_ r: Postmortem.NodeMatrixRow) -> String {
            let removed = r.removedAt.map { " (removed \(String(human($0).dropFirst(11).prefix(5))))" } ?? ""
            return "| \(MarkdownEscape.code(r.node))\(removed) | " + r.cells.map(cell).joined(separator: " | ") + " |"
        }
        guard p.matrix.count > maxRows else {
            return out + [header, rule] + p.matrix.map(row) + [""]
        }
        // Large: per pool, then only the nodes that missed something.
        let pool = { (node: String) in NodeName(node)?.pool ?? "other" }
        out += ["Per pool (nodes ✓ / ✗ per round):", ""]
        out.append("| Pool | Nodes | " + p.milestones.map { "Round \($0.round)" }.joined(separator: " | ") + " |")
        out.append("|---|---|" + String(repeating: "---|", count: p.milestones.count))
        for (name, rows) in Dictionary(grouping: p.matrix, by: { pool($0.node) }).sorted(by: { $0.key < $1.key }) {
            let cells = p.milestones.indices.map { i in
                let done = rows.filter { $0.cells[i].hasPrefix("done") }.count
                let missed = rows.filter { $0.cells[i] == "**MISSED**" }.count
                return "\(done) ✓ / \(missed) ✗"
            }
            out.append("| \(MarkdownEscape.cell(name)) | \(rows.count) | " + cells.joined(separator: " | ") + " |")
        }
        let behind = p.matrix.filter { $0.cells.contains("**MISSED**") }
        out += ["", "Nodes that missed a round (\(behind.count)):", "", header, rule]
        out += behind.prefix(maxRows).map(row)
        if behind.count > maxRows { out += ["", "\(behind.count - maxRows) more: `cutover query node-rounds`."] }
        out.append("")
        return out
    }

    // MARK: other causes

    private func otherCauses(_ pods: [PodFailure]) -> [String] {
        let rows = pods.filter { $0.verdict != "missed_round" }
        var out = ["## Failures not caused by a missed round", ""]
        guard !rows.isEmpty else { return out + ["None.", ""] }
        out += [
            "Grouped by cause: the verdict, then what the error says. Look for another cause here (a bad tag, a rate limit, "
                + "wiring that was incomplete, an add-on that needs egress).", "",
            "| Cause | What the error says | Pods | Nodes | Events | First seen (UTC) | Example |", "|---|---|---|---|---|---|---|",
        ]
        let groups = Dictionary(grouping: rows) { pod -> String in
            return (pod.wiringIncomplete ? "wiring incomplete" : Self.verdictText[pod.verdict] ?? pod.verdict) + "\u{0}" + pod.reading
        }
        let sorted = groups.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }
        for (key, members) in sorted.prefix(maxRows) {
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            let first = members.map(\.firstSeen).min() ?? ""
            let events = Self.sum(members.map(\.count))
            out.append(
                "| \(parts[0]) | \(parts.count > 1 ? parts[1] : "") | \(members.count) | \(Self.nodeCount(members)) | "
                    + "\(events) | \(human(first)) | \(MarkdownEscape.cell(members[0].name)) |")
        }
        if sorted.count > maxRows { out += ["", "\(sorted.count - maxRows) more: `cutover query attributions`."] }
        out.append("")
        return out
    }

    // MARK: data gaps

    /// The export that brings each kind of evidence (docs/EXPORTING.md has them all).
    static let recipes = [
        "Normal Kubernetes events (Scheduled, RegisteredNode)":
            "`kubectl get events -A -o json > events.json` while the events last (one hour by default), or an event exporter",
        "AKS upgrader events (node-image upgrades)":
            "the same events, kept by an event exporter or Container Insights (`KubeEvents`) across the upgrade",
        "Cluster activity log (managedClusters/write)":
            "`az monitor activity-log list --resource-id <cluster id> --start-time … --end-time … > activity.json`",
        "Node resource group activity log (Compute reimage/restart)":
            "`az monitor activity-log list --resource-group <MC_ group> --start-time … --end-time … > mc-activity.json`",
    ]

    private func gaps(_ p: Postmortem) -> [String] {
        var out = ["## Data gaps and questions", ""]
        let inferred = p.milestones.filter { $0.source == "inferred" || $0.time == nil }
        if p.missingEvidence.isEmpty && inferred.isEmpty && p.rejectCount == 0 {
            return out + ["None found: every kind of evidence cutover reads was in the inputs.", ""]
        }
        for m in p.missingEvidence {
            let recipe = Self.recipes[m.source].map { " Export: \($0)." } ?? ""
            out.append("- Missing: \(MarkdownEscape.inline(m.source)) – \(MarkdownEscape.inline(m.cost)).\(recipe)")
        }
        for m in inferred {
            out.append(
                "- Round \(m.round) (\(m.name)): "
                    + (m.time == nil
                        ? "not found in the logs. When did it take effect? Give it with `--milestone \(m.round)=TIME`."
                        : "inferred, not seen (\(MarkdownEscape.inline(m.evidence))). Confirm it from the cluster's activity log."))
        }
        if p.rejectCount > 0 {
            out.append("- \(count(p.rejectCount, "record")) could not be read (appendix; `cutover query rejects`).")
        }
        out += ["", "docs/EXPORTING.md shows how to export every input cutover reads for a cluster and a time window.", ""]
        return out
    }

    // MARK: remediation

    private func remediation(_ p: Postmortem) -> [String] {
        var out = ["## Remediation and action items", ""]
        if p.unconverged.isEmpty {
            out += ["No node is left to reimage."]
        } else {
            out += [
                "\(count(p.unconverged.count, "node")) still need a reimage so that bootstrap rewrites their config. One command per "
                    + "scale set, or a node-image upgrade of the pool when most of it is behind:", "", "```sh",
            ]
            let plan = p.remediation
            for step in plan.steps {
                if let pool = step.pool {
                    out.append(
                        "# pool \(AzureCommand.isPoolName(pool) ? pool : "?"): \(step.nodes.count) of \(step.poolSize ?? 0) nodes behind")
                }
                out.append(step.command)
            }
            let noCommand = plan.withoutCommand
            out.append("```")
            if !noCommand.isEmpty {
                out += [
                    "",
                    "No command for \(count(noCommand.count, "node")) whose scale set is not known: "
                        + noCommand.prefix(10).map(MarkdownEscape.code).joined(separator: ", ") + (noCommand.count > 10 ? ", …" : "") + ".",
                ]
            }
        }
        out += [
            "", "- [ ] Reimage the nodes above (or upgrade their pools), then run `cutover status` again until it exits 0.",
            "- [ ] Do not take the next step of the cutover (remove egress) while `cutover status` exits 3 or 4.",
            "- [ ] Fix the causes under \"Failures not caused by a missed round\".",
            "- [ ] Close the data gaps, then run `cutover run` again on the new inputs.",
            "- [ ] Add what the logs cannot know: who decided what, when it was noticed, what users saw.", "",
        ]
        return out
    }

    // MARK: appendix

    private func appendix(_ p: Postmortem) -> [String] {
        var out = ["## Appendix: reproduce it", ""]
        out.append(
            "- cutover \(CutoverVersion.current); playbook \(MarkdownEscape.code(p.correlation?.playbook ?? p.playbook ?? "three-rounds"))"
                + (p.correlation.map { ["", "[]", "{}"].contains($0.given) ? "" : ", milestones given: \(MarkdownEscape.code($0.given))" }
                    ?? "")
                + ".")
        // The same ingest run again adds nothing the reader needs.
        let ingests = p.ingests.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for ingest in ingests.prefix(10) { out.append("- ingested: \(MarkdownEscape.code("cutover ingest " + ingest))") }
        if ingests.count > 10 { out.append("- and \(ingests.count - 10) more ingests (`cutover query \"SELECT * FROM meta\"`)") }
        out.append("- results fingerprint (SHA-256 of this cluster's milestones, node rounds and attributions): `\(p.fingerprint)`")
        out += [
            "- the tables come from these saved queries: impact `impact-by-workload`, `addon-failures`; root cause "
                + "`nodes-that-missed-a-round`, `attributions`, `uncertain-attributions`; matrix `node-rounds`, `pool-summary`; "
                + "remediation `remediation-by-scale-set`; gaps `coverage`, `evidence-gaps-per-node`; inputs `inputs`, `rejects`.",
            "", "### Inputs", "",
            "| File | Status | Covers (UTC) | Records | Duplicates | Rejects | SHA-256 |", "|---|---|---|---|---|---|---|",
        ]
        for i in p.inputs {
            var covers = ""
            if let first = i.firstTime, let last = i.lastTime { covers = span((first, last)) }
            out.append(
                "| \(MarkdownEscape.cell(i.name)) | \(i.status) | \(covers) | \(i.kubeEvents + i.activityRecords) | \(i.duplicates) | "
                    + "\(i.rejects) | \(i.sha256.map { "`\($0)`" } ?? "–") |")
        }
        out.append("")
        if p.evidence.contains(where: { $0.windows != nil }) {
            out += [
                "What the inputs can show, and when (a reimage outside these windows would not show; a missed round "
                    + "resting on such a gap is marked low confidence):",
                "", "| Evidence | Covers (UTC) |", "|---|---|",
            ]
            for e in p.evidence where e.windows != nil {
                let windows = (e.windows ?? "").split(separator: ",").compactMap { w -> String? in
                    let ends = w.trimmingCharacters(in: .whitespaces).split(separator: "/").map(String.init)
                    return ends.count == 2 ? span((ends[0], ends[1])) : nil
                }
                let cell = !e.present ? "absent" : windows.isEmpty ? "present" : windows.joined(separator: ", ")
                out.append("| \(MarkdownEscape.cell(e.source)) | \(cell) |")
            }
            out.append("")
        }
        if p.rejectCount > 0 {
            out.append(
                "\(count(p.rejectCount, "record")) could not be read; they are kept in the `rejects` table "
                    + "(`cutover query rejects`, `cutover show reject:ID`). The first ones:")
            out.append("")
            for r in p.rejects {
                out.append("- \(MarkdownEscape.blockStart(MarkdownEscape.cell(r.file))) line \(r.line): \(MarkdownEscape.cell(r.reason))")
            }
            out.append("")
        }
        return out
    }

    // MARK: formatting

    private func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// `2026-11-03 08:00–14:29`, or both dates when the span crosses midnight.
    private func span(_ ends: (String, String)) -> String {
        let (a, b) = (human(ends.0), human(ends.1))
        guard a.count >= 16, b.count >= 16 else { return "\(a)–\(b)" }
        let sameDay = a.prefix(10) == b.prefix(10)
        return "\(a.prefix(16))–\(sameDay ? b.dropFirst(11).prefix(5) : b.prefix(16))"
    }

    /// `1 h 25 min` between two stored times.
    private func duration(_ a: String, _ b: String) -> String {
        guard let x = try? Timestamp.parse(a), let y = try? Timestamp.parse(b) else { return "–" }
        let minutes = Int((y.millis - x.millis) / 60_000)
        if minutes < 1 { return "under a minute" }
        return minutes >= 60 ? "\(minutes / 60) h \(minutes % 60) min" : "\(minutes) min"
    }

    /// `10:03:12` on the day of `reference` (the milestone a section is about), else the date too:
    /// narrow time columns keep tables inside 980 px.
    private func clock(_ stored: String, sameDayAs reference: String) -> String {
        let full = human(stored)
        return stored.prefix(10) == reference.prefix(10) && full.count >= 19 ? String(full.dropFirst(11)) : full
    }

    /// `2026-11-03T10:03:12.000Z` → `2026-11-03 10:03:12`.
    private func human(_ stored: String) -> String {
        guard stored.count >= 19 else { return stored }
        return String(stored.prefix(10)) + " " + String(stored.dropFirst(11).prefix(8))
    }
}
