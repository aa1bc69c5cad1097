import Foundation

/// Attributes each failure to the round its node missed (docs/DOMAIN.md §8, the contract).
///
/// For a failure on node N first seen at t: the active rounds are the milestones at or
/// before t; B is N's latest bootstrap at or before t (its first appearance if nothing
/// earlier is known); the missed rounds are the active rounds, among those that need a
/// reimage, that took effect after B. The error text then corroborates or weakens it.
public struct Attributor: Sendable {
    public let milestones: [Milestone]
    /// The active rounds from each milestone time on, in round order: looked up per failure
    /// (filtering the milestones per failure copied each one it kept: 7 % of attribution's time).
    let epochs: [(from: Timestamp, active: [Milestone])]

    public var coverage: Coverage
    public var wiring: [WiringStep]
    /// When succeeded cluster writes that show no round and are no milestone took effect: a
    /// round without a known time may be one of them.
    public var unexplainedClusterWrites: [Timestamp]

    public init(
        milestones: [Milestone], coverage: Coverage = Coverage(sources: []), wiring: [WiringStep] = [],
        unexplainedClusterWrites: [Timestamp] = []
    ) {
        self.milestones = milestones
        epochs = Set(milestones.compactMap(\.time)).sorted().map { from in
            (from, milestones.filter { m in m.time.map { $0 <= from } ?? false }.sorted { $0.round.number < $1.round.number })
        }
        self.coverage = coverage
        self.wiring = wiring
        self.unexplainedClusterWrites = unexplainedClusterWrites
    }

    /// `signal`: what the failure's text (its detail, else its message) says, when the caller
    /// read it already.
    public func attribute(_ failure: Failure, node: NodeHistory?, signal known: ErrorSignal? = nil) -> Attribution {
        guard let nodeName = failure.node, let node else {
            return Attribution(
                failure: failure, verdict: .unplaced, missedRound: nil, missedRounds: [], confidence: .low,
                explanation: "No node is known for this failure: the event has no reporting host and the pod has no Scheduled event.",
                basis: nil)
        }
        let t = failure.firstSeen
        let active = activeRounds(at: t)
        let signal = known ?? ErrorSignal(message: failure.detail ?? failure.message)
        guard !active.isEmpty else {
            // "Before the cutover" needs proof: a known first round after t. A round whose time
            // is unknown may have taken effect before t, so then the answer is unknown.
            let unknown = unknownRounds(before: t)
            guard unknown.isEmpty else {
                return Attribution(
                    failure: failure, verdict: .milestoneUnknown, missedRound: nil, missedRounds: [], confidence: .low,
                    explanation: "When round(s) \(list(unknown.map(\.round.number))) took effect is not known (not detected in the "
                        + "activity log, not given with --milestone), so whether this failure at \(t.minuteText) came before the "
                        + "cutover or from a missed round cannot be told. Give the time with --milestone N=TIME.",
                    basis: nil)
            }
            return Attribution(
                failure: failure, verdict: .preConversion, missedRound: nil, missedRounds: [], confidence: .high,
                explanation: "Began at \(t.minuteText), before any round took effect: the cutover did not cause it.", basis: nil)
        }
        let basis = node.latestBootstrap(atOrBefore: t)
        let bootTime = basis?.time ?? node.firstSeen
        let missed = missedRounds(active: active, lastBootstrap: bootTime)
        let basisText = describe(basis, node: nodeName)
        if missed.isEmpty {
            var confidence = Self.confidence(of: basis)
            var text =
                "\(nodeName) \(basisText), after every active round (\(list(active.map(\.round.number)))): "
                + "the node had the current config, so the failure has another cause (\(signal.summary))."
            if overlaps(basis) {
                confidence = .low
                text += " The bootstrap overlapped a milestone's operation, so the order is uncertain."
            }
            lowerForMissingEvidence(basis, &confidence, &text)
            let unknown = unknownRounds(before: t).filter(\.round.requiresReimage)
            if !unknown.isEmpty {
                confidence = .low
                text +=
                    " When round(s) \(list(unknown.map(\.round.number))) took effect is not known, so whether the node missed "
                    + "\(unknown.count == 1 ? "it" : "them") cannot be told."
            }
            let late = lateWiring(before: t, signal: signal)
            if let late {
                text +=
                    " Wiring incomplete: \(late.summary) succeeded only at \(late.time.minuteText), after round 2 took "
                    + "effect and after this failure began; the error fits the missing piece, not a missed round."
            }
            return Attribution(
                failure: failure, verdict: .converged, missedRound: nil, missedRounds: [],
                confidence: confidence, explanation: text, basis: basis, wiringIncomplete: late != nil)
        }
        let earliest = missed[0]
        var confidence = Self.confidence(of: basis)
        var text =
            "\(nodeName) \(basisText), before round \(earliest.round.number) (\(earliest.round.name)) took effect at "
            + "\(earliest.time?.minuteText ?? "?")"
        if missed.count > 1 { text += "; it also missed round(s) \(list(missed.dropFirst().map(\.round.number)))" }
        text += "."
        if earliest.source == .inferred {
            // docs/DOMAIN.md §8: an inferred milestone makes the attribution medium at best.
            confidence = min(confidence, .medium)
            text += " That milestone's time is inferred from the order of events (no body showed the change)."
        }
        if signal.pointsToUnrelatedCause {
            confidence = .low
            text += " But the error (\(signal.summary)) points to an unrelated cause."
        } else if missed.contains(where: { signal.fits(round: $0.round.number) }) {
            text += " The error (\(signal.summary)) fits that."
        }
        if overlaps(basis) {
            confidence = .low
            text += " The bootstrap overlapped a milestone's operation, so the order is uncertain."
        }
        lowerForMissingEvidence(basis, &confidence, &text)
        let blind = coverage.blindSpots(from: earliest.time ?? t, to: t)
        if !blind.isEmpty {
            confidence = .low
            text +=
                " No input that could show a reimage (Normal events, the node resource group's activity log) covers "
                + blind.map { "\($0.from.minuteText)–\($0.to.minuteText)" }.joined(separator: ", ")
                + ": a reimage of this node then would not show."
        }
        return Attribution(
            failure: failure, verdict: .missedRound, missedRound: earliest.round.number,
            missedRounds: missed.map(\.round.number), confidence: confidence, explanation: text, basis: basis)
    }

