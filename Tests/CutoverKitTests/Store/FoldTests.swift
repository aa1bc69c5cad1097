import Foundation
import Testing

@testable import CutoverKit

/// The fold by uid against an oracle written out in Swift: generated exports where uids repeat
/// within a file and across files, with ties on the last sighting and the count, first sightings
/// that differ, and uids that differ only by case or by Unicode normalisation (which must not fold).
@Suite("Fold: repeats of one uid become the one row the contract names")
struct FoldTests {
    let dir = Paths.temporaryDirectory()

    struct Copy {
        let uid: String
        let count: Int
        let first: String
        let last: String
        let host: String  // names the copy, so the row kept says which copy it was
    }

    /// `files` exports; each uid appears in 1...`maxCopies` copies spread over them, or once when
    /// `repeatEvery` says it is not one of the repeating ones.
    static func corpus(seed: UInt64, uids: Int, repeatEvery: Int, maxCopies: Int, files: Int) -> [[Copy]] {
        var random = SeededGenerator(seed: seed)
        var out = [[Copy]](repeating: [], count: files)
        let odd = ["Ab-1", "ab-1", "caf\u{E9}", "cafe\u{301}", "q\"uote", "back\\slash", "tab\there"]
        for n in 0..<uids {
            let uid = n < odd.count ? odd[n] : "\(random.hex(8))-\(n)"
            let copies = n % repeatEvery == 0 ? random.int(2...maxCopies) : 1
            for c in 0..<copies {
                // Few distinct values, so ties on the last sighting and the count are common.
                let first = random.int(0...3)
                let last = first + random.int(0...2)
                out[random.int(0...(files - 1))].append(
                    Copy(
                        uid: uid, count: random.int(1...3), first: String(format: "2026-11-03T13:%02d:00Z", first),
                        last: String(format: "2026-11-03T13:%02d:00Z", last),
                        host: "aks-apps-12345678-vmss\(String(format: "%06d", n * 10 + c))"))
            }
        }
        for f in out.indices { out[f].shuffle(using: &random) }
        return out
    }

    static func record(_ c: Copy) -> String { event(uid: c.uid, count: c.count, first: c.first, last: c.last, host: c.host) }

    /// What the store must hold afterwards, file by file as the ingest folds: per uid (by its
    /// bytes), the highest count and the earliest first sighting, on the row last seen latest,
    /// then with the higher count, then stored first. A row kept from an earlier file competes
    /// with what that fold made of it.
    static func expected(_ files: [[Copy]]) -> [[String]] {
        var stored: [Copy] = []
        for file in files {
            let new = Set(file.map { Array($0.uid.utf8) })
            stored += file
            var groups: [[UInt8]: [Int]] = [:]
            for (i, row) in stored.enumerated() { groups[Array(row.uid.utf8), default: []].append(i) }
            var gone = Set<Int>()
            for (key, members) in groups where members.count > 1 && new.contains(key) {
                var kept = members[0]
                for i in members.dropFirst() where (stored[i].last, stored[i].count) > (stored[kept].last, stored[kept].count) { kept = i }
                let k = stored[kept]
                stored[kept] = Copy(
                    uid: k.uid, count: members.map { stored[$0].count }.max()!, first: members.map { stored[$0].first }.min()!,
                    last: k.last, host: k.host)
                gone.formUnion(members.filter { $0 != kept })
            }
            stored = stored.enumerated().filter { !gone.contains($0.offset) }.map(\.element)
        }
        let millis = { (t: String) in t.replacingOccurrences(of: ":00Z", with: ":00.000Z") }
        return stored.map { [$0.uid, $0.host, String($0.count), millis($0.first), millis($0.last)] }.sorted { $0[1] < $1[1] }
    }

