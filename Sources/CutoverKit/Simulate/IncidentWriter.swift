import Foundation

/// Renders an `Incident` as the files an SRE would collect, in real export shapes.
///
/// Out, under `directory`: `logs/kube/…` and `logs/arm/…` in the spec's shapes (see
/// `ExportShape`; gzip unless the spec says plain), and `truth.json`, what really happened,
/// for accuracy tests (not an input). The first Kubernetes shape holds every event; the others
/// overlap it the way real exports do (a snapshot of the last hour, a watch started at 11:00).
/// The first activity-log shape holds the cluster resource group's records, the last one the
/// node resource group's (Compute actions), and any shape between them a copy of everything.
public struct IncidentWriter {
    public var shapes: [ExportShape]
    public var gzip: Bool
    /// Told each file's path and size once it is written (`simulate` prints them on a terminal:
    /// a fleet-sized incident takes minutes).
    public var written: (@Sendable (_ path: String, _ bytes: Int) -> Void)?

    public init(shapes: [ExportShape] = SimulationSpec().shapes, gzip: Bool = true, written: (@Sendable (String, Int) -> Void)? = nil) {
        self.shapes = shapes
        self.gzip = gzip
        self.written = written
    }

    public func write(_ incident: Incident, to directory: String) throws {
        let logs = (directory as NSString).appendingPathComponent("logs")
        try makeDirectories(logs)
        for (i, shape) in shapes.filter(\.isKubernetes).enumerated() {
            let (name, text) = kubernetesFile(shape, incident, complete: i == 0)
            try save(text, to: "\(logs)/kube/\(name)")
        }
        try writeActivity(incident.activity.map { ($0, incident) }, logs: logs)
        try (truth(incident).pretty(indent: 2, sortedKeys: false) + "\n")
            .write(toFile: (directory as NSString).appendingPathComponent("truth.json"), atomically: true, encoding: .utf8)
    }

    /// An activity-log record with the incident (cluster) it belongs to.
    typealias Tagged = (activity: Incident.Activity, incident: Incident)

    func makeDirectories(_ logs: String) throws {
        for sub in ["kube", "arm"] {
            try FileManager.default.createDirectory(
                atPath: (logs as NSString).appendingPathComponent(sub), withIntermediateDirectories: true)
        }
    }

