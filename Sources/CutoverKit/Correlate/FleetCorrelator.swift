/// Correlates each cluster of a database on its own: one cluster's milestones, nodes and
/// failures never explain another's.
///
/// In: `FleetFacts`. Out: a `FleetCorrelator.Result`, one `Correlator.Result` per cluster
/// (`ClusterResolver` decides what is whose), plus the failures whose cluster is unknown,
/// which get the verdict `no_cluster` rather than a guess.
public struct FleetCorrelator {
    public var playbook: Playbook
    /// Milestone times given with `--milestone`, for `givenCluster`.
    public var given: [Int: Timestamp]
    /// The cluster the given milestones belong to (`--cluster`); nil is only allowed when the
    /// database holds one cluster.
    public var givenCluster: String?
    /// How many attributions a stream gets at a time (`Correlator.streamChunk`).
    public var streamChunk = 8192

    public init(playbook: Playbook = .threeRounds, given: [Int: Timestamp] = [:], givenCluster: String? = nil) {
        self.playbook = playbook
        self.given = given
        self.givenCluster = givenCluster
    }

    public struct ClusterResult: Sendable {
        public var cluster: Cluster
        public var result: Correlator.Result
    }

    public struct Result: Sendable {
        public var playbook: String
        public var clusters: [ClusterResult]
        /// Failures no cluster could be found for (verdict `no_cluster`).
        public var unassigned: [Attribution]
        /// Activity records about resources of no cluster in the inputs: they decided nothing.
        public var unassignedActivity: Int

        /// Every attribution, cluster by cluster, then the unassigned ones.
        public var attributions: [Attribution] { clusters.flatMap(\.result.attributions) + unassigned }
        public var nodeCount: Int { clusters.map(\.result.nodes.count).reduce(0, +) }
    }

    /// `stream`, when given, gets each cluster's attributions (with its label) as they are made
    /// (`Correlator.correlate(_:stream:)`); the unassigned failures are never streamed.
    public func correlate(_ fleet: FleetFacts, stream: ((String, ArraySlice<Attribution>) -> Void)? = nil) throws(ClusterError)
        -> Result
    {
        let assignment = ClusterResolver().resolve(fleet)
        var givenLabel: String?
        if !given.isEmpty || givenCluster != nil {
            if let query = givenCluster {
                guard let cluster = assignment.clusters.first(where: { $0.answers(to: query) }) else {
                    throw .unknownCluster(query, known: assignment.clusters.map(\.label))
                }
                givenLabel = cluster.label
            } else if assignment.clusters.count == 1 {
                givenLabel = assignment.clusters[0].label
            } else if !given.isEmpty {
                throw .givenNeedsCluster(known: assignment.clusters.map(\.label))
            }
        }
        let unassignedFailures = FailureClassifier().failures(assignment.unassignedEvents)
        var clusters: [ClusterResult] = []
        for cluster in assignment.clusters {
            var correlator = Correlator(playbook: playbook, given: cluster.label == givenLabel ? given : [:])
            correlator.streamChunk = streamChunk
            let label = cluster.label
            var result = correlator.correlate(
                assignment.facts[label] ?? CorrelationFacts(activity: [], events: []), stream: stream.map { s in { s(label, $0) } })
            if assignment.clusters.count > 1 {
                result.coverage.sources.append(
                    Self.clusterCoverage(unassigned: unassignedFailures.count, events: assignment.unassignedEvents.count, assignment))
            }
            clusters.append(ClusterResult(cluster: cluster, result: result))
        }
        let known = assignment.clusters.map(\.label).joined(separator: ", ")
        let unassigned = unassignedFailures.map { failure in
            Attribution(
                failure: failure, verdict: .noCluster, missedRound: nil, missedRounds: [], confidence: .low,
                explanation: "Which cluster this failure happened in is unknown: its event names no cluster, and neither its node "
                    + "nor its file ties it to one of the \(assignment.clusters.count) clusters in the database (\(known)). "
                    + "Ingest the file that holds it with --cluster NAME (into a new --db: a file already ingested is skipped).",
                basis: nil)
        }
        return Result(
            playbook: playbook.name, clusters: clusters, unassigned: unassigned, unassignedActivity: assignment.unassignedActivity)
    }

    /// The coverage line every cluster of a many-cluster database gets: whether any event of the
    /// kinds correlation reads had to be left without a cluster.
    static func clusterCoverage(unassigned failures: Int, events: Int, _ assignment: ClusterAssignment) -> Coverage.Source {
        Coverage.Source(
            name: "Every event's cluster known", present: events == 0,
            ifMissing: "\(events) event(s) (\(failures) of them failures) name no cluster and could not be tied to one of the "
                + "\(assignment.clusters.count) clusters in the database by their node or their file: they are left out of every "
                + "cluster's correlation (verdict no_cluster). Ingest such exports (a `kubectl get events` dump) with "
                + "`cutover ingest --cluster NAME`.",
            windows: nil)
    }
}

/// A cluster asked for (`--cluster`) that cannot be had, or none asked where one must be.
public enum ClusterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `--cluster` names no cluster of the database.
    case unknownCluster(String, known: [String])
    /// `--milestone` without `--cluster` on a database with several clusters.
    case givenNeedsCluster(known: [String])
    /// One postmortem or status was asked of a database with several clusters.
    case severalClusters(known: [String], hint: String)

    public var description: String {
        switch self {
        case .unknownCluster(let name, let known):
            return "the database holds no cluster \(name.debugDescription); it holds: "
                + (known.isEmpty ? "none (nothing correlated yet?)" : known.map { $0.isEmpty ? "(unnamed)" : $0 }.joined(separator: ", "))
        case .givenNeedsCluster(let known):
            return "the database holds \(known.count) clusters (\(known.joined(separator: ", "))): "
                + "say which one --milestone is about with --cluster NAME"
        case .severalClusters(let known, let hint):
            return "the database holds \(known.count) clusters (\(known.joined(separator: ", "))): \(hint)"
        }
    }
}

extension Cluster {
    /// The cluster `query` names among `clusters`, or the only one when `query` is nil (the
    /// unnamed cluster of a database never correlated).
    public static func pick(_ query: String?, from clusters: [Cluster], hint: String) throws(ClusterError) -> Cluster {
        if let query {
            guard let found = clusters.first(where: { $0.answers(to: query) }) else {
                throw .unknownCluster(query, known: clusters.map(\.label))
            }
            return found
        }
        guard clusters.count <= 1 else { throw .severalClusters(known: clusters.map(\.label), hint: hint) }
        return clusters.first ?? .unnamed
    }
}
