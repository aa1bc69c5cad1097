/// The verdict on one failure: which round its node missed, or why no round is to blame.
public struct Attribution: Sendable, Equatable {
    public enum Verdict: String, Sendable {
        case missedRound = "missed_round"
        case converged
        case preConversion = "pre_conversion"
        case unplaced
        /// A database with several clusters, and nothing tells which one this failure is from.
        case noCluster = "no_cluster"
        /// A round's milestone is unknown, and it may have taken effect before the failure:
        /// neither "before the cutover" nor a missed round can be said.
        case milestoneUnknown = "milestone_unknown"
    }

    public enum Confidence: String, Sendable, Comparable {
        case low, medium, high

        private var rank: Int {
            switch self {
            case .low: return 0
            case .medium: return 1
            case .high: return 2
            }
        }

        public static func < (a: Confidence, b: Confidence) -> Bool { a.rank < b.rank }
    }

    public var failure: Failure
    public var verdict: Verdict
    /// The earliest missed round, and all of them.
    public var missedRound: Int?
    public var missedRounds: [Int]
    public var confidence: Confidence
    public var explanation: String
    /// The bootstrap the decision rested on.
    public var basis: Bootstrap?
    /// A converged node's failure that a piece of round 2's registry wiring, finished only
    /// after the failure began, explains (the explanation says which piece).
    public var wiringIncomplete = false
}
