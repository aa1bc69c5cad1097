import Testing

@testable import CutoverKit

/// Real error texts from public sources, with what the reading must find in each. A failure
/// here names the source, so a change to the reading can be checked against where the text came
/// from. Sources are Microsoft's troubleshooting pages and public issues; URLs as published.
struct RealErrorText: Sendable, CustomStringConvertible {
    var text: String
    var kind: ErrorSignal.Kind
    var host: ErrorSignal.Host
    var source: String
    var description: String { source }
}

@Suite("The error-text reading on real texts and on a hostile corpus")
struct ErrorTextTests {
    static let real: [RealErrorText] = [
        RealErrorText(
            text: "Failed to pull image \"myacr.azurecr.io/app:v1\": rpc error: code = Unknown desc = failed to pull and unpack image "
                + "\"myacr.azurecr.io/app:v1\": failed to resolve reference \"myacr.azurecr.io/app:v1\": failed to do request: Head "
                + "\"https://myacr.azurecr.io/v2/app/manifests/v1\": dial tcp 10.1.0.4:443: i/o timeout",
            kind: .timeout, host: .acr,
            source:
                "learn.microsoft.com troubleshoot/azure/azure-kubernetes/connectivity/cannot-pull-image-from-acr-to-aks-cluster (Cause 4)"),
        RealErrorText(
            text: "failed to authorize: failed to fetch anonymous token: unexpected status: 403 Forbidden",
            kind: .forbidden, host: .unknown,
            source: "learn.microsoft.com troubleshoot/azure/azure-kubernetes/connectivity/cannot-pull-image-from-acr-to-aks-cluster (403)"),
        RealErrorText(
            text: "failed to authorize: failed to fetch oauth token: unexpected status: 401 Unauthorized",
            kind: .unauthorized, host: .unknown,
            source: "learn.microsoft.com troubleshoot/azure/azure-kubernetes/connectivity/cannot-pull-image-from-acr-to-aks-cluster (401)"),
        RealErrorText(
            text: "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox image "
                + "\"mcr.microsoft.com/oss/kubernetes/pause:3.6\": failed to pull image \"mcr.microsoft.com/oss/kubernetes/pause:3.6\": "
                + "failed to resolve reference: failed to do request: Head \"https://mcr.microsoft.com/v2/oss/kubernetes/pause/manifests/3.6\": "
                + "dial tcp: lookup mcr.microsoft.com: no such host",
            kind: .dnsFailure, host: .mcr, source: "github.com/kubernetes-sigs/sig-windows-dev-tools/issues/64"),
        RealErrorText(
            text: "Get https://mcr.microsoft.com/v2/: dial tcp: lookup mcr.microsoft.com on 168.63.129.16:53: no such host",
            kind: .dnsFailure, host: .mcr, source: "github.com/Azure/AKS/issues/1513"),
        RealErrorText(
            text: "unexpected status code https://mcr.microsoft.com/v2/azuremonitor/containerinsights/ciprod/prometheus-collector/images/"
                + "blobs/sha256:4b51b4cbbd3c4a1e5b3b8fe4f4a3d0b4e3429c0f2f5a9b1e4d6c8a7b4017403d: 429 Too Many Requests",
            kind: .throttled, host: .mcr, source: "github.com/Azure/AKS/issues/4279 (ama-metrics-node; digest shortened to its shape)"),
        RealErrorText(
            text: "failed to \"StartContainer\" for \"prepare\" with ErrImagePull: \"pull QPS exceeded\"",
            kind: .kubeletThrottled, host: .unknown, source: "github.com/redhat-appstudio/infra-deployments/pull/7796"),
        RealErrorText(
            text:
                "Failed to pull image \"registry.gha-prod.svc.cluster.local:5000/solana-contract:tilt-d0187147de2228a4\": pull QPS exceeded",
            kind: .kubeletThrottled, host: .unknown, source: "github.com/tilt-dev/tilt/issues/5893"),
        RealErrorText(
            text:
                "failed to copy: httpReadSeeker: failed open: unexpected status code https://mcr.microsoft.com/v2/dotnet/core/aspnet/blobs/"
                + "sha256:fe3a4716eba4304fdb3b6a63fd0e54aa9c6c8519f9d1ba2f67a043679dd2f64a: 500 Internal Server Error",
            kind: .serverError, host: .mcr, source: "github.com/microsoft/containerregistry/issues/56"),
        RealErrorText(
            text: "Error response from daemon: Get \"https://mcr.microsoft.com/v2/\": tls: failed to verify certificate: x509: "
                + "certificate signed by unknown authority",
            kind: .certificate, host: .mcr, source: "github.com/microsoft/mssql-docker/issues/870"),
        RealErrorText(
            text: "failed to copy: httpReadSeeker: failed open: failed to do request: Get \"https://eastus.data.mcr.microsoft.com/"
                + "aba285c624a04409823b708c7a50e7b9-jttfjm99vo//docker/registry/v2/blobs/sha256/b2/"
                + "b2761593c69305fb6e0fe9489be43a369c7aae434178f6d516aced84c41c7136/data?se=2024-10-22T15%3A06%3A10Z&sp=r\": EOF",
            kind: .connectionLost, host: .mcr, source: "github.com/microsoft/mssql-docker/issues/903"),
        RealErrorText(
            text: "failed to resolve reference \"mcr.microsoft.com/dotnet/aspire-dashboard:latest\": failed to do request: Head "
                + "\"https://mcr.microsoft.com/v2/dotnet/aspire-dashboard/manifests/latest\": EOF",
            kind: .connectionLost, host: .mcr, source: "github.com/microsoft/containerregistry/issues/180"),
        RealErrorText(
            text: "manifest for mcr.microsoft.com/oss/kubernetes/kube-proxy:v1.30.99 not found: manifest unknown: manifest unknown",
            kind: .notFound, host: .mcr, source: "github.com/Azure/aks-engine/issues/3079 (docker-era form)"),
        RealErrorText(
            text: "ACR marinertst.azurecr.io rejected token exchange: failed to send token exchange request: Post "
                + "\"https://marinertst.azurecr.io/oauth2/exchange\": x509: certificate signed by unknown authority",
            kind: .certificate, host: .acr, source: "github.com/Azure/AKS/issues/3320"),
    ]

