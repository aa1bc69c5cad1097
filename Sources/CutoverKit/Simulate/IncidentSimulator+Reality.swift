/// The things that happen to the cluster: milestones, reimages, restarts, deployments.
extension IncidentSimulator {
    func milestone(_ round: Int, at t: Timestamp, body: String) {
        let seconds = Double(150 + rng.int(0...60))
        operation(
            "Microsoft.ContainerService/managedClusters/write", resource: clusterID(), at: t, seconds: seconds,
            body: spec.bodies ? body : nil)
        milestones.append(Incident.MilestoneTruth(round: round, startedAt: t, succeededAt: t.adding(seconds: seconds)))
    }

    /// Round 3: `az aks update --outbound-type none`, or the network write that cuts egress
    /// outside AKS (`SimulationSpec.egress`).
    func cutEgress(at t: Timestamp) {
        let subnet = "\(networkID())/virtualNetworks/vnet-prod-weu/subnets/snet-aks-nodes"
        let write: (String, String, JSONValue)
        switch spec.egress {
        case .outboundType:
            milestone(3, at: t, body: clusterBody(cache: true, registry: newRegistry, outbound: "none"))
            return
        case .routeTable:
            write = (
                "Microsoft.Network/routeTables/routes/write", "\(networkID())/routeTables/rt-aks-nodes/routes/blackhole-internet",
                .object([("addressPrefix", .string("0.0.0.0/0")), ("nextHopType", .string("None"))])
            )
        case .nsg:
            write = (
                "Microsoft.Network/networkSecurityGroups/securityRules/write",
                "\(networkID())/networkSecurityGroups/nsg-aks-nodes/securityRules/deny-internet-outbound",
                .object([
                    ("protocol", .string("*")), ("sourcePortRange", .string("*")), ("destinationPortRange", .string("*")),
                    ("sourceAddressPrefix", .string("VirtualNetwork")), ("destinationAddressPrefix", .string("Internet")),
                    ("access", .string("Deny")), ("priority", .int(100)), ("direction", .string("Outbound")),
                ])
            )
        case .subnet:
            write = (
                "Microsoft.Network/virtualNetworks/subnets/write", subnet,
                .object([("addressPrefix", .string("10.224.0.0/16")), ("defaultOutboundAccess", .bool(false))])
            )
        case .natGateway:
            write = ("Microsoft.Network/virtualNetworks/subnets/write", subnet, .object([("addressPrefix", .string("10.224.0.0/16"))]))
        }
        let seconds = Double(20 + rng.int(0...40))
        let body = JSONValue.object([("properties", write.2)]).compact()
        operation(write.0, resource: write.1, at: t, seconds: seconds, body: spec.bodies ? body : nil)
        milestones.append(Incident.MilestoneTruth(round: 3, startedAt: t, succeededAt: t.adding(seconds: seconds)))
    }

    /// The node subnet's NAT gateway, attached before the cutover (detached in round 3).
    func attachNatGateway(at t: Timestamp) {
        let body = JSONValue.object([
            (
                "properties",
                .object([
                    ("addressPrefix", .string("10.224.0.0/16")),
                    ("natGateway", .object([("id", .string("\(networkID())/natGateways/ng-aks-egress"))])),
                ])
            )
        ]).compact()
        operation(
            "Microsoft.Network/virtualNetworks/subnets/write",
            resource: "\(networkID())/virtualNetworks/vnet-prod-weu/subnets/snet-aks-nodes",
            at: t, seconds: 30, body: spec.bodies ? body : nil)
    }

