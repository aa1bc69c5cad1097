/// The correlation stage: facts in, milestones, node histories and attributions out.
///
/// Pure: no I/O. `CorrelationStore` reads the facts from SQLite and writes the result back.
public struct Correlator {
    public var playbook: Playbook
    /// Milestone times given by the user (`--milestone N=TIME`); they win over detected ones.
    public var given: [Int: Timestamp]
    /// How many attributions a stream gets at a time.
    public var streamChunk = 8192

    public init(playbook: Playbook = .threeRounds, given: [Int: Timestamp] = [:]) {
        self.playbook = playbook
        self.given = given
    }

    public struct Result: Sendable {
        /// The name of the playbook the rounds came from.
        public var playbook: String
        public var milestones: [Milestone]
        public var nodes: [NodeHistory]
        public var attributions: [Attribution]
        /// Per node and round: when the node first bootstrapped after the milestone.
        public var nodeRounds: [NodeRound]
        /// Which kinds of evidence the inputs held.
        public var coverage: Coverage
        /// How many events (of the reasons correlation reads) and activity records it rested on.
        public var eventCount = 0
        public var activityCount = 0
        /// The resource group of each scale set the cluster's activity records name (keyed by the
        /// lower-case scale set name; the group as the first such record spells it), for the
        /// `az vmss reimage` commands.
        public var scaleSetGroups: [String: String] = [:]
        /// Whether `attributions` were handed to a stream as they were made (then in this order).
        public var streamed = false
    }

    /// Receives attributions in their final order, a run of them at a time, while the rest are
    /// still being made: the writer stores them meanwhile.
    public typealias Stream = (ArraySlice<Attribution>) -> Void

    public struct NodeRound: Sendable, Equatable {
        public enum Status: String, Sendable {
            case done, missed, gone
            case notRequired = "not_required"
            case unknown
        }

        public var node: String
        public var round: Int
        public var bootstrappedAt: Timestamp?
        public var status: Status
    }

    /// From how many failures on attribution is shared with a second thread.
    static let sharedAttribution = 10_000

    /// `stream`, when given, gets the attributions as they are made, when the failures come in
    /// their final order already (they do when read from a database: the facts are sorted by
    /// first sighting and id); else nothing is streamed and `Result.streamed` says so.
    public func correlate(_ facts: CorrelationFacts, stream: Stream? = nil) -> Result {
        let detector = MilestoneDetector(playbook: playbook)
        // The failures and what their texts say need no node history: worked out on a thread of
        // their own while this one builds the histories and finds the milestones.
        let classified = Pending { () -> (failures: [Failure], signals: ErrorSignal.Memo) in
            var signals = ErrorSignal.Memo()
            return (FailureClassifier().failures(facts.events, signals: &signals), signals)
        }
        let nodes = BootstrapFinder().histories(facts)
        let milestones = applyGiven(
            detector.inferMissing(detector.detect(facts.activity), activity: facts.activity, reimages: reimageTimes(facts, nodes)))
        let byName = Dictionary(uniqueKeysWithValues: nodes.map { ($0.name, $0) })
        let coverage = Coverage(facts)
        let known = Set(milestones.compactMap(\.time))
        let unexplained = detector.clusterWrites(facts.activity).filter { $0.values.isEmpty && !known.contains($0.succeededAt) }
            .map(\.succeededAt)
        let attributor = Attributor(
            milestones: milestones, coverage: coverage, wiring: WiringStep.find(facts.activity), unexplainedClusterWrites: unexplained)
        // Each failure is attributed on its own, so a large cluster's are split between this thread
        // and a second one (about a second of one core's work on 98,000 failures); each reads the
        // texts with its own copy of the classifier's memo, which has read nearly all of them.
        let (failures, signals) = classified.value
        let attribute = { @Sendable (range: Range<Int>) -> [Attribution] in
            var memo = signals
            return failures[range].map { f in
                attributor.attribute(f, node: f.node.flatMap { byName[$0] }, signal: memo.signal(of: f.detail ?? f.message))
            }
        }
        let inOrder = failures.indices.dropFirst().allSatisfy { i in
            (failures[i - 1].firstSeen, failures[i - 1].eventID) < (failures[i].firstSeen, failures[i].eventID)
        }
        var attributions: [Attribution] = []
        if let stream, inOrder {
            // Run by run on this thread, each handed on at once: the writer's thread stores one
            // while the next is made (writing is SQLite's work on one core, as long as this).
            attributions.reserveCapacity(failures.count)
            for start in stride(from: 0, to: failures.count, by: max(1, streamChunk)) {
                let run = attribute(start..<min(start + max(1, streamChunk), failures.count))
                stream(run[...])
                attributions += run
            }
        } else {
            let half = failures.count >= Self.sharedAttribution ? failures.count / 2 : failures.count
            let second = half < failures.count ? Pending { attribute(half..<failures.count) } : nil
            attributions = attribute(0..<half)
            if let second { attributions += second.value }
            // Sorted in place: `sorted` would copy every attribution first (a dozen references each).
            attributions.sort { ($0.failure.firstSeen, $0.failure.eventID) < ($1.failure.firstSeen, $1.failure.eventID) }
        }
        return Result(
            playbook: playbook.name, milestones: milestones, nodes: nodes, attributions: attributions,
            nodeRounds: nodeRounds(nodes, milestones), coverage: coverage, eventCount: facts.events.count,
            activityCount: facts.activity.count, scaleSetGroups: Self.scaleSetGroups(facts.activity),
            streamed: stream != nil && inOrder)
    }

