/// What an error text says about its cause: the registry host it names and the kind of error.
///
/// Texts from containerd/kubelet (FACTS.md 5.3): "dial tcp: lookup mcr.microsoft.com on
/// 168.63.129.16:53: no such host", "dial tcp 20.61.99.1:443: i/o timeout",
/// "unexpected status: 403 Forbidden", "manifest unknown", "429 Too Many Requests".
public struct ErrorSignal: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case dnsFailure = "DNS failure"
        case timeout = "network time-out"
        case unauthorized = "401 Unauthorized"
        case forbidden = "403 Forbidden"
        case notFound = "image not found"
        case throttled = "rate limited"
        case other = "other error"
    }

    public enum Host: String, Sendable {
        case mcr = "mcr.microsoft.com"
        case acr = "a private ACR"
        case publicRegistry = "a public registry"
        case unknown = "an unknown host"
    }

    public var kind: Kind
    public var host: Host

    public init(kind: Kind, host: Host) {
        self.kind = kind
        self.host = host
    }

    public init(message: String) {
        let m = message.lowercased()
        if m.contains("manifest unknown") || m.contains("code = notfound") || m.hasSuffix(": not found") {
            kind = .notFound
        } else if m.contains("429") || m.contains("toomanyrequests") {
            kind = .throttled
        } else if m.contains("no such host") || m.contains("server misbehaving") {
            kind = .dnsFailure
        } else if m.contains("i/o timeout") || m.contains("deadline exceeded") || m.contains("handshake timeout")
            || m.contains("connection timed out")
        {
            kind = .timeout
        } else if m.contains("401") || m.contains("unauthorized") {
            kind = .unauthorized
        } else if m.contains("403") || m.contains("forbidden") {
            kind = .forbidden
        } else {
            kind = .other
        }
        if m.contains("azurecr.io") || m.contains("privatelink") {
            host = .acr
        } else if m.contains("mcr.microsoft.com") || m.contains("mscr.io") {
            host = .mcr
        } else if m.contains("docker.io") || m.contains("ghcr.io") || m.contains("quay.io") {
            host = .publicRegistry
        } else {
            host = .unknown
        }
    }

    /// True when the text points away from the cutover: a missing tag, a public registry's
    /// rate limit or credentials.
    public var pointsToUnrelatedCause: Bool {
        switch kind {
        case .notFound, .throttled: return true
        case .unauthorized, .forbidden: return host == .publicRegistry
        default: return false
        }
    }

    /// Whether the text fits a node that missed `round` (1 cache, 2 registry, 3 egress).
    public func fits(round: Int) -> Bool {
        switch round {
        case 1: return host == .mcr && (kind == .timeout || kind == .dnsFailure)
        case 2: return !pointsToUnrelatedCause && (host == .acr || kind == .forbidden || kind == .unauthorized)
        case 3: return kind == .timeout || kind == .dnsFailure
        default: return false
        }
    }

    public var summary: String {
        kind == .other ? "error naming \(host.rawValue)" : "\(kind.rawValue) on \(host.rawValue)"
    }
}