    /// `az aks nodepool upgrade --node-image-only`: the upgrader drains, deletes and reimages
    /// each node in turn. `leaveOut` nodes at the end are never reached (the pool upgrade fails).
    func nodeImageUpgrade(pool: String, at t: Timestamp, leaveOut: Int, surge: Bool, round: Int) {
        let members = nodes.indices.filter { nodes[$0].pool == pool && nodes[$0].removedAt == nil }
        let step = Double(2400 / max(members.count, 12))
        var clock = t.adding(seconds: 30)
        var surgeIndex: Int?
        if surge, let last = members.last {
            let template = nodes[last]
            let id = (nodes.filter { $0.vmss == template.vmss }.map(\.instanceID).max() ?? 0) + 1
            let name = NodeName.name(vmss: template.vmss, instanceID: id)
            nodeUIDs[name] = rng.uuid()
            var node = Incident.SimNode(name: name, pool: pool, vmss: template.vmss, instanceID: id, createdAt: clock)
            node.mechanisms.append("round \(round): surge node created by the upgrade")
            nodes.append(node)
            surgeIndex = nodes.count - 1
            event(
                kind: "Node", namespace: nil, name: name, reason: "Surge",
                message: "Created a surge node [\(name) \(pool)] for agentpool \(pool)", component: "upgrader", host: nil, at: clock)
            nodeEvent(
                name, "RegisteredNode", "Node \(name) event: Registered Node \(name) in Controller", component: "node-controller",
                at: clock.adding(seconds: 5))
            kubeletStart(name, at: clock)
            clock = clock.adding(seconds: 60)
        }
        let reached = members.dropLast(leaveOut)
        for i in reached {
            let node = nodes[i].name
            event(
                kind: "Node", namespace: nil, name: node, reason: "Drain", message: "Draining node: \(node)",
                component: "upgrader", host: nil, at: clock)
            event(
                kind: "Node", namespace: nil, name: node, reason: "Upgrade", message: "Deleting node \(node) from API server",
                component: "upgrader", host: nil, at: clock.adding(seconds: 50))
            nodeEvent(
                node, "RemovingNode", "Node \(node) event: Removing Node \(node) from Controller", component: "node-controller",
                at: clock.adding(seconds: 55))
            let boot = clock.adding(seconds: 145)
            nodes[i].bootstraps.append(boot)
            nodes[i].mechanisms.append("round \(round): node-image upgrade of pool \(pool)")
            kubeletStart(node, at: boot)
            nodeEvent(
                node, "RegisteredNode", "Node \(node) event: Registered Node \(node) in Controller", component: "node-controller",
                at: boot.adding(seconds: 5))
            event(
                kind: "Node", namespace: nil, name: node, reason: "Upgrade", message: "Successfully reimaged node: \(node)",
                component: "upgrader", host: nil, at: boot.adding(seconds: 30))
            event(
                kind: "Node", namespace: nil, name: node, reason: "Upgrade", message: "Successfully upgraded node: \(node)",
                component: "upgrader", host: nil, at: boot.adding(seconds: 31))
            clock = clock.adding(seconds: step)
        }
        for i in members.suffix(leaveOut) {
            nodes[i].mechanisms.append("round \(round): not reached, the pool upgrade failed")
        }
        if let s = surgeIndex {
            let name = nodes[s].name
            event(
                kind: "Node", namespace: nil, name: name, reason: "Upgrade", message: "Deleting node \(name) from API server",
                component: "upgrader", host: nil, at: clock)
            nodeEvent(
                name, "RemovingNode", "Node \(name) event: Removing Node \(name) from Controller", component: "node-controller",
                at: clock.adding(seconds: 5))
            nodes[s].removedAt = clock.adding(seconds: 5)
            clock = clock.adding(seconds: 10)
        }
        let failure =
            leaveOut > 0
            ? "VMExtensionProvisioningError: Unable to establish outbound connection from agents (vmssCSE exit status=50); "
                + "\(leaveOut) node(s) of pool \(pool) were not upgraded"
            : nil
        operation(
            "Microsoft.ContainerService/managedClusters/agentPools/upgradeNodeImageVersion/action",
            resource: clusterID() + "/agentPools/\(pool)", at: t,
            seconds: clock.millis > t.millis ? Double(clock.millis - t.millis) / 1000 : 60,
            failed: failure)
    }

    /// `az vmss reimage --instance-ids N`: only `Rebooted` + `Starting` in the events.
    func manualReimage(_ i: Int, at t: Timestamp, round: Int) {
        operation(
            "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/reimage/action", resource: instanceID(nodes[i]),
            at: t, seconds: 240, nodeGroup: true)
        reimaged(i, at: t.adding(seconds: 190), round: round, how: "manual instance reimage")
    }

