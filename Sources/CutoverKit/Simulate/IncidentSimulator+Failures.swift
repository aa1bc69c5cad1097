/// Failures, with error texts that fit their true cause (docs/DOMAIN.md §6), and their truth.
extension IncidentSimulator {
    enum FailureKind {
        case missedRound, badTag, rateLimit
    }

    /// The failing pods of one node at `t`, chosen by what really went wrong there.
    func failurePods(node: String, at t: Timestamp, kind: FailureKind) {
        guard let index = currentNode(named: node, at: t) else { return }
        let missedRounds = missed(nodes[index], at: t)
        switch kind {
        case .badTag:
            let image = "contoso.azurecr.io/shop/cart:2.4.2-rc1"
            pullFailure(
                node: node, namespace: "shop", pod: "cart-6c8d7f9b4-\(rng.podSuffix(5))", image: image,
                text:
                    "rpc error: code = NotFound desc = failed to pull and unpack image \"\(image)\": failed to resolve reference \"\(image)\": \(image): not found",
                at: t, cause: "bad_tag")
        case .rateLimit:
            let image = "docker.io/library/redis:7.2"
            pullFailure(
                node: node, namespace: "shop", pod: "session-cache-\(rng.podSuffix(5))", image: image,
                text:
                    "rpc error: code = Unknown desc = failed to pull and unpack image \"\(image)\": failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/redis/manifests/sha256:5a93f6b2: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit.",
                at: t, cause: "rate_limit")
        case .missedRound:
            guard let earliest = missedRounds.first else { return }
            switch earliest {
            case 1:
                let image = "mcr.microsoft.com/azuremonitor/containerinsights/ciprod:3.1.24"
                pullFailure(
                    node: node, namespace: "kube-system", pod: "ama-logs-\(rng.podSuffix(5))", image: image,
                    text:
                        "rpc error: code = Unknown desc = failed to pull and unpack image \"\(image)\": failed to resolve reference \"\(image)\": failed to do request: Head \"https://mcr.microsoft.com/v2/azuremonitor/containerinsights/ciprod/manifests/3.1.24\": dial tcp 204.79.197.219:443: i/o timeout",
                    at: t, cause: "missed_round")
                let pause = "mcr.microsoft.com/oss/kubernetes/pause:3.6"
                let pod = "azure-cns-\(rng.podSuffix(5))"
                scheduled("kube-system", pod, node: node, at: t.adding(seconds: 60))
                failureEvent(
                    node: node, namespace: "kube-system", pod: pod, reason: "FailedCreatePodSandBox",
                    message:
                        "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox image \"\(pause)\": failed to pull image \"\(pause)\": failed to pull and unpack image \"\(pause)\": failed to resolve reference \"\(pause)\": failed to do request: Head \"https://mcr.microsoft.com/v2/oss/kubernetes/pause/manifests/3.6\": dial tcp: lookup mcr.microsoft.com on 168.63.129.16:53: no such host",
                    at: t.adding(seconds: 62), count: 14, cause: "missed_round")
            case 2:
                registry403(node: node, at: t)
            default:
                let image = "mcr.microsoft.com/oss/kubernetes-csi/azurefile-csi:v1.30.5"
                pullFailure(
                    node: node, namespace: "kube-system", pod: "csi-azurefile-node-\(rng.podSuffix(5))", image: image,
                    text:
                        "rpc error: code = Unknown desc = failed to pull and unpack image \"\(image)\": failed to resolve reference \"\(image)\": failed to do request: Head \"https://mcr.microsoft.com/v2/oss/kubernetes-csi/azurefile-csi/manifests/v1.30.5\": dial tcp 20.61.99.1:443: i/o timeout",
                    at: t, cause: "missed_round")
                let pod = "konnectivity-agent-7b9c5d8f6-\(rng.podSuffix(5))"
                scheduled("kube-system", pod, node: node, at: t.adding(seconds: 90))
                failureEvent(
                    node: node, namespace: "kube-system", pod: pod, reason: "BackOff",
                    message: "Back-off restarting failed container konnectivity-agent in pod \(pod)_kube-system(\(rng.uuid()))",
                    at: t.adding(seconds: 120), count: 9, cause: "missed_round")
            }
        }
    }

    /// Nodes still on the old registry path between rounds 2 and 3 (egress still open, so
    /// nodes that missed round 1 pull from mcr.microsoft.com without trouble).
    func intermittentOldRegistryPulls(from t: Timestamp) {
        let stale = nodes.indices.filter { nodes[$0].removedAt == nil && missed(nodes[$0], at: t) == [2] }
        for (k, i) in stale.enumerated() {
            let when = t.adding(seconds: Double(k * 1200 / max(stale.count, 1)))
            // Only a node still behind when its pull fails (a later reimage may have caught it up).
            if missed(nodes[i], at: when.adding(seconds: 60)) == [2] { registry403(node: nodes[i].name, at: when) }
        }
    }

