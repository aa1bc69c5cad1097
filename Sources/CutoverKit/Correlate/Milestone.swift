/// When a round took effect on the cluster side, and how cutover knows.
public struct Milestone: Sendable, Equatable {
    public enum Source: String, Sendable {
        /// From an ARM `managedClusters/write` that succeeded and whose body shows the change.
        case detected
        /// Given on the command line (`--milestone N=TIME`); wins over a detected one.
        case given
        /// No body showed the change: taken from the order of events (the last cluster write
        /// before a reimage wave). Confirm it with `--milestone N=TIME`.
        case inferred
        /// Not in the logs and not given: the round cannot be attributed.
        case notObserved = "not_observed"
    }

    public var round: Round
    /// The `Succeeded` time of the operation that made the change.
    public var time: Timestamp?
    /// When that operation started (its first record), to spot reimages that overlap it.
    public var startedAt: Timestamp?
    public var source: Source
    public var evidence: String
    /// The cluster the write was made to, from its resource id.
    public var cluster: String?

    public init(round: Round, time: Timestamp?, startedAt: Timestamp? = nil, source: Source, evidence: String, cluster: String? = nil) {
        self.round = round
        self.time = time
        self.startedAt = startedAt
        self.source = source
        self.evidence = evidence
        self.cluster = cluster
    }
}