    /// How far the bootstrap the decision rests on can be trusted: per-node evidence is high,
    /// a first appearance medium, a scale-set action that may not have reached the node low.
    static func confidence(of basis: Bootstrap?) -> Attribution.Confidence {
        switch basis?.strength {
        case .perNode: return .high
        case .weak: return .low
        default: return .medium
        }
    }

    /// A wiring step of round 2 that succeeded after the registry switch and after `t`, when
    /// the error is a registry one: the piece was still missing when the failure began.
    func lateWiring(before t: Timestamp, signal: ErrorSignal) -> WiringStep? {
        guard let switched = milestones.first(where: { $0.round.number == 2 })?.time, t >= switched, signal.fits(round: 2)
        else { return nil }
        return wiring.first { $0.time > switched && $0.time.millis > t.millis - 60_000 }
    }

    /// With Warnings-only events a first appearance is usually the node's first failure, not
    /// its creation: a decision resting on it is low confidence, and says why.
    func lowerForMissingEvidence(_ basis: Bootstrap?, _ confidence: inout Attribution.Confidence, _ text: inout String) {
        guard basis == nil || basis?.kind == .firstSeen else { return }
        if coverage.warningsOnly {
            confidence = .low
            text += " The events are Warnings-only, so when this node was created or last reimaged is not in them."
        } else if !coverage.registrations {
            confidence = .low
            text +=
                " The events hold no Scheduled or RegisteredNode events (the export filtered them out), so when this node "
                + "was created or last reimaged is not in them."
        }
    }

    /// Rounds without a known time that may have taken effect before `t`: no earlier round
    /// (rounds come in order) is known to have taken effect after `t`, and the cluster's activity
    /// log either does not cover `t` or holds a cluster write before `t` that no round explains.
    func unknownRounds(before t: Timestamp) -> [Milestone] {
        guard unexplainedClusterWrites.contains(where: { $0 <= t }) || !coverage.clusterActivityCovers(t) else { return [] }
        let sorted = milestones.sorted { $0.round.number < $1.round.number }
        return sorted.enumerated().filter { i, m in
            m.time == nil && !sorted[..<i].contains { ($0.time.map { $0 > t }) ?? false }
        }.map(\.element)
    }

    /// Milestones in effect at `t`, in round order.
    func activeRounds(at t: Timestamp) -> [Milestone] {
        // The last epoch begun at or before t (a playbook has a handful).
        var i = epochs.count
        while i > 0 && epochs[i - 1].from > t { i -= 1 }
        return i == 0 ? [] : epochs[i - 1].active
    }

    /// The active rounds a node whose last bootstrap was at `lastBootstrap` did not get.
    func missedRounds(active: [Milestone], lastBootstrap: Timestamp) -> [Milestone] {
        active.filter { m in m.round.requiresReimage && (m.time.map { $0 > lastBootstrap } ?? false) }
    }

    /// A bootstrap that happened while a milestone's operation was still running.
    func overlaps(_ basis: Bootstrap?) -> Bool {
        guard let basis else { return false }
        return milestones.contains { m in
            guard let start = m.startedAt, let end = m.time else { return false }
            return basis.time >= start && basis.time <= end
        }
    }

    private func describe(_ basis: Bootstrap?, node: String) -> String {
        guard let basis else { return "has no known bootstrap" }
        switch basis.kind {
        case .firstSeen: return "was first seen at \(basis.time.minuteText) and shows no reimage since"
        // The kind in words, on its bytes (ASCII): describing the bootstrap, with the kind mapped
        // Character by Character, was a third of attribution's samples on 98,000 failures.
        default:
            let words = String(decoding: basis.kind.rawValue.utf8.map { $0 == 0x5F ? 0x20 : $0 }, as: UTF8.self)
            return "last bootstrapped at \(basis.time.minuteText) (\(words))"
        }
    }

    private func list(_ numbers: [Int]) -> String { numbers.map(String.init).joined(separator: ", ") }
}
