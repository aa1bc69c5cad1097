/// The records reality leaves: Kubernetes events and activity-log records.
extension IncidentSimulator {
    @discardableResult
    func event(
        kind: String, namespace: String?, name: String, reason: String, message: String, type: String = "Normal",
        component: String, host: String?, at t: Timestamp, last: Timestamp? = nil, count: Int = 1,
        fieldPath: String? = nil, objectUID: String? = nil
    ) -> String {
        let uid = rng.uuid()
        events.append(
            Incident.Event(
                uid: uid, name: "\(name).\(rng.hex(16))", namespace: namespace ?? "default", objectKind: kind,
                objectNamespace: namespace, objectName: name, objectUID: objectUID ?? nodeUIDs[name] ?? rng.uuid(),
                fieldPath: fieldPath, reason: reason, message: message, type: type, component: component, host: host,
                firstSeen: t, lastSeen: last ?? t, count: count))
        return uid
    }

    func nodeEvent(_ node: String, _ reason: String, _ message: String, component: String, at t: Timestamp, type: String = "Normal") {
        event(
            kind: "Node", namespace: nil, name: node, reason: reason, message: message, type: type,
            component: component, host: component == "kubelet" ? node : nil, at: t)
    }

    /// A pod scheduled and started: Scheduled, Pulling, Pulled, Created, Started.
    func podStart(_ namespace: String, _ pod: String, node: String, image: String, container: String, at t: Timestamp) {
        event(
            kind: "Pod", namespace: namespace, name: pod, reason: "Scheduled",
            message: "Successfully assigned \(namespace)/\(pod) to \(node)", component: "default-scheduler", host: nil, at: t)
        let path = "spec.containers{\(container)}"
        event(
            kind: "Pod", namespace: namespace, name: pod, reason: "Pulling", message: "Pulling image \"\(image)\"",
            component: "kubelet", host: node, at: t.adding(seconds: 1), fieldPath: path)
        event(
            kind: "Pod", namespace: namespace, name: pod, reason: "Pulled",
            message: "Successfully pulled image \"\(image)\" in 1.84s (1.84s including waiting)",
            component: "kubelet", host: node, at: t.adding(seconds: 3), fieldPath: path)
        event(
            kind: "Pod", namespace: namespace, name: pod, reason: "Created", message: "Created container \(container)",
            component: "kubelet", host: node, at: t.adding(seconds: 3), fieldPath: path)
        event(
            kind: "Pod", namespace: namespace, name: pod, reason: "Started", message: "Started container \(container)",
            component: "kubelet", host: node, at: t.adding(seconds: 4), fieldPath: path)
    }

    /// The kubelet start-up sequence after a boot.
    func kubeletStart(_ node: String, at t: Timestamp) {
        nodeEvent(node, "Starting", "Starting kubelet.", component: "kubelet", at: t)
        nodeEvent(
            node, "NodeAllocatableEnforced", "Updated Node Allocatable limit across pods", component: "kubelet", at: t.adding(seconds: 1))
        nodeEvent(node, "NodeReady", "Node \(node) status is now: NodeReady", component: "kubelet", at: t.adding(seconds: 20))
    }

    func clusterID() -> String {
        "/subscriptions/\(subscription)/resourceGroups/\(resourceGroup)/providers/Microsoft.ContainerService/managedClusters/\(cluster)"
    }

    /// The cluster resource group's network provider (the BYO VNet, route table, NSG).
    func networkID() -> String {
        "/subscriptions/\(subscription)/resourceGroups/\(resourceGroup)/providers/Microsoft.Network"
    }

    func instanceID(_ node: Incident.SimNode) -> String {
        "/subscriptions/\(subscription)/resourceGroups/\(nodeResourceGroup)/providers/Microsoft.Compute/virtualMachineScaleSets/\(node.vmss)/virtualMachines/\(node.instanceID)"
    }

    /// One ARM operation: Started (with the request body), then Succeeded or Failed.
    func operation(
        _ name: String, resource: String, at t: Timestamp, seconds: Double, failed: String? = nil, body: String? = nil,
        caller: String = "sre@contoso.com", nodeGroup: Bool = false
    ) {
        let operationId = rng.uuid()
        let correlationId = rng.uuid()
        activity.append(
            Incident.Activity(
                eventDataId: rng.uuid(), operationId: operationId, correlationId: correlationId, operationName: name,
                status: "Started", subStatus: "", time: t, resourceId: resource, caller: caller, requestBody: body,
                statusMessage: nil, nodeResourceGroup: nodeGroup))
        activity.append(
            Incident.Activity(
                eventDataId: rng.uuid(), operationId: operationId, correlationId: correlationId, operationName: name,
                status: failed == nil ? "Succeeded" : "Failed", subStatus: failed == nil ? "OK" : "InternalServerError",
                time: t.adding(seconds: seconds), resourceId: resource, caller: caller, requestBody: nil,
                statusMessage: failed, nodeResourceGroup: nodeGroup))
    }

    /// The managed-cluster body `az aks update` sends (the whole cluster, abridged).
    func clusterBody(cache: Bool, registry: String?, outbound: String) -> String {
        var bootstrap: [(String, JSONValue)] = [("artifactSource", .string(cache ? "Cache" : "Direct"))]
        if let registry {
            bootstrap.append(
                (
                    "containerRegistryId",
                    .string(
                        "/subscriptions/\(subscription)/resourceGroups/\(resourceGroup)/providers/Microsoft.ContainerRegistry/registries/\(registry)"
                    )
                ))
        }
        return JSONValue.object([
            ("location", .string("westeurope")),
            (
                "properties",
                .object([
                    ("kubernetesVersion", .string("1.30.6")),
                    ("bootstrapProfile", .object(bootstrap)),
                    ("networkProfile", .object([("networkPlugin", .string("azure")), ("outboundType", .string(outbound))])),
                ])
            ),
        ]).compact()
    }
}