    func check(seed: UInt64, uids: Int, repeatEvery: Int, bulk: Bool) throws {
        let files = Self.corpus(seed: seed, uids: uids, repeatEvery: repeatEvery, maxCopies: 5, files: 3)
        let db = dir.appendingPathComponent("fold-\(seed)-\(bulk).sqlite").path
        var options = Ingester.Options()
        options.bulkLoadBytes = bulk ? 1 : 1 << 40
        var folded = 0
        for (i, copies) in files.enumerated() {
            let path = dir.appendingPathComponent("export-\(seed)-\(bulk)-\(i).ndjson").path
            try copies.map { Self.record($0) }.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
            folded += try Pipeline.ingest(paths: [path], dbPath: db, options: options).duplicates
        }
        let want = Self.expected(files)
        let store = try Database(path: db)
        let rows = try store.rows("SELECT uid, source_host, count, first_seen, last_seen FROM kube_events ORDER BY source_host")
        #expect(rows.count == want.count)
        // Compared as bytes: Swift's `==` would take `café` and `cafe` + U+0301 for one uid.
        let got = rows.map { $0.map(\.text) }
        let wrong = zip(got, want).first { $0.0.map { Array($0.utf8) } != $0.1.map { Array($0.utf8) } }
        #expect(wrong == nil, "first row that differs (stored, expected): \(String(describing: wrong))")
        #expect(folded == files.joined().count - want.count)
        // The indexes are all there again, whichever way the fold deleted.
        let indexes = try store.rows("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'kube_events' ORDER BY name")
        #expect(indexes.map(\.[0].text) == ["kube_events_by_reason", "kube_events_by_uid", "kube_events_pod_starts"])
        #expect(try store.rows("PRAGMA integrity_check").map(\.[0].text) == ["ok"])
        // Each kept record still comes back as its input said: its own count and first sighting
        // in the reassembled JSON, not the folded ones.
        let inputs = Dictionary(files.joined().map { ($0.host, $0) }, uniquingKeysWith: { a, _ in a })
        let back = try store.rows(
            """
            SELECT e.source_host, json_extract(j.json, '$.count'), json_extract(j.json, '$.firstTimestamp')
            FROM kube_events e JOIN kube_events_json j USING (event_id)
            """)
        #expect(back.count == want.count)
        for row in back {
            let input = try #require(inputs[row[0].text])
            #expect(row[1].text == String(input.count) && row[2].text == input.first)
        }
    }

    /// Many repeats: more than one row in 25 goes, so the uid index is dropped for the delete.
    @Test(arguments: [(UInt64(1), true), (2, false), (3, true), (4, false)])
    func manyRepeats(seed: UInt64, bulk: Bool) throws {
        try check(seed: seed, uids: 600, repeatEvery: 2, bulk: bulk)
    }

    /// Few repeats among many rows: the delete goes through the index.
    @Test(arguments: [(UInt64(5), true), (6, false)])
    func fewRepeats(seed: UInt64, bulk: Bool) throws {
        try check(seed: seed, uids: 3000, repeatEvery: 150, bulk: bulk)
    }

    /// The copies a fold deletes leave no bytes in the file (the row kept is what retention
    /// later deletes for good; a copy of it must not outlive it in the free space of a page).
    @Test func copiesFoldedAwayAreZeroedInTheFile() throws {
        let db = dir.appendingPathComponent("zeroed.sqlite").path
        let path = dir.appendingPathComponent("copies.ndjson").path
        let copies = (1...3).map {
            Self.record(Copy(uid: "one-uid", count: 3, first: "2026-11-03T13:00:00Z", last: "2026-11-03T13:0\($0):00Z", host: "aks-apps-1"))
                .replacingOccurrences(of: "Error: ErrImagePull", with: "copy-\($0)-of-three")
        }
        // Among other rows, so the page they share is not rewritten whole.
        let others = (1...300).map {
            Self.record(Copy(uid: "other-\($0)", count: 1, first: "2026-11-03T13:00:00Z", last: "2026-11-03T13:00:00Z", host: "aks-apps-1"))
        }
        try (others[..<150] + copies + others[150...]).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try Pipeline.ingest(paths: [path], dbPath: db).duplicates == 2)
        let store = try Database(path: db)
        #expect(try store.rows("SELECT message FROM kube_events WHERE uid = 'one-uid'").map(\.[0].text) == ["copy-3-of-three"])
        try store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        let file = try Data(contentsOf: URL(fileURLWithPath: db))
        #expect(file.range(of: Data("copy-3-of-three".utf8)) != nil)
        for gone in ["copy-1-of-three", "copy-2-of-three"] { #expect(file.range(of: Data(gone.utf8)) == nil, "\(gone) still in the file") }
    }
}
