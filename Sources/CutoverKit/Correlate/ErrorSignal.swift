/// What an error text says about its cause: the registry host it names and the kind of error.
///
/// Texts from containerd/kubelet (docs/DOMAIN.md §6), e.g. "dial tcp: lookup
/// mcr.microsoft.com on 168.63.129.16:53: no such host", "dial tcp 20.61.99.1:443: i/o timeout",
/// "unexpected status: 403 Forbidden", "manifest unknown", "429 Too Many Requests",
/// "pull QPS exceeded", "x509: certificate signed by unknown authority", "…/data?…: EOF".
///
/// An HTTP status counts only where the text says it is one: the code stands as a word of its
/// own and is followed by its reason phrase (`403 Forbidden`) or follows `status` / `status
/// code` (`unexpected status code …: 500`). Digits inside a digest (`sha256:…4291…`), an IP
/// address or a port are never a status. Reads bytes, not `String`s: correlation reads every
/// failure's text.
public struct ErrorSignal: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case dnsFailure = "DNS failure"
        case timeout = "network time-out"
        /// The connection dropped mid-request (`EOF`, `connection reset by peer`): a firewall or
        /// proxy in the way, typically.
        case connectionLost = "connection lost"
        /// TLS interception or a wrong endpoint (`x509: certificate signed by unknown authority`).
        case certificate = "TLS certificate error"
        case unauthorized = "401 Unauthorized"
        case forbidden = "403 Forbidden"
        case notFound = "image not found"
        /// The registry's rate limit (HTTP 429, `toomanyrequests`).
        case throttled = "rate limited"
        /// kubelet's own pull rate limit (`registryPullQPS`): nothing reached a registry.
        case kubeletThrottled = "kubelet pull QPS exceeded"
        /// The registry failed (HTTP 5xx).
        case serverError = "registry server error"
        case diskFull = "no space left on the node"
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
    /// The HTTP status the text states, if any.
    public var status: Int?

    public init(kind: Kind, host: Host, status: Int? = nil) {
        self.kind = kind
        self.host = host
        self.status = status
    }

    public init(message: String) {
        let m = LowerBytes(message)
        let status = m.httpStatus()
        self.status = status
        if m.contains("pull qps exceeded") {
            kind = .kubeletThrottled
        } else if m.contains("no space left on device") {
            kind = .diskFull
        } else if m.contains("manifest unknown") || m.contains("code = notfound") || m.hasSuffix(": not found") || status == 404 {
            kind = .notFound
        } else if status == 429 || m.contains("toomanyrequests") {
            kind = .throttled
        } else if let status, (500...599).contains(status) {
            kind = .serverError
        } else if status == 401 {
            kind = .unauthorized
        } else if status == 403 {
            kind = .forbidden
        } else if m.contains("no such host") || m.contains("server misbehaving") {
            kind = .dnsFailure
        } else if m.contains("i/o timeout") || m.contains("deadline exceeded") || m.contains("handshake timeout")
            || m.contains("connection timed out")
        {
            kind = .timeout
        } else if m.contains("x509:") || m.contains("failed to verify certificate") {
            kind = .certificate
        } else if m.contains("unexpected eof") || m.hasSuffix(": eof") || m.contains("\": eof") || m.contains(": eof:")
            || m.contains("connection reset by peer")
        {
            kind = .connectionLost
        } else if m.containsWord("unauthorized") {
            kind = .unauthorized
        } else if m.containsWord("forbidden") || m.contains("denied: ") {
            kind = .forbidden
        } else {
            kind = .other
        }
        if m.contains("azurecr.io") || m.contains("privatelink") {
            host = .acr
        } else if m.contains("mcr.microsoft.com") || m.contains("mscr.io") || m.contains("mcr.azureedge.net") {
            host = .mcr
        } else if m.contains("docker.io") || m.contains("ghcr.io") || m.contains("quay.io") || m.contains("gcr.io") {
            host = .publicRegistry
        } else {
            host = .unknown
        }
    }

    /// The signals of texts read before. An incident's failures repeat a few texts thousands of
    /// times ("Error: ErrImagePull", one pull error per image), so each is read once.
    struct Memo {
        private var known: [String: ErrorSignal] = [:]

        mutating func signal(of text: String) -> ErrorSignal {
            if let signal = known[text] { return signal }
            let signal = ErrorSignal(message: text)
            known[text] = signal
            return signal
        }
    }

    /// True when the text points away from the cutover: a missing tag, a rate limit (the
    /// registry's or kubelet's), a registry outage, a full disk, or a public registry's
    /// credentials.
    public var pointsToUnrelatedCause: Bool {
        switch kind {
        case .notFound, .throttled, .kubeletThrottled, .serverError, .diskFull: return true
        case .unauthorized, .forbidden: return host == .publicRegistry
        default: return false
        }
    }

    /// A failure of the network path: what a node whose egress is gone, or whose private
    /// endpoint or DNS is wrong, sees.
    var isNetworkPath: Bool { [.timeout, .dnsFailure, .connectionLost, .certificate].contains(kind) }

    /// Whether the text fits a node that missed `round` (1 cache, 2 registry, 3 egress).
    public func fits(round: Int) -> Bool {
        switch round {
        case 1: return host == .mcr && isNetworkPath
        case 2:
            if host == .acr { return isNetworkPath || kind == .forbidden || kind == .unauthorized }
            return host == .unknown && (kind == .forbidden || kind == .unauthorized)
        case 3: return isNetworkPath
        default: return false
        }
    }

    public var summary: String {
        kind == .other ? "error naming \(host.rawValue)" : "\(kind.rawValue) on \(host.rawValue)"
    }
}