    @Test(arguments: real)
    func readsTheRealText(_ sample: RealErrorText) {
        let signal = ErrorSignal(message: sample.text)
        #expect(signal.kind == sample.kind, "\(sample.source): \(signal.kind)")
        #expect(signal.host == sample.host, "\(sample.source): \(signal.host)")
    }

    /// What each kind means for the rounds: network-path failures fit a missed round, rate
    /// limits, outages, full disks and missing tags point elsewhere, and naming an ACR alone
    /// fits nothing.
    @Test func whatEachKindSaysAboutTheRounds() {
        for kind in [ErrorSignal.Kind.timeout, .dnsFailure, .connectionLost, .certificate] {
            #expect(ErrorSignal(kind: kind, host: .mcr).fits(round: 1), "\(kind)")
            #expect(ErrorSignal(kind: kind, host: .acr).fits(round: 2), "\(kind)")
            #expect(ErrorSignal(kind: kind, host: .unknown).fits(round: 3), "\(kind)")
            #expect(!ErrorSignal(kind: kind, host: .acr).pointsToUnrelatedCause, "\(kind)")
        }
        for kind in [ErrorSignal.Kind.throttled, .kubeletThrottled, .serverError, .diskFull, .notFound] {
            let signal = ErrorSignal(kind: kind, host: .acr)
            #expect(signal.pointsToUnrelatedCause, "\(kind)")
            #expect(!(1...3).contains { signal.fits(round: $0) }, "\(kind) on an ACR fits no round")
        }
        #expect(ErrorSignal(kind: .forbidden, host: .acr).fits(round: 2))
        #expect(!ErrorSignal(kind: .other, host: .acr).fits(round: 2))
        #expect(ErrorSignal(kind: .unauthorized, host: .publicRegistry).pointsToUnrelatedCause)
    }

    /// Status-looking digits in digests, addresses, ports, sizes and names are never a status:
    /// a generated corpus of real time-outs and DNS failures with 401, 403, 404, 429 and 5xx
    /// planted in every such place.
    @Test func digitsThatAreNotAStatusAreNotReadAsOne() {
        var rng = SeededGenerator(seed: 11)
        let codes = ["401", "403", "404", "429", "500", "502", "503"]
        var checked = 0
        for code in codes {
            for position in 0..<8 {
                var digest = (0..<64).map { _ in "0123456789abcdef".randomElement(using: &rng).map(String.init) ?? "0" }.joined()
                let at = digest.index(digest.startIndex, offsetBy: position * 7)
                digest.replaceSubrange(at..<digest.index(at, offsetBy: 3), with: code)
                let places = [
                    "Head \"https://mcr.microsoft.com/v2/oss/kube-proxy/blobs/sha256:\(digest)\": dial tcp 20.61.99.1:443: i/o timeout",
                    "dial tcp 10.\(code).0.4:443: i/o timeout (mcr.microsoft.com)",
                    "dial tcp 204.79.197.219:\(code): i/o timeout (mcr.microsoft.com)",
                    "pulling mcr.microsoft.com/oss/app:v\(code) from sha256:\(digest.prefix(12)): dial tcp: lookup mcr.microsoft.com: no such host",
                    "Get \"https://mcr.microsoft.com/v2/app-\(code)/manifests/1\": dial tcp: lookup mcr.microsoft.com on 168.63.129.16:53: no such host",
                    "failed to pull mcr.microsoft.com/x:1 (\(code) MB of 900 MB): i/o timeout",
                ]
                for text in places {
                    let signal = ErrorSignal(message: text)
                    #expect(signal.status == nil, "\(text)")
                    #expect([.timeout, .dnsFailure].contains(signal.kind), "\(text) → \(signal.kind)")
                    #expect(signal.fits(round: 1) && signal.fits(round: 3), "\(text)")
                    checked += 1
                }
            }
        }
        #expect(checked == codes.count * 8 * 6)
    }

    /// And a stated status is read wherever the text states it, in any case and after any
    /// wording containerd uses.
    @Test(arguments: [
        ("unexpected status: 403 Forbidden", 403), ("UNEXPECTED STATUS: 401 UNAUTHORIZED", 401),
        ("unexpected status code https://r.azurecr.io/v2/a/blobs/sha256:429429: 429 Too Many Requests", 429),
        ("received unexpected HTTP status: 503 Service Unavailable", 503), ("statusCode=500", 500),
        ("Error 429 (Too Many Requests)!!1", 429), ("HTTP Status Code: 502", 502), ("status code 404", 404),
    ])
    func aStatedStatusIsRead(text: String, code: Int) {
        #expect(ErrorSignal(message: text).status == code, "\(text)")
    }
}
