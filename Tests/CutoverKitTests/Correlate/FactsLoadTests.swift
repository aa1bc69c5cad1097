import Foundation
import Testing

@testable import CutoverKit

/// `CorrelationStore.loadFacts` reads the events two ways at once (the `Scheduled` ones shared
/// between a second connection and this one, their node read from the message's bytes): what it
/// gives is what one plain query read through `String`s gives.
@Suite("Correlation facts: two readers and the bytes read the same facts as one query")
struct FactsLoadTests {
    /// A simulated incident, plus `Scheduled` events whose messages are generated hostile text.
    static func database() throws -> String {
        let dir = Paths.temporaryDirectory()
        try Pipeline.simulate(spec: SimulationSpec(), directory: dir.path)
        let path = dir.appendingPathComponent("f.sqlite").path
        _ = try Pipeline.ingest(paths: [dir.appendingPathComponent("logs").path], dbPath: path)
        let db = try Database(path: path)
        let columns = try db.rows("SELECT name FROM pragma_table_info('kube_events') ORDER BY cid").map(\.[0].text)
        let select = columns.map { $0 == "event_id" ? "NULL" : $0 == "message" ? "CAST(?1 AS TEXT)" : $0 }
        let copy = try db.prepare(
            "INSERT INTO kube_events SELECT \(select.joined(separator: ", ")) FROM kube_events WHERE reason = 'Scheduled' LIMIT 1")
        for message in hostileMessages() {
            try copy.bind(1, message)
            try copy.step()
            copy.reset()
        }
        return path
    }

    /// Messages that end in a node name and messages that almost do: hostile names, spaces and
    /// tabs around them, no " to ", NULs, upper case and non-ASCII; then random bytes of the
    /// characters the scan looks at, invalid UTF-8 among them.
    static func hostileMessages() -> [String] {
        var out = HostileText.corpus(base: "aks-Apps-12345678-VMSS00000A", count: 200).map { "Successfully assigned ns/p to " + $0 }
        out += [
            "Successfully assigned ns/p to ", "Successfully assigned ns/p to", " to ", "to", "", "Successfully assigned ns/p to \t",
            "Successfully assigned ns/p to  aks-a-1-vmss000001 \t", "Successfully assigned ns/p to ÄKS-Ünïcode-vmss000001",
            "Successfully assigned ns/p to aks-a-1-vmss000001\u{0}aks-hidden", "x to a to b", "x to a b",
        ]
        var rng = SeededGenerator(seed: 17)
        let alphabet: [UInt8] = [0x20, 0x74, 0x6F, 0x09, 0x41, 0x61, 0x2D, 0xC3, 0xA4, 0xFF, 0x80, 0x2F, 0x31]
        for _ in 0..<400 {
            let bytes = (0..<Int.random(in: 0...24, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            out.append(String(decoding: bytes, as: UTF8.self))
            // Invalid UTF-8 kept as it is: the message column holds what the export held.
            out.append(String(decoding: [0x20, 0x74, 0x6F, 0x20] + bytes, as: UTF8.self))
        }
        return out
    }

    /// The relevant events as one query reads them, through `String`s and the public initialiser:
    /// a `Scheduled` event then differs only in what the loader does not keep (message, uid).
    static func oracle(_ db: Database) throws -> [EventFact] {
        let list = CorrelationFacts.relevantReasons.map { "'\($0)'" }.joined(separator: ",")
        let e = try db.prepare(
            """
            SELECT event_id, uid, cluster, object_kind, object_namespace, object_name, reason, coalesce(message, ''),
                   source_component, source_host, first_seen, last_seen, count, source_id
            FROM kube_events NOT INDEXED WHERE reason IN (\(list)) ORDER BY first_seen, event_id
            """)
        var out: [EventFact] = []
        while try e.step() {
            guard let first = e.timestamp(10), let last = e.timestamp(11) else { continue }
            var fact = EventFact(
                eventID: Int64(e.int(0)!), uid: e.string(1), cluster: e.string(2), objectKind: e.string(3), objectNamespace: e.string(4),
                objectName: e.string(5), reason: e.string(6)!, message: e.string(7)!, sourceComponent: e.string(8),
                sourceHost: e.string(9), firstSeen: first, lastSeen: last, count: e.int(12)!, sourceID: Int64(e.int(13)!))
            if fact.reason == "Scheduled" { (fact.message, fact.uid) = ("", nil) }
            out.append(fact)
        }
        return out
    }

    @Test func sharedOrNotTheLoadGivesWhatOneQueryGives() throws {
        let path = try Self.database()
        let db = try Database(path: path)
        let expected = try Self.oracle(db)
        let scheduled = expected.filter { $0.reason == "Scheduled" }
        let stored = try db.int("SELECT count(*) FROM kube_events WHERE reason = 'Scheduled'")
        #expect(scheduled.count > 800, "\(Self.hostileMessages().count) hostile, \(stored) stored")
        // The hostile names found a node for some and none for others: both paths are exercised.
        #expect(scheduled.contains { $0.scheduledNode == nil } && scheduled.contains { $0.scheduledNode?.contains("\u{FFFD}") == true })
        for share in [1, 500, Int.max] {
            let loaded = try CorrelationStore(db: db).loadFacts(shareAbove: share).events
            #expect(loaded.count == expected.count, "shareAbove \(share)")
            let differing = (0..<min(loaded.count, expected.count)).filter { loaded[$0] != expected[$0] }
            let first = differing.first.map { "\(loaded[$0]) against \(expected[$0])" } ?? ""
            #expect(differing.count == 0, "shareAbove \(share): \(differing.count) facts differ, first \(first)")
        }
    }
}