    /// The activity-log shapes: the first holds the cluster resource groups' records, the last
    /// the node resource groups', any between them everything; one shape holds everything.
    func writeActivity(_ all: [Tagged], logs: String) throws {
        let arm = shapes.filter { !$0.isKubernetes }
        for (i, shape) in arm.enumerated() {
            var records: [Tagged]
            if arm.count == 1 {
                records = all
            } else if i == 0 {
                records = all.filter { !$0.activity.nodeResourceGroup }
            } else if i == arm.count - 1 {
                records = all.filter(\.activity.nodeResourceGroup)
            } else {
                records = all
            }
            records.sort { ($0.activity.time, $0.activity.eventDataId) < ($1.activity.time, $1.activity.eventDataId) }
            for (path, text) in activityFiles(shape, records) {
                let full = "\(logs)/arm/\(path)"
                try FileManager.default.createDirectory(
                    atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try save(text, to: full)
            }
        }
    }

    func save(_ text: String, to path: String) throws {
        if gzip {
            let writer = try GzipWriter(path: path + ".gz")
            try writer.write(text)
            try writer.close()
        } else {
            try text.write(toFile: path, atomically: false, encoding: .utf8)
        }
        written?(gzip ? path + ".gz" : path, text.utf8.count)
    }

    func kubernetesFile(_ shape: ExportShape, _ incident: Incident, complete: Bool) -> (String, String) {
        let lastHour = complete ? incident.start : incident.end.adding(seconds: -3600)
        let watchStart = complete ? incident.start : incident.start.adding(seconds: 3 * 3600)
        switch shape {
        case .kubectlList:
            return ("kubectl-get-events.json", kubectlList(incident, since: lastHour))
        case .kubectlWatch:
            return ("kubectl-get-events-watch.json", watchStream(incident, since: watchStart))
        case .eventsV1:
            return ("kubectl-get-events-v1.json", eventsV1List(incident, since: lastHour))
        case .kubeEvents:
            return (
                "kube-events.json",
                JSONValue.array(kubeEventsRows(incident).map { .object($0) }).pretty(indent: 2, sortedKeys: false) + "\n"
            )
        case .kubeEventsCSV:
            return ("kube-events.csv", csv(kubeEventsRows(incident), timeColumns: ["TimeGenerated", "FirstSeen", "LastSeen"]))
        default:
            return ("event-exporter.ndjson", exporterLines(incident))
        }
    }

    func activityFiles(_ shape: ExportShape, _ records: [Tagged]) -> [(String, String)] {
        switch shape {
        case .pt1h:
            return diagnosticFiles(records).map { subscription, hour, text in
                (
                    "insights-activity-logs/resourceId=/SUBSCRIPTIONS/\(subscription.uppercased())/y=2026/m=11/d=03/h=\(hour)/m=00/PT1H.json",
                    text
                )
            }
        case .eventHubs:
            let messages = stride(from: 0, to: records.count, by: 20).map { start in
                JSONValue.object([
                    ("records", .array(records[start..<min(records.count, start + 20)].map { diagnosticRecord($0.activity, $0.incident) }))
                ]).compact()
            }
            return [("eventhub-insights-activity-logs.json", messages.joined(separator: "\n") + "\n")]
        case .azureActivityCSV:
            let rows = records.map { a -> [(String, JSONValue)] in
                guard case .object(let members) = azureActivityRow(a.activity, a.incident) else { return [] }
                return members.map { key, value in key == "Properties_d" ? (key, .string(value.compact())) : (key, value) }
            }
            return [("azure-activity.csv", csv(rows, timeColumns: ["TimeGenerated", "EventSubmissionTimestamp"]))]
        case .azureActivity:
            return [
                (
                    "azure-activity.json",
                    JSONValue.array(records.map { azureActivityRow($0.activity, $0.incident) }).pretty(indent: 2, sortedKeys: false)
                        + "\n"
                )
            ]
        default:
            return [
                (
                    "activity-log.json",
                    JSONValue.array(records.reversed().map { restRecord($0.activity, $0.incident) }).pretty(indent: 2, sortedKeys: false)
                        + "\n"
                )
            ]
        }
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

    struct Sighting {
        var time: Timestamp
        var event: Incident.Event
        var count: Int
        var last: Timestamp { count == 1 ? event.firstSeen : event.lastSeen }
    }

    /// Every update of every event, in time order: an event that repeated is seen at its
    /// first and at its last occurrence, as a watch or the exporter sees it.
    func sightings(_ incident: Incident, since start: Timestamp) -> [Sighting] {
        var list: [Sighting] = []
        for e in incident.events {
            if e.firstSeen >= start { list.append(Sighting(time: e.firstSeen, event: e, count: 1)) }
            if e.count > 1 && e.lastSeen >= start { list.append(Sighting(time: e.lastSeen, event: e, count: e.count)) }
        }
        return list.sorted { ($0.time, $0.event.uid, $0.count) < ($1.time, $1.event.uid, $1.count) }
    }

    func exporterLines(_ incident: Incident) -> String { exporterLines([incident]) }

    /// One kubernetes-event-exporter stream for every cluster in `incidents` (a fleet
    /// exporter tags each event with its `clusterName`), in time order.
    func exporterLines(_ incidents: [Incident]) -> String {
        let start = incidents.map(\.start).min() ?? Timestamp(millis: 0)
        var lines = [
            #"{"level":"info","time":"\#(kubeTime(start))","message":"Reading config file /data/config.yaml"}"#,
            #"{"level":"info","time":"\#(kubeTime(start))","message":"Starting with config: receivers=[dump] route=[{drop:[] match:[{receiver:dump}]}]"}"#,
        ]
        let all = incidents.flatMap { i in sightings(i, since: i.start).map { (i.cluster, $0) } }
            .sorted { ($0.1.time, $0.1.event.uid, $0.1.count) < ($1.1.time, $1.1.event.uid, $1.1.count) }
        for (cluster, s) in all {
            lines.append(coreEvent(s.event, count: s.count, last: s.last, cluster: cluster).compact())
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `kubectl get events -A -w -o json`: one pretty object per update, no separator.
    func watchStream(_ incident: Incident, since start: Timestamp) -> String {
        sightings(incident, since: start).map { s in
            coreEvent(s.event, count: s.count, last: s.last, cluster: nil).pretty(indent: 4, sortedKeys: true) + "\n"
        }.joined()
    }

    func eventsV1List(_ incident: Incident, since cutoff: Timestamp) -> String {
        let items = incident.events.filter { $0.lastSeen >= cutoff && $0.lastSeen <= incident.end }.map(eventsV1)
        return JSONValue.object([
            ("apiVersion", .string("v1")), ("items", .array(items)), ("kind", .string("List")),
            ("metadata", .object([("resourceVersion", .string(""))])),
        ]).pretty(indent: 4, sortedKeys: true) + "\n"
    }

    /// The events.k8s.io/v1 view of an event (`regarding`, `note`, `series`, `deprecated*`).
    func eventsV1(_ e: Incident.Event) -> JSONValue {
        var regarding: [(String, JSONValue)] = [
            ("kind", .string(e.objectKind)), ("name", .string(e.objectName)), ("uid", .string(e.objectUID)),
        ]
        if let ns = e.objectNamespace { regarding.append(("namespace", .string(ns))) }
        if let path = e.fieldPath { regarding.append(("fieldPath", .string(path))) }
        var members: [(String, JSONValue)] = [
            ("apiVersion", .string("events.k8s.io/v1")), ("kind", .string("Event")),
            (
                "metadata",
                .object([
                    ("name", .string(e.name)), ("namespace", .string(e.namespace)), ("uid", .string(e.uid)),
                    ("creationTimestamp", .string(kubeTime(e.firstSeen))),
                ])
            ),
            ("eventTime", .string(String(e.firstSeen.description.prefix(23)) + "000Z")),
            ("reportingController", .string(e.component)), ("reportingInstance", .string(e.host ?? "")),
            ("action", .string(e.reason)), ("reason", .string(e.reason)), ("regarding", .object(regarding)),
            ("note", .string(e.message)), ("type", .string(e.type)),
            ("deprecatedSource", .object([("component", .string(e.component))] + (e.host.map { [("host", JSONValue.string($0))] } ?? []))),
            ("deprecatedFirstTimestamp", .string(kubeTime(e.firstSeen))), ("deprecatedLastTimestamp", .string(kubeTime(e.lastSeen))),
            ("deprecatedCount", .int(e.count)),
        ]
        if e.count > 1 {
            members.append(
                (
                    "series",
                    .object([("count", .int(e.count)), ("lastObservedTime", .string(String(e.lastSeen.description.prefix(23)) + "000Z"))])
                ))
        }
        return .object(members)
    }

    func kubectlList(_ incident: Incident, since cutoff: Timestamp) -> String {
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
                .object(
                    [
                        ("statusCode", .string(a.status == "Started" ? "Accepted" : "OK")),
                        ("eventCategory", .string("Administrative")), ("entity", .string(a.resourceId)),
                        ("message", .string(a.operationName)), ("operationId", .string(a.operationId)),
                    ] + (a.requestBody.map { [("requestbody", JSONValue.string($0))] } ?? []))
            ),
            ("tenantId", .string("72f988bf-86f1-41af-91ab-2d7cd011db47")),
        ])
    }

    /// (subscription, hour "09") → the PT1H.json text of the records of that subscription in that hour.
    func diagnosticFiles(_ records: [Tagged]) -> [(String, String, String)] {
        let byHour = Dictionary(grouping: records) { r in
            r.incident.subscription + " " + String(r.activity.time.description.dropFirst(11).prefix(2))
        }
        return byHour.keys.sorted().map { key in
            let parts = key.split(separator: " ").map(String.init)
            return (
                parts[0], parts[1],
                (byHour[key] ?? []).map { diagnosticRecord($0.activity, $0.incident).compact() }.joined(separator: "\n") + "\n"
            )
        }
    }

    /// Container Insights rows: Warning events only (its default), each seen at its first and
    /// last occurrence like the agent's collection cycles see it.
    func kubeEventsRow(_ s: Sighting, _ incident: Incident) -> [(String, JSONValue)] {
        let e = s.event
        return [
            ("TimeGenerated", .string(armTime(s.time))), ("ClusterId", .string(clusterResourceID(incident))),
            ("ClusterName", .string(incident.cluster)), ("Computer", .string(e.host ?? "")), ("Count", .int(s.count)),
            ("FirstSeen", .string(kubeTime(e.firstSeen))), ("KubeEventType", .string(e.type)), ("LastSeen", .string(kubeTime(s.last))),
            ("Message", .string(e.message)), ("Name", .string(e.objectName)), ("Namespace", .string(e.objectNamespace ?? "")),
            ("ObjectKind", .string(e.objectKind)), ("Reason", .string(e.reason)), ("SourceComponent", .string(e.component)),
            ("SourceSystem", .string("Container Insights")), ("Type", .string("KubeEvents")),
        ]
    }

    func kubeEventsRows(_ incident: Incident) -> [[(String, JSONValue)]] {
        sightings(incident, since: incident.start).filter { $0.event.type == "Warning" }.map { kubeEventsRow($0, incident) }
    }

    private func clusterResourceID(_ incident: Incident) -> String {
        "/subscriptions/\(incident.subscription)/resourceGroups/\(incident.resourceGroup)/providers/Microsoft.ContainerService/managedClusters/\(incident.cluster)"
    }

    /// Rows as the portal's CSV export writes them: a header, RFC 4180 quoting, time columns
    /// marked `[UTC]` and shown as `11/3/2026, 1:04:55.597 PM`.
    func csv(_ rows: [[(String, JSONValue)]], timeColumns: Set<String>) -> String {
        guard let first = rows.first else { return "" }
        var lines = [first.map { timeColumns.contains($0.0) ? "\($0.0) [UTC]" : $0.0 }.map(CSVText.field).joined(separator: ",")]
        for row in rows {
            lines.append(
                row.map { key, value in
                    var text: String
                    switch value {
                    case .string(let s): text = s
                    case .int(let i): text = String(i)
                    case .null: text = ""
                    default: text = value.compact()
                    }
                    if timeColumns.contains(key), let t = try? Timestamp.parse(text) { text = portalTime(t) }
                    return CSVText.field(text)
                }.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// `11/3/2026, 1:04:55.597 PM`
    func portalTime(_ t: Timestamp) -> String {
        let s = t.description
        let year = s.prefix(4)
        let month = Int(s.dropFirst(5).prefix(2)) ?? 0
        let day = Int(s.dropFirst(8).prefix(2)) ?? 0
        let hour = Int(s.dropFirst(11).prefix(2)) ?? 0
        let rest = s.dropFirst(13).prefix(10)  // ":MM:SS.mmm"
        let h12 = hour % 12 == 0 ? 12 : hour % 12
        return "\(month)/\(day)/\(year), \(h12)\(rest) \(hour < 12 ? "AM" : "PM")"
    }

    /// A Log Analytics `AzureActivity` row as `az monitor log-analytics query` prints it.
    func azureActivityRow(_ a: Incident.Activity, _ incident: Incident) -> JSONValue {
        var properties: [(String, JSONValue)] = [
            ("eventCategory", .string("Administrative")), ("entity", .string(a.resourceId)),
            ("message", .string(a.operationName)),
        ]
        if let body = a.requestBody { properties.append(("requestbody", .string(body))) }
        if let message = a.statusMessage { properties.append(("statusMessage", .string(message))) }
        let group = a.nodeResourceGroup ? incident.nodeResourceGroup : incident.resourceGroup
        return .object([
            ("TenantId", .string("72f988bf-86f1-41af-91ab-2d7cd011db47")), ("SourceSystem", .string("Azure")),
            ("TimeGenerated", .string(armTime(a.time))), ("OperationNameValue", .string(a.operationName.uppercased())),
            ("Level", .string("Informational")), ("ActivityStatusValue", .string(a.status)),
            ("ActivitySubstatusValue", .string(a.subStatus)), ("Caller", .string(a.caller)),
            ("CallerIpAddress", .string("203.0.113.24")), ("CategoryValue", .string("Administrative")),
            ("CorrelationId", .string(a.correlationId)), ("EventDataId", .string(a.eventDataId)),
            ("OperationId", .string(a.operationId)), ("ResourceGroup", .string(group.uppercased())),
            ("_ResourceId", .string(a.resourceId.lowercased())), ("SubscriptionId", .string(incident.subscription)),
            ("EventSubmissionTimestamp", .string(armTime(a.time.adding(seconds: 17)))),
            ("Properties_d", .object(properties)), ("Type", .string("AzureActivity")),
        ])
    }

    func truth(_ incident: Incident) -> JSONValue {
        .object([
            ("note", .string("Ground truth of a simulated incident, computed from the simulation, not from the logs.")),
            ("seed", .int(Int(incident.seed))), ("playbook", .string(incident.playbook)),
            ("cluster", .string(incident.cluster)),
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