    /// `az vmss reimage -n VMSS --instance-ids …`: one scale-set action whose body lists the
    /// instances; each of them reboots into a fresh bootstrap.
    func scaleSetReimage(_ indices: [Int], at t: Timestamp, round: Int) {
        guard let first = indices.first else { return }
        let vmss = nodes[first]
        let resource =
            "/subscriptions/\(subscription)/resourceGroups/\(nodeResourceGroup)/providers/Microsoft.Compute/virtualMachineScaleSets/\(vmss.vmss)"
        let body = JSONValue.object([("instanceIds", .array(indices.map { .string(String(nodes[$0].instanceID)) }))]).compact()
        operation(
            "Microsoft.Compute/virtualMachineScaleSets/reimage/action", resource: resource, at: t, seconds: 300,
            body: body, nodeGroup: true)
        for (k, i) in indices.enumerated() {
            reimaged(i, at: t.adding(seconds: Double(180 + k * 20)), round: round, how: "scale-set reimage with instanceIds")
        }
    }

    /// A scale-out that reuses the instance id of a removed node: a new node with an old name.
    func scaleOut(reusing i: Int, at t: Timestamp) {
        let old = nodes[i]
        nodeUIDs[old.name] = rng.uuid()
        var node = Incident.SimNode(name: old.name, pool: old.pool, vmss: old.vmss, instanceID: old.instanceID, createdAt: t)
        node.mechanisms.append("scale-out at \(String(t.description.dropFirst(11).prefix(5))), reusing instance id \(old.instanceID)")
        nodes.append(node)
        nodeEvent(
            old.name, "RegisteredNode", "Node \(old.name) event: Registered Node \(old.name) in Controller", component: "node-controller",
            at: t.adding(seconds: 5))
        kubeletStart(old.name, at: t)
        podStart(
            "kube-system", "kube-proxy-\(rng.podSuffix(5))", node: old.name, image: Self.kubeProxyImage,
            container: "kube-proxy", at: t.adding(seconds: 40))
    }

    /// Node auto-repair's reimage, seen as `NodeReimageStart`/`NodeReimageEnd`.
    func autoRepair(_ i: Int, at t: Timestamp, round: Int) {
        let node = nodes[i].name
        event(
            kind: "Node", namespace: nil, name: node, reason: "NodeReimageStart",
            message: "Node auto-repair is initiating a reimage action due to NotReady status persisting for more than five minutes.",
            component: "aks-auto-repair", host: nil, at: t)
        let boot = t.adding(seconds: 190)
        reimaged(i, at: boot, round: round, how: "auto-repair reimage")
        event(
            kind: "Node", namespace: nil, name: node, reason: "NodeReimageEnd",
            message: "Reimage action from node auto-repair is completed.",
            component: "aks-auto-repair", host: nil, at: boot.adding(seconds: 70))
    }

    /// `az vmss restart`: a reboot, not a bootstrap.
    func restart(_ i: Int, at t: Timestamp) {
        operation(
            "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/restart/action", resource: instanceID(nodes[i]),
            at: t, seconds: 90, nodeGroup: true)
        nodes[i].reboots.append(t.adding(seconds: 60))
        nodes[i].mechanisms.append("restarted at 12:50 (not a reimage)")
        bootedUp(i, at: t.adding(seconds: 60))
    }

    /// A reimage that reached node `i`: it bootstraps at `boot`.
    func reimaged(_ i: Int, at boot: Timestamp, round: Int, how: String) {
        nodes[i].bootstraps.append(boot)
        nodes[i].mechanisms.append("round \(round): \(how)")
        bootedUp(i, at: boot)
    }

    /// Node `i` comes back from a boot: kubelet reports the reboot, then starts.
    func bootedUp(_ i: Int, at boot: Timestamp) {
        let node = nodes[i].name
        nodeEvent(
            node, "Rebooted", "Node \(node) has been rebooted, boot id: \(rng.uuid())", component: "kubelet", at: boot, type: "Warning")
        kubeletStart(node, at: boot)
    }

