import Foundation
import Testing

@testable import CutoverKit

/// The published real examples in Fixtures/real-samples (their README names the sources), each read as the ingester reads it.
@Suite("Real published samples decode with the right counts and fields")
struct RealSampleTests {
    @Test func dynatraceDiagnosticRecordWithContentLine() throws {
        let file = try decodeFile(Paths.realSample("activitylog-diagsetting-record-real-dynatrace-log3.txt"))
        #expect(file.rejects.map(\.reason) == ["not JSON"])
        #expect(file.rejects.first?.line == 1)
        let record = try #require(file.activity.first)
        #expect(file.activity.count == 1)
        #expect(record.shape == .diagnostic)
        #expect(record.operationName == "MICROSOFT.RESOURCES/SUBSCRIPTIONS/RESOURCEGROUPS/DELETE")
        #expect(record.operation == "microsoft.resources/subscriptions/resourcegroups/delete")
        #expect(record.status == "Succeeded")
        #expect(record.time.description == "2023-12-12T12:06:20.055Z")
        #expect(record.correlationId == "0c808bf1-beec-4a23-88d7-ed1a5adcbee6")
        #expect(record.resourceKey == "/subscriptions/69349acf-2a6c-409d-a925-96ba0c5f099f/resourcegroups/defaultresourcegroup-eus")
    }

    @Test func restAdministrativeSampleEvent() throws {
        let file = try decodeFile(Paths.realSample("activitylog-docs-administrative-sample-event.json"))
        #expect(file.rejects.isEmpty)
        let record = try #require(file.activity.first)
        #expect(record.shape == .rest)
        #expect(record.operationName == "Microsoft.Network/networkSecurityGroups/write")
        #expect(record.status == "Succeeded")
        #expect(record.eventDataId == "aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e")
        #expect(record.operationId == "04e575f8-48d0-4c43-a8b3-78c4eb01d287")
        #expect(record.timeField == "eventTimestamp")
        #expect(record.time.description == "2018-01-29T20:42:31.381Z")
        #expect(record.caller == "rob@contoso.com")
        // The sample's bodies are empty strings: absent, not "".
        #expect(record.requestBody == nil && record.responseBody == nil)
    }

    @Test func eventHubsRecordsWrapper() throws {
        let file = try decodeFile(Paths.realSample("activitylog-docs-storage-eventhub-records-sample.json"))
        #expect(file.rejects.isEmpty)
        #expect(file.activity.count == 1)
        #expect(file.activity.first?.status == "Succeeded")
        #expect(file.activity.first?.operation == "microsoft.support/supporttickets/write")
    }

    @Test func elasticRawRecordsWithBodiesAsStringAndObject() throws {
        let file = try decodeFile(Paths.realSample("activitylog-eventhub-records-elastic-test-activitylogs-raw.log"))
        #expect(file.rejects.isEmpty)
        #expect(file.activity.count == 3)
        #expect(file.activity[0].status == "Started")
        #expect(file.activity[0].operation == "microsoft.eventhub/namespaces/authorizationrules/listkeys/action")
        // The same record twice, its body once a string and once an object: both decode to JSON text.
        let bodies = file.activity.dropFirst().map { $0.requestBody ?? "" }
        #expect(bodies.allSatisfy { $0.hasPrefix("{") })
        #expect(file.activity[1].dedupeKey == file.activity[2].dedupeKey)
    }

    @Test func elasticMixedCaseResourceIds() throws {
        let file = try decodeFile(Paths.realSample("activitylog-eventhub-records-elastic-test-activitylogs-mixedcase-resourceid.log"))
        #expect(file.activity.count == 2)
        #expect(file.activity[1].resourceKey == "/tenants/ffffffff-aaaa-bbbb-cccc-dddddddddddd/providers/microsoft.aadiam")
        #expect(file.activity[0].status == "Succeeded")
    }

    @Test func elasticResponseBodyAsJSONString() throws {
        let file = try decodeFile(Paths.realSample("activitylog-eventhub-records-elastic-test-acitivitylogs-responsebody.log"))
        let record = try #require(file.activity.first)
        let body = try #require(record.responseBody)
        #expect(body.hasPrefix("{\"name\":\"devtest-qvtbh-"))
        var json = JSONIndex()
        try json.load(body)
        #expect(json.string(json.find("properties", "ipAddress")) == "20.166.240.112")
    }

