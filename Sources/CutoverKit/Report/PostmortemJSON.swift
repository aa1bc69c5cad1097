import Foundation

/// The postmortem as structured JSON (`report --format json`), for chat ops and dashboards:
/// the same facts as the markdown, as typed values, not formatted text. Schema
/// `cutover.postmortem/1`, documented field by field in docs/POSTMORTEM-JSON.md (a test holds
/// the two together). Times are the stored UTC text; text from logs is as the logs had it (the
/// consumer escapes it for its own medium).
public struct PostmortemJSON: Codable, Sendable, Equatable {
    public struct Window: Codable, Sendable, Equatable {
        public var start: String?
        public var end: String?
    }

    public struct Summary: Codable, Sendable, Equatable {
        public var pods: Int
        public var nodes: Int
        public var failureEvents: Int
        public var missedRoundPods: Int
        public var missedRoundNodes: Int
        public var unconvergedNodes: Int
    }

    public struct Milestone: Codable, Sendable, Equatable {
        public var round: Int
        public var name: String
        public var effectiveTime: String?
        public var source: String
        public var evidence: String
        public var requiresReimage: Bool
    }

    public struct Node: Codable, Sendable, Equatable {
        public var node: String
        public var pool: String?
        public var lastBootstrap: String?
        public var firstFailure: String
        public var pods: Int
    }

    public struct Pod: Codable, Sendable, Equatable {
        public var namespace: String?
        public var pod: String?
        public var node: String?
        public var verdict: String
        public var missedRound: Int?
        public var firstSeen: String
        public var lastSeen: String
        public var errorKind: String
        public var registryHost: String
        public var image: String?
        public var reasons: [String]
        public var count: Int
        public var confidence: String
        public var explanation: String
        public var wiringIncomplete: Bool
    }

    public struct Round: Codable, Sendable, Equatable {
        public var round: Int
        public var name: String
        public var nodes: [Node]
        public var pods: [Pod]
    }

    public struct Unconverged: Codable, Sendable, Equatable {
        public var node: String
        public var pool: String?
        public var vmss: String?
        public var instanceId: Int?
        public var missedRounds: [Int]
    }

    public struct Step: Codable, Sendable, Equatable {
        public var command: String
        public var nodes: [String]
        public var pool: String?
    }

    public struct Gap: Codable, Sendable, Equatable {
        public var evidence: String
        public var cost: String
    }

    public struct Input: Codable, Sendable, Equatable {
        public var file: String
        public var status: String
        public var records: Int
        public var duplicates: Int
        public var rejects: Int
        public var firstTime: String?
        public var lastTime: String?
        public var sha256: String?
    }

    public var schema = "cutover.postmortem/1"
    public var generatedBy: String
    public var cluster: String?
    public var resourceId: String?
    public var window: Window
    public var playbook: String?
    public var summary: Summary
    public var milestones: [Milestone]
    public var rounds: [Round]
    /// Pods whose failures no missed round explains.
    public var otherPods: [Pod]
    public var unconverged: [Unconverged]
    public var remediation: [Step]
    public var dataGaps: [Gap]
    public var inputs: [Input]
    public var rejects: Int
    public var fingerprint: String

    public init(_ p: Postmortem) {
        let pods = p.pods
        func pod(_ f: MarkdownRenderer.PodFailure) -> Pod {
            let signal = f.signal
            return Pod(
                namespace: f.namespace, pod: f.pod, node: f.node, verdict: f.verdict, missedRound: f.missedRound,
                firstSeen: f.firstSeen, lastSeen: f.lastSeen, errorKind: signal.kind.rawValue, registryHost: signal.host.rawValue,
                image: f.image, reasons: f.reasons, count: f.count, confidence: f.confidence, explanation: f.why,
                wiringIncomplete: f.wiringIncomplete)
        }
        let missed = pods.filter { $0.verdict == "missed_round" }
        generatedBy = "cutover " + CutoverVersion.current
        cluster = p.cluster
        resourceId = p.resourceID
        window = Window(start: p.windowStart, end: p.windowEnd)
        playbook = p.playbook
        summary = Summary(
            pods: pods.count, nodes: MarkdownRenderer.nodeCount(pods), failureEvents: p.failures.count,
            missedRoundPods: missed.count, missedRoundNodes: MarkdownRenderer.nodeCount(missed),
            unconvergedNodes: p.unconverged.count)
        milestones = p.milestones.map {
            Milestone(
                round: $0.round, name: $0.name, effectiveTime: $0.time, source: $0.source, evidence: $0.evidence,
                requiresReimage: $0.requiresReimage)
        }
        rounds = p.milestones.filter(\.requiresReimage).map { m in
            let roundPods = missed.filter { $0.missedRound == m.round }
            return Round(
                round: m.round, name: m.name,
                nodes: (p.missedNodes[m.round] ?? []).map { n in
                    Node(
                        node: n.node, pool: n.pool, lastBootstrap: n.lastBootstrap, firstFailure: n.firstFailure,
                        pods: Set(roundPods.filter { $0.node == n.node }.map(\.name)).count)
                },
                pods: roundPods.map(pod))
        }
        otherPods = pods.filter { $0.verdict != "missed_round" }.map(pod)
        unconverged = p.unconverged.map {
            Unconverged(node: $0.node, pool: $0.pool, vmss: $0.vmss, instanceId: $0.instanceID, missedRounds: $0.missedRounds)
        }
        remediation = p.remediation.steps.map { Step(command: $0.command, nodes: $0.nodes, pool: $0.pool) }
        dataGaps = p.missingEvidence.map { Gap(evidence: $0.source, cost: $0.cost) }
        inputs = p.inputs.map {
            Input(
                file: $0.name, status: $0.status, records: $0.kubeEvents + $0.activityRecords, duplicates: $0.duplicates,
                rejects: $0.rejects, firstTime: $0.firstTime, lastTime: $0.lastTime, sha256: $0.sha256)
        }
        rejects = p.rejectCount
        fingerprint = p.fingerprint
    }

    /// Pretty, with sorted keys and snake_case names: the same database gives the same bytes.
    public func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