/// A message as lower-case ASCII bytes, searched without Foundation.
struct LowerBytes {
    let bytes: [UInt8]

    init(_ text: String) {
        bytes = text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
    }

    /// Where `needle` first occurs at or after `start`.
    func range(of needle: String, from start: Int = 0) -> Int? {
        bytes.withUnsafeBufferPointer { ByteSearch.firstOffset(of: needle, in: $0, from: start) }
    }

    func contains(_ needle: String) -> Bool { range(of: needle) != nil }

    /// Whether the bytes from `offset` on start with `text`.
    func matches(_ text: String, at offset: Int) -> Bool {
        var text = text
        return text.withUTF8 { t in
            offset >= 0 && bytes.count - offset >= t.count && bytes[offset..<(offset + t.count)].elementsEqual(t)
        }
    }

    func hasSuffix(_ suffix: String) -> Bool { matches(suffix, at: bytes.count - suffix.utf8.count) }

    static func isWordByte(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7A) }

    /// `word` standing alone: no letter or digit right before or after it.
    func containsWord(_ word: String) -> Bool {
        var from = 0
        while let at = range(of: word, from: from) {
            let end = at + word.utf8.count
            if (at == 0 || !Self.isWordByte(bytes[at - 1])) && (end == bytes.count || !Self.isWordByte(bytes[end])) { return true }
            from = at + 1
        }
        return false
    }

    /// Reason phrases of the statuses a registry pull meets (RFC 9110), as the words that follow
    /// the code.
    static let reasons: [Int: String] = [
        401: "unauthorized", 403: "forbidden", 404: "not found", 429: "too many requests", 500: "internal server error",
        502: "bad gateway", 503: "service unavailable", 504: "gateway timeout",
    ]

    /// The first HTTP status the text states as one (see `ErrorSignal`).
    func httpStatus() -> Int? {
        var i = 0
        while i < bytes.count {
            guard Self.isDigit(bytes[i]) else {
                i += 1
                continue
            }
            var end = i
            while end < bytes.count && Self.isWordByte(bytes[end]) { end += 1 }
            defer { i = end }
            // A word of exactly three digits, not part of a dotted number (an IP) or a port.
            guard end - i == 3, bytes[i..<end].allSatisfy(Self.isDigit), i == 0 || !Self.isWordByte(bytes[i - 1]),
                i == 0 || (bytes[i - 1] != 0x2E && bytes[i - 1] != 0x3A || precededByStatus(i)),
                end == bytes.count || bytes[end] != 0x2E
            else { continue }
            let code = Int(bytes[i] - 0x30) * 100 + Int(bytes[i + 1] - 0x30) * 10 + Int(bytes[i + 2] - 0x30)
            guard (100...599).contains(code) else { continue }
            if let reason = Self.reasons[code], followedBy(reason, at: end) { return code }
            if precededByStatus(i) { return code }
        }
        return nil
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private func followedBy(_ phrase: String, at end: Int) -> Bool {
        var j = end
        while j < bytes.count && (bytes[j] == 0x20 || bytes[j] == 0x28) { j += 1 }  // " " and "(" of "429 (Too Many…)"
        guard j > end || phrase.isEmpty else { return false }
        return matches(phrase, at: j)
    }

    /// "status", "status:", "status code", "status code:", "statuscode=" right before `at`.
    private func precededByStatus(_ at: Int) -> Bool {
        var j = at
        while j > 0 && (bytes[j - 1] == 0x20 || bytes[j - 1] == 0x3A || bytes[j - 1] == 0x3D) { j -= 1 }  // " ", ":", "="
        for word in ["status", "status code", "statuscode"] {
            let start = j - word.utf8.count
            if matches(word, at: start) && (start == 0 || !Self.isWordByte(bytes[start - 1])) { return true }
        }
        return false
    }
}