    /// A pull through the new registry before its private DNS link exists: resolved publicly, refused.
    func wiringFailure(node: String, at t: Timestamp) {
        kubeProxyRefused(node: node, registry: newRegistry, at: t, cause: "wiring_incomplete")
    }

    /// A node that missed round 2 still pulls through the old registry, which refuses it.
    private func registry403(node: String, at t: Timestamp) {
        kubeProxyRefused(node: node, registry: oldRegistry, at: t, cause: "missed_round")
    }

    /// kube-proxy's image pull refused by `registry`'s token endpoint (403).
    private func kubeProxyRefused(node: String, registry: String, at t: Timestamp, cause: String) {
        let image = Self.kubeProxyImage
        pullFailure(
            node: node, namespace: "kube-system", pod: "kube-proxy-\(rng.podSuffix(5))", image: image,
            text:
                "rpc error: code = Unknown desc = failed to pull and unpack image \"\(image)\": failed to resolve reference \"\(image)\": failed to authorize: failed to fetch anonymous token: GET https://\(registry).azurecr.io/oauth2/token?scope=repository%3Aaks-managed-repository%2Foss%2Fkubernetes%2Fkube-proxy%3Apull: unexpected status: 403 Forbidden",
            at: t, cause: cause)
    }

    static let kubeProxyImage = "mcr.microsoft.com/oss/kubernetes/kube-proxy:v1.30.6"

    private func scheduled(_ namespace: String, _ pod: String, node: String, at t: Timestamp) {
        event(
            kind: "Pod", namespace: namespace, name: pod, reason: "Scheduled",
            message: "Successfully assigned \(namespace)/\(pod) to \(node)", component: "default-scheduler", host: nil,
            at: t.adding(seconds: -2))
    }

    /// kubelet's four pull-failure events for one container, each repeated while it backs off.
    private func pullFailure(node: String, namespace: String, pod: String, image: String, text: String, at t: Timestamp, cause: String) {
        scheduled(namespace, pod, node: node, at: t)
        let container = String(pod.split(separator: "-").first ?? "app")
        let path = "spec.containers{\(container)}"
        let tries = 4 + rng.int(0...6)
        let last = t.adding(seconds: Double(600 + rng.int(0...900)))
        event(
            kind: "Pod", namespace: namespace, name: pod, reason: "Pulling", message: "Pulling image \"\(image)\"",
            component: "kubelet", host: node, at: t, last: last, count: tries, fieldPath: path)
        failureEvent(
            node: node, namespace: namespace, pod: pod, reason: "Failed",
            message: "Failed to pull image \"\(image)\": \(text)", at: t.adding(seconds: 5), last: last, count: tries,
            cause: cause, fieldPath: path)
        failureEvent(
            node: node, namespace: namespace, pod: pod, reason: "Failed", message: "Error: ErrImagePull",
            at: t.adding(seconds: 5), last: last, count: tries, cause: cause, fieldPath: path)
        failureEvent(
            node: node, namespace: namespace, pod: pod, reason: "BackOff", message: "Back-off pulling image \"\(image)\"",
            at: t.adding(seconds: 20), last: last, count: tries * 4, cause: cause, fieldPath: path, type: "Normal")
        failureEvent(
            node: node, namespace: namespace, pod: pod, reason: "Failed", message: "Error: ImagePullBackOff",
            at: t.adding(seconds: 20), last: last, count: tries * 4, cause: cause, fieldPath: path)
    }

    /// The node object with this name at `t` (names come back when instance ids are reused).
    func currentNode(named name: String, at t: Timestamp) -> Int? {
        nodes.indices.last { nodes[$0].name == name && (nodes[$0].createdAt.map { $0 <= t } ?? true) }
    }

    /// One failure event and its truth, computed from the simulated reimages.
    private func failureEvent(
        node: String, namespace: String, pod: String, reason: String, message: String, at t: Timestamp,
        last: Timestamp? = nil, count: Int, cause: String, fieldPath: String? = nil, type: String = "Warning"
    ) {
        let uid = event(
            kind: "Pod", namespace: namespace, name: pod, reason: reason, message: message, type: type,
            component: "kubelet", host: node, at: t, last: last ?? t.adding(seconds: Double(count * 30)),
            count: count, fieldPath: fieldPath)
        guard let index = currentNode(named: node, at: t) else { return }
        let rounds = missed(nodes[index], at: t)
        let active = milestones.contains { $0.succeededAt <= t }
        let verdict = !active ? "pre_conversion" : rounds.isEmpty ? "converged" : "missed_round"
        failures.append(Incident.FailureTruth(eventUID: uid, node: node, verdict: verdict, missedRounds: rounds, cause: cause))
    }
}
