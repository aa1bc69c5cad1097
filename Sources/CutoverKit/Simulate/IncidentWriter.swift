import Foundation

/// Renders an `Incident` as the files an SRE would collect, in real export shapes, gzip.
///
/// Out, under `directory`:
/// - `logs/kube/event-exporter.ndjson.gz`: kubernetes-event-exporter stdout sink, one
///   compact core/v1 Event per line plus `clusterName`, with the exporter's own log lines;
///   an event that repeated is written at its first and at its last sighting (as the
///   exporter does on every update).
/// - `logs/kube/kubectl-get-events.json.gz`: `kubectl get events -A -o json` at the end of
///   the window: a List, pretty-printed with sorted keys, holding only the last hour.
/// - `logs/arm/activity-log.json.gz`: `az monitor activity-log list` for the cluster's
///   resource group: a JSON array of REST EventData, newest first.
/// - `logs/arm/insights-activity-logs/…/PT1H.json.gz`: the diagnostic-settings export of
///   the node resource group, one upper-cased record per line, one file per hour.
/// - `truth.json`: what really happened, for accuracy tests (not an input).
public struct IncidentWriter {
    public init() {}

    public func write(_ incident: Incident, to directory: String) throws {
        let fm = FileManager.default
        let logs = (directory as NSString).appendingPathComponent("logs")
        for sub in ["kube", "arm"] {
            try fm.createDirectory(atPath: (logs as NSString).appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try gzip(exporterLines(incident), to: "\(logs)/kube/event-exporter.ndjson.gz")
        try gzip(kubectlList(incident), to: "\(logs)/kube/kubectl-get-events.json.gz")
        try gzip(cliArray(incident), to: "\(logs)/arm/activity-log.json.gz")
        for (hour, text) in diagnosticFiles(incident) {
            let dir =
                "\(logs)/arm/insights-activity-logs/resourceId=/SUBSCRIPTIONS/\(incident.subscription.uppercased())/y=2026/m=11/d=03/h=\(hour)/m=00"
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try gzip(text, to: "\(dir)/PT1H.json.gz")
        }
        try (truth(incident).pretty(indent: 2, sortedKeys: false) + "\n")
            .write(toFile: (directory as NSString).appendingPathComponent("truth.json"), atomically: true, encoding: .utf8)
    }

    private func gzip(_ text: String, to path: String) throws {
        let writer = try GzipWriter(path: path)
        try writer.write(text)
        try writer.close()
    }

    /// Second-precision Kubernetes time.
    private func kubeTime(_ t: Timestamp) -> String { String(t.description.prefix(19)) + "Z" }

    /// ARM time with seven fractional digits, as the activity log writes it.
    private func armTime(_ t: Timestamp) -> String { String(t.description.prefix(23)) + "0000Z" }

    func coreEvent(_ e: Incident.Event, count: Int, last: Timestamp, cluster: String?) -> JSONValue {
        var involved: [(String, JSONValue)] = [
            ("kind", .string(e.objectKind)), ("name", .string(e.objectName)),
            ("uid", .string(e.objectUID)), ("apiVersion", .string(e.objectKind == "Pod" || e.objectKind == "Node" ? "v1" : "apps/v1")),
        ]
        if let ns = e.objectNamespace { involved.append(("namespace", .string(ns))) }
        if let path = e.fieldPath { involved.append(("fieldPath", .string(path))) }
        var source: [(String, JSONValue)] = [("component", .string(e.component))]
        if let host = e.host { source.append(("host", .string(host))) }
        var members: [(String, JSONValue)] = [
            (
                "metadata",
                .object([
                    ("name", .string(e.name)), ("namespace", .string(e.namespace)), ("uid", .string(e.uid)),
                    ("resourceVersion", .string(String(e.firstSeen.millis / 1000 % 10_000_000))),
                    ("creationTimestamp", .string(kubeTime(e.firstSeen))),
                ])
            ),
            ("involvedObject", .object(involved)),
            ("reason", .string(e.reason)), ("message", .string(e.message)), ("source", .object(source)),
            ("firstTimestamp", .string(kubeTime(e.firstSeen))), ("lastTimestamp", .string(kubeTime(last))),
            ("count", .int(count)), ("type", .string(e.type)), ("eventTime", .null),
            ("reportingComponent", .string(e.component)), ("reportingInstance", .string(e.host ?? "")),
        ]
        if let cluster { members.insert(("clusterName", .string(cluster)), at: 0) }
        return .object(members)
    }

    func exporterLines(_ incident: Incident) -> String {
        struct Sighting {
            var time: Timestamp
            var event: Incident.Event
            var count: Int
        }
        var sightings: [Sighting] = []
        for e in incident.events {
            sightings.append(Sighting(time: e.firstSeen, event: e, count: 1))
            if e.count > 1 { sightings.append(Sighting(time: e.lastSeen, event: e, count: e.count)) }
        }
        sightings.sort { ($0.time, $0.event.uid, $0.count) < ($1.time, $1.event.uid, $1.count) }
        var lines = [
            #"{"level":"info","time":"\#(kubeTime(incident.start))","message":"Reading config file /data/config.yaml"}"#,
            #"{"level":"info","time":"\#(kubeTime(incident.start))","message":"Starting with config: receivers=[dump] route=[{drop:[] match:[{receiver:dump}]}]"}"#,
        ]
        for s in sightings {
            let last = s.count == 1 ? s.event.firstSeen : s.event.lastSeen
            lines.append(coreEvent(s.event, count: s.count, last: last, cluster: incident.cluster).compact())
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func kubectlList(_ incident: Incident) -> String {
        let cutoff = incident.end.adding(seconds: -3600)
        let items = incident.events.filter { $0.lastSeen >= cutoff && $0.lastSeen <= incident.end }
            .map { coreEvent($0, count: $0.count, last: $0.lastSeen, cluster: nil) }
        let list = JSONValue.object([
            ("apiVersion", .string("v1")), ("items", .array(items)), ("kind", .string("List")),
            ("metadata", .object([("resourceVersion", .string(""))])),
        ])
        return list.pretty(indent: 4, sortedKeys: true) + "\n"
    }

    private func pair(_ value: String) -> JSONValue { .object([("value", .string(value)), ("localizedValue", .string(value))]) }

    func restRecord(_ a: Incident.Activity, _ incident: Incident) -> JSONValue {
        var properties: [(String, JSONValue)] = [
            ("eventCategory", .string("Administrative")), ("entity", .string(a.resourceId)),
            ("message", .string(a.operationName)),
            ("hierarchy", .string("72f988bf-86f1-41af-91ab-2d7cd011db47/\(incident.subscription)")),
        ]
        if let body = a.requestBody { properties.append(("requestbody", .string(body))) }
        if a.status != "Started" { properties.append(("statusCode", .string(a.status == "Succeeded" ? "OK" : "InternalServerError"))) }
        if let message = a.statusMessage { properties.append(("statusMessage", .string(message))) }
        let parts = a.resourceId.split(separator: "/")
        let provider = parts.count > 5 ? String(parts[5]) : ""
        return .object([
            ("authorization", .object([("action", .string(a.operationName)), ("scope", .string(a.resourceId))])),
            ("caller", .string(a.caller)), ("channels", .string("Operation")), ("claims", .object([])),
            ("correlationId", .string(a.correlationId)), ("description", .string("")), ("eventDataId", .string(a.eventDataId)),
            ("eventName", pair(a.status == "Started" ? "BeginRequest" : "EndRequest")), ("category", pair("Administrative")),
            (
                "httpRequest",
                .object([
                    ("clientRequestId", .string(a.operationId)), ("clientIpAddress", .string("203.0.113.24")),
                    ("method", .string(a.operationName.hasSuffix("/action") ? "POST" : "PUT")),
                ])
            ),
            ("id", .string("\(a.resourceId)/events/\(a.eventDataId)/ticks/\(a.time.millis * 10_000 + 621_355_968_000_000_000)")),
            ("level", .string("Informational")), ("operationId", .string(a.operationId)),
            ("operationName", pair(a.operationName)), ("properties", .object(properties)),
            ("resourceGroupName", .string(a.nodeResourceGroup ? incident.nodeResourceGroup : incident.resourceGroup)),
            ("resourceProviderName", pair(provider)), ("resourceId", .string(a.resourceId)),
            ("status", pair(a.status)), ("subStatus", pair(a.subStatus)),
            ("eventTimestamp", .string(armTime(a.time))), ("submissionTimestamp", .string(armTime(a.time.adding(seconds: 17)))),
            ("subscriptionId", .string(incident.subscription)), ("tenantId", .string("72f988bf-86f1-41af-91ab-2d7cd011db47")),
        ])
    }

    func cliArray(_ incident: Incident) -> String {
        let records = incident.activity.filter { !$0.nodeResourceGroup }.reversed().map { restRecord($0, incident) }
        return JSONValue.array(Array(records)).pretty(indent: 2, sortedKeys: false) + "\n"
    }

    func diagnosticRecord(_ a: Incident.Activity, _ incident: Incident) -> JSONValue {
        let resultType = ["Started": "Start", "Succeeded": "Success", "Failed": "Failure"][a.status] ?? a.status
        return .object([
            ("RoleLocation", .string("West Europe")), ("time", .string(armTime(a.time))),
            ("resourceId", .string(a.resourceId.uppercased())), ("operationName", .string(a.operationName.uppercased())),
            ("category", .string("Administrative")), ("resultType", .string(resultType)),
            ("resultSignature", .string(a.status == "Started" ? "Started." : "\(a.status).")), ("durationMs", .string("0")),
            ("callerIpAddress", .string("203.0.113.24")), ("correlationId", .string(a.correlationId)),
            (
                "identity",
                .object([
                    ("authorization", .object([("scope", .string(a.resourceId)), ("action", .string(a.operationName))])),
                    ("claims", .object([("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", .string(a.caller))])),
                ])
            ),
            ("level", .string("Information")), ("location", .string("westeurope")),
            (
                "properties",
                .object([
                    ("statusCode", .string(a.status == "Started" ? "Accepted" : "OK")),
                    ("eventCategory", .string("Administrative")), ("entity", .string(a.resourceId)),
                    ("message", .string(a.operationName)), ("operationId", .string(a.operationId)),
                ])
            ),
            ("tenantId", .string("72f988bf-86f1-41af-91ab-2d7cd011db47")),
        ])
    }

    /// Hour ("09") → the PT1H.json text of the node resource group's records in that hour.
    func diagnosticFiles(_ incident: Incident) -> [(String, String)] {
        let records = incident.activity.filter(\.nodeResourceGroup)
        let byHour = Dictionary(grouping: records) { String($0.time.description.dropFirst(11).prefix(2)) }
        return byHour.keys.sorted().map { hour in
            (hour, byHour[hour]!.map { diagnosticRecord($0, incident).compact() }.joined(separator: "\n") + "\n")
        }
    }

    func truth(_ incident: Incident) -> JSONValue {
        .object([
            ("note", .string("Ground truth of a simulated incident, computed from the simulation, not from the logs.")),
            ("seed", .int(Int(incident.seed))), ("cluster", .string(incident.cluster)),
            (
                "milestones",
                .array(
                    incident.milestones.map { m in
                        .object([
                            ("round", .int(m.round)), ("started", .string(m.startedAt.description)),
                            ("succeeded", .string(m.succeededAt.description)),
                        ])
                    })
            ),
            (
                "nodes",
                .array(
                    incident.nodes.map { n in
                        .object([
                            ("node", .string(n.name)), ("pool", .string(n.pool)),
                            ("created", .text(n.createdAt?.description)),
                            ("bootstraps", .array(n.bootstraps.map { .string($0.description) })),
                            ("reboots", .array(n.reboots.map { .string($0.description) })),
                            ("removed", .text(n.removedAt?.description)),
                            ("history", .array(n.mechanisms.map { .string($0) })),
                        ])
                    })
            ),
            (
                "failures",
                .array(
                    incident.failures.map { f in
                        .object([
                            ("event_uid", .string(f.eventUID)), ("node", .string(f.node)), ("verdict", .string(f.verdict)),
                            ("missed_round", f.missedRounds.first.map { .int($0) } ?? .null),
                            ("missed_rounds", .array(f.missedRounds.map { .int($0) })), ("cause", .string(f.cause)),
                        ])
                    })
            ),
        ])
    }
}