    /// Scale set (lower case) → its resource group, from the first record (by record id) naming it.
    static func scaleSetGroups(_ activity: [ActivityFact]) -> [String: String] {
        ScaleSetInstance.firstResourceGroups(activity.sorted { $0.recordID < $1.recordID }.map { $0.resourceID ?? $0.resourceKey })
    }

    /// When reimages happened: reimage actions in the activity log (Started) and per-node
    /// reimage evidence from the events. Reboots and first appearances are not reimages.
    func reimageTimes(_ facts: CorrelationFacts, _ nodes: [NodeHistory]) -> [Timestamp] {
        var times = facts.activity.filter { a in
            a.status == "Started"
                && (a.operation.hasSuffix("/upgradenodeimageversion/action") || a.operation.hasSuffix("/reimage/action")
                    || a.operation.hasSuffix("/reimageall/action"))
        }.map(\.time)
        for node in nodes {
            times += node.bootstraps.filter { $0.strength == .perNode && $0.kind != .registeredNode }.map(\.time)
        }
        return times
    }

    func applyGiven(_ detected: [Milestone]) -> [Milestone] {
        detected.map { m in
            guard let t = given[m.round.number] else { return m }
            var evidence = "given with --milestone \(m.round.number)=\(t.description)"
            if m.source == .detected, let d = m.time { evidence += " (the logs show \(d.minuteText))" }
            return Milestone(round: m.round, time: t, startedAt: nil, source: .given, evidence: evidence, cluster: m.cluster)
        }
    }

    /// Whether each node bootstrapped after each milestone.
    func nodeRounds(_ nodes: [NodeHistory], _ milestones: [Milestone]) -> [NodeRound] {
        var result: [NodeRound] = []
        for node in nodes {
            for m in milestones {
                let number = m.round.number
                guard let t = m.time else {
                    result.append(NodeRound(node: node.name, round: number, bootstrappedAt: nil, status: .unknown))
                    continue
                }
                guard m.round.requiresReimage else {
                    result.append(NodeRound(node: node.name, round: number, bootstrappedAt: nil, status: .notRequired))
                    continue
                }
                if let removed = node.removedAt, removed <= t {
                    result.append(NodeRound(node: node.name, round: number, bootstrappedAt: nil, status: .gone))
                } else if let b = node.firstBootstrap(after: max(t, node.recreatedAt.map { $0.adding(seconds: -0.001) } ?? t)) {
                    // The node that carries the name now: a reused name's old node does not count.
                    result.append(NodeRound(node: node.name, round: number, bootstrappedAt: b.time, status: .done))
                } else {
                    result.append(NodeRound(node: node.name, round: number, bootstrappedAt: nil, status: .missed))
                }
            }
        }
        return result
    }
}