    /// The BYO registry wiring that round 2 needs (docs/DOMAIN.md §1).
    func wiring(at t: Timestamp) {
        let rg = "/subscriptions/\(subscription)/resourceGroups/\(resourceGroup)/providers"
        let steps: [(String, String)] = [
            ("Microsoft.ContainerRegistry/registries/write", "\(rg)/Microsoft.ContainerRegistry/registries/\(newRegistry)"),
            (
                "Microsoft.ContainerRegistry/registries/cacheRules/write",
                "\(rg)/Microsoft.ContainerRegistry/registries/\(newRegistry)/cacheRules/aks-managed-mcr"
            ),
            ("Microsoft.Network/privateEndpoints/write", "\(rg)/Microsoft.Network/privateEndpoints/pe-\(newRegistry)"),
            ("Microsoft.Network/privateDnsZones/write", "\(rg)/Microsoft.Network/privateDnsZones/privatelink.azurecr.io"),
            (
                "Microsoft.Network/privateDnsZones/virtualNetworkLinks/write",
                "\(rg)/Microsoft.Network/privateDnsZones/privatelink.azurecr.io/virtualNetworkLinks/link-aks"
            ),
            (
                "Microsoft.Network/privateDnsZones/A/write",
                "\(rg)/Microsoft.Network/privateDnsZones/privatelink.azurecr.io/A/\(newRegistry)"
            ),
            (
                "Microsoft.Authorization/roleAssignments/write",
                "\(rg)/Microsoft.ContainerRegistry/registries/\(newRegistry)/providers/Microsoft.Authorization/roleAssignments/\(rng.uuid())"
            ),
        ]
        for (k, (name, resource)) in steps.enumerated() {
            if spec.lateWiring && name.hasSuffix("virtualNetworkLinks/write") {
                lateLink = (name, resource)
                continue
            }
            operation(name, resource: resource, at: t.adding(seconds: Double(k * 120)), seconds: Double(20 + rng.int(0...40)))
        }
    }

    /// With late wiring, the private DNS zone's VNet link only comes at 11:20: nodes reimaged
    /// for round 2 before that resolve the new registry publicly and get 403s – not a missed
    /// round, "wiring incomplete".
    func finishLateWiring() {
        guard let (name, resource) = lateLink else { return }
        let linkAt = at("11:20")
        let early = nodes.indices.filter { i in
            nodes[i].removedAt == nil && missed(nodes[i], at: linkAt).isEmpty
                && nodes[i].bootstraps.contains { $0 > at("10:33") && $0 < linkAt.adding(seconds: -600) }
        }
        for i in early.enumerated().filter({ $0.offset % 3 == 0 }).map(\.element) {
            let boot = nodes[i].bootstraps.last { $0 < linkAt } ?? linkAt
            wiringFailure(node: nodes[i].name, at: boot.adding(seconds: 180))
        }
        operation(name, resource: resource, at: linkAt, seconds: 40)
    }

    /// Ordinary traffic at the start of the window: application pods on every node and a
    /// kube-proxy roll-out, which also make every node appear in the events.
    func deployments(at t: Timestamp) {
        let apps = [
            ("shop", "cart", "contoso.azurecr.io/shop/cart:2.4.1"), ("shop", "web", "contoso.azurecr.io/shop/web:5.0.3"),
            ("payments", "ledger", "contoso.azurecr.io/payments/ledger:1.9.0"),
        ]
        for (k, node) in nodes.enumerated() {
            let base = t.adding(seconds: Double(k * 900 / max(nodes.count, 1)))
            let proxy = "kube-proxy-\(rng.podSuffix(5))"
            podStart(
                "kube-system", proxy, node: node.name, image: Self.kubeProxyImage,
                container: "kube-proxy", at: base)
            for a in 0..<max(0, (spec.eventsPerNode - 5) / 5) {
                let (ns, app, image) = apps[(k + a) % apps.count]
                podStart(
                    ns, "\(app)-\(rng.podSuffix(10).prefix(9))-\(rng.podSuffix(5))", node: node.name, image: image,
                    container: app, at: base.adding(seconds: Double(30 + a * 7)))
            }
        }
        event(
            kind: "Deployment", namespace: "shop", name: "cart", reason: "ScalingReplicaSet",
            message: "Scaled up replica set cart-7d9f8c6b5 to \(max(nodes.count / 2, 1))", component: "deployment-controller", host: nil,
            at: t)
    }
}