    @Test func restExampleValuePage() throws {
        // The Swagger example wraps the CLI's array in responses.200.body; the array itself is what the CLI prints.
        let data = try Data(contentsOf: URL(fileURLWithPath: Paths.realSample("arm-activitylog-rest-GetActivityLogsFiltered.example.json")))
        let example = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let body = ((example?["responses"] as? [String: Any])?["200"] as? [String: Any])?["body"]
        let page = try JSONSerialization.data(withJSONObject: try #require(body))
        let dir = Paths.temporaryDirectory()
        let path = dir.appendingPathComponent("page.json").path
        try page.write(to: URL(fileURLWithPath: path))
        let file = try decodeFile(path)
        #expect(file.rejects.isEmpty)
        #expect(file.activity.count == 1)
        #expect(file.activity.first?.time.description == "2015-01-21T22:14:26.979Z")
        #expect(file.activity.first?.eventDataId == "44ade6b4-3813-45e6-ae27-7420a95fa2f8")
    }

    @Test func coreV1EventFixture() throws {
        let file = try decodeFile(Paths.realSample("k8s-api-testdata-core.v1.Event.json"))
        let event = try #require(file.kubeEvents.first)
        #expect(event.shape == .coreV1)
        #expect(event.uid == "uidValue")
        #expect(event.objectName == "nameValue")
        #expect(event.reason == "reasonValue" && event.message == "messageValue")
        #expect(event.sourceComponent == "componentValue" && event.sourceHost == "hostValue")
        #expect(event.lastSeen.description == "2007-01-01T01:01:01.000Z")
        #expect(event.timeField == "lastTimestamp")
        #expect(event.firstSeen.description == "2006-01-01T01:01:01.000Z")
        #expect(event.count == 1)  // series.count wins over the deprecated count
    }

    @Test(arguments: ["k8s-api-testdata-events.k8s.io.v1.Event.json", "k8s-api-testdata-events.k8s.io.v1beta1.Event.json"])
    func eventsV1Fixtures(name: String) throws {
        let file = try decodeFile(Paths.realSample(name))
        let event = try #require(file.kubeEvents.first)
        #expect(event.shape == .eventsV1)
        #expect(event.message == "noteValue")
        #expect(event.sourceComponent == "reportingControllerValue")
        #expect(event.sourceHost == "reportingInstanceValue")
        #expect(event.timeField == "series.lastObservedTime")
        #expect(event.lastSeen.description == "2002-01-01T01:01:01.000Z")
    }

    @Test func watchEventOfAnotherKindIsRejectedWithItsKind() throws {
        let file = try decodeFile(Paths.realSample("k8s-api-testdata-core.v1.WatchEvent.json"))
        #expect(file.records.isEmpty)
        #expect(file.rejects.map(\.reason) == ["watch event of kind CustomType, not an Event"])
    }

    @Test func kubectlTableTextIsNotJSON() throws {
        let file = try decodeFile(Paths.realSample("k8s-events-aks-upgrader-kubectl-get-events.docs.txt"))
        #expect(file.records.isEmpty)
        #expect(file.rejects.count == 8)
        #expect(file.rejects.allSatisfy { $0.reason == "not JSON" })
    }
}

@Suite("RecordDecoder: shapes the real samples do not cover")
struct RecordDecoderTests {
    @Test func watchEventWrapsACoreEvent() throws {
        let record = try decodeText(
            #"""
            {"type":"MODIFIED","object":{"kind":"Event","apiVersion":"v1","metadata":{"name":"p.1","namespace":"kube-system","uid":"e1"},
             "involvedObject":{"kind":"Pod","namespace":"kube-system","name":"coredns-1"},"reason":"BackOff",
             "message":"Back-off pulling image \"mcr.microsoft.com/oss/kubernetes/coredns:v1.11.3\"",
             "source":{"component":"kubelet","host":"aks-system-12345678-vmss000000"},
             "firstTimestamp":"2026-11-03T13:00:00Z","lastTimestamp":"2026-11-03T13:10:00Z","count":12,"type":"Normal"}}
            """#)
        guard case .kubeEvent(let e) = record else {
            Issue.record("expected a Kubernetes event, got \(record)")
            return
        }
        #expect(e.count == 12 && e.sourceHost == "aks-system-12345678-vmss000000" && e.objectKind == "Pod")
    }

    @Test func exporterLogLinesAreSkippedNotRejected() throws {
        #expect(
            try decodeText(#"{"level":"info","time":"2026-11-03T08:00:00Z","message":"Reading config file /data/config.yaml"}"#)
                == .skipped(reason: "event-exporter log line"))
    }

    @Test func exporterEventKeepsItsClusterName() throws {
        let record = try decodeText(
            #"""
            {"clusterName":"aks-prod-weu","metadata":{"uid":"u1"},"involvedObject":{"kind":"Node","name":"aks-a-1-vmss000001"},
             "reason":"RegisteredNode","message":"Node x event: Registered Node x in Controller","source":{"component":"node-controller"},
             "firstTimestamp":"2026-11-03T09:00:00Z","lastTimestamp":"2026-11-03T09:00:00Z","count":1,"type":"Normal"}
            """#)
        guard case .kubeEvent(let e) = record else {
            Issue.record("expected an event")
            return
        }
        #expect(e.shape == .exporter && e.cluster == "aks-prod-weu")
    }

    @Test func azureActivityRow() throws {
        let record = try decodeText(
            #"""
            {"TimeGenerated":"2026-11-03T09:03:14.123Z","OperationNameValue":"MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/WRITE",
             "ActivityStatusValue":"Success","CorrelationId":"c1","EventDataId":"E1","_ResourceId":"/subscriptions/s/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/aks1",
             "Properties_d":{"requestbody":"{\"properties\":{\"bootstrapProfile\":{\"artifactSource\":\"Cache\"}}}"}}
            """#)
        guard case .activity(let a) = record else {
            Issue.record("expected an activity record")
            return
        }
        #expect(a.shape == .azureActivity && a.status == "Succeeded" && a.eventDataId == "E1")
        #expect(a.requestBody == #"{"properties":{"bootstrapProfile":{"artifactSource":"Cache"}}}"#)
    }

    @Test func doubleEncodedBodyIsDecodedTwice() throws {
        let record = try decodeText(
            #"""
            {"time":"2026-11-03T09:03:14Z","operationName":"MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/WRITE","resultType":"Start",
             "resourceId":"/X","properties":{"requestbody":"\"{\\\"properties\\\":{}}\""}}
            """#)
        guard case .activity(let a) = record else {
            Issue.record("expected an activity record")
            return
        }
        #expect(a.requestBody == #"{"properties":{}}"#)
        #expect(a.status == "Started")
    }

    @Test func timeWithoutZoneIsAnErrorForThatRecord() {
        #expect(throws: DecodeError.self) {
            try decodeText(#"{"involvedObject":{"kind":"Pod"},"reason":"Failed","lastTimestamp":"2026-11-03T09:03:14"}"#)
        }
    }

    @Test func unknownShapeIsRejected() {
        #expect(throws: DecodeError("unknown record shape: neither a Kubernetes event nor an activity-log record")) {
            try decodeText(#"{"hello":"world"}"#)
        }
    }
}

@Suite("Log Analytics AzureActivity rows, current and legacy columns")
struct AzureActivityColumnTests {
    /// Rows from workspaces created before the 2020 schema (`OperationName`, `ActivityStatus`,
    /// `Category`) and current ones (`…Value`): the status is read from either, so their
    /// reimages count.
    @Test(arguments: [
        (
            #"{"TimeGenerated":"2026-11-03T10:40:00Z","OperationName":"Microsoft.Compute/virtualMachineScaleSets/virtualMachines/reimage/action","ActivityStatus":"Succeeded","Category":"Administrative","ResourceId":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/MC_RG/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINESCALESETS/AKS-A-1-VMSS/VIRTUALMACHINES/3"}"#,
            "Succeeded", "Administrative"
        ),
        (
            #"{"TimeGenerated":"2026-11-03T10:40:00Z","OperationName":"Microsoft.Compute/virtualMachineScaleSets/virtualMachines/reimage/action","ActivityStatus":"Started","Category":"Administrative","ResourceId":"/r"}"#,
            "Started", "Administrative"
        ),
        (
            #"{"TimeGenerated":"2026-11-03T10:40:00Z","OperationNameValue":"MICROSOFT.COMPUTE/VIRTUALMACHINESCALESETS/VIRTUALMACHINES/REIMAGE/ACTION","ActivityStatusValue":"Success","CategoryValue":"Administrative","_ResourceId":"/r"}"#,
            "Succeeded", "Administrative"
        ),
        (
            #"{"TimeGenerated":"2026-11-03T10:40:00Z","OperationName":"Create or Update","OperationNameValue":"MICROSOFT.COMPUTE/X/WRITE","ActivityStatus":"Failed","ActivityStatusValue":"Failure","_ResourceId":"/r"}"#,
            "Failed", ""
        ),
    ])
    func statusAndCategoryFromEitherSchema(row: String, status: String, category: String) throws {
        guard case .activity(let r) = try decodeText(row) else {
            Issue.record("expected an activity record")
            return
        }
        #expect(r.status == status)
        #expect((r.category ?? "") == category)
        #expect(r.shape == .azureActivity)
        #expect(r.operation.hasPrefix("microsoft.compute/"))
    }
}

@Suite("One activity record exported in two shapes is one record")
struct CrossShapeDedupeTests {
    @Test func restAndDiagnosticCopiesShareTheirKey() throws {
        let rest = try decodeText(
            #"""
            {"eventTimestamp":"2026-11-03T10:40:00.1234567Z","operationName":{"value":"Microsoft.Compute/virtualMachineScaleSets/virtualMachines/reimage/action"},
             "status":{"value":"Succeeded"},"correlationId":"AB-1","eventDataId":"e1",
             "resourceId":"/subscriptions/s/resourceGroups/MC_rg/providers/Microsoft.Compute/virtualMachineScaleSets/aks-a-1-vmss/virtualMachines/3"}
            """#)
        let diagnostic = try decodeText(
            #"""
            {"time":"2026-11-03T10:40:00.1234567Z","operationName":"MICROSOFT.COMPUTE/VIRTUALMACHINESCALESETS/VIRTUALMACHINES/REIMAGE/ACTION",
             "resultType":"Success","correlationId":"ab-1",
             "resourceId":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/MC_RG/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINESCALESETS/AKS-A-1-VMSS/VIRTUALMACHINES/3"}
            """#)
        guard case .activity(let a) = rest, case .activity(let b) = diagnostic else {
            Issue.record("expected two activity records")
            return
        }
        #expect(a.naturalKey == b.naturalKey)
        #expect(a.eventDataId == "e1" && b.eventDataId == nil)
    }

    static func rest(_ id: String, correlation: String = "c-1", at: String = "2026-11-03T10:40:00.1234567Z") -> String {
        #"{"eventTimestamp":"\#(at)","operationName":{"value":"Microsoft.ContainerService/managedClusters/write"},"#
            + #""status":{"value":"Succeeded"},"correlationId":"\#(correlation)","eventDataId":"\#(id)","#
            + #""resourceId":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks"}"#
    }

    static func diagnostic(correlation: String = "c-1", at: String = "2026-11-03T10:40:00.1234567Z") -> String {
        #"{"time":"\#(at)","operationName":"MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/WRITE","resultType":"Success","#
            + #""correlationId":"\#(correlation)","resourceId":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS"}"#
    }

    /// Distinct records that share correlation id, operation, status, time and resource (a real
    /// REST page has many) are all kept; a diagnostic-settings copy, which has no eventDataId,
    /// is the same record as any of them, in whichever order the files come; the id inside
    /// `id` counts when `eventDataId` is missing.
    @Test(arguments: [1, 2, 5, 40])
    func distinctIDsAreDistinctRecordsAndCopiesWithoutOneFold(count: Int) throws {
        let dir = Paths.temporaryDirectory()
        let ids = (0..<count).map { "0e1d\($0)-aaaa-bbbb-cccc-\(String(repeating: "f", count: 12))" }
        let page = "[" + ids.map { Self.rest($0) }.joined(separator: ",") + "]"
        try page.write(to: dir.appendingPathComponent("page.json"), atomically: true, encoding: .utf8)
        try (Self.diagnostic() + "\n").write(to: dir.appendingPathComponent("PT1H.json"), atomically: true, encoding: .utf8)
        for order in [["page.json", "PT1H.json"], ["PT1H.json", "page.json"]] {
            let db = dir.appendingPathComponent("\(order[0]).sqlite").path
            for file in order { _ = try Pipeline.ingest(paths: [dir.appendingPathComponent(file).path], dbPath: db) }
            let stored = try Database(path: db, readOnly: true).int("SELECT count(*) FROM activity_records")
            // PT1H first: its record is kept and stands for the page's first copy only if it is
            // the only one; the page's other distinct records are kept beside it.
            #expect(stored == (order[0] == "page.json" ? count : max(count, 1)), "\(order), \(count) ids: \(stored) rows")
        }
        let withIDOnlyInsideID =
            #"{"eventTimestamp":"2026-11-03T10:40:00Z","operationName":{"value":"x/write"},"status":{"value":"Succeeded"},"#
            + #""id":"/subscriptions/s/providers/x/events/9a8b-77/ticks/638999","resourceId":"/r"}"#
        guard case .activity(let r) = try decodeText(withIDOnlyInsideID) else {
            Issue.record("expected an activity record")
            return
        }
        #expect(r.eventDataId == "9a8b-77")
    }
}
