import Foundation
import Testing

@testable import CutoverKit

@Suite("docs/SCHEMA.md documents every table, view and column, and nothing else")
struct SchemaDocumentationTests {
    /// Per `### `name`` section of the page: the columns its table lists.
    static func documented() throws -> [String: [String]] {
        let page = try String(contentsOf: Paths.repository.appendingPathComponent("docs/SCHEMA.md"), encoding: .utf8)
        var result: [String: [String]] = [:]
        var current: String?
        for line in page.split(separator: "\n") {
            if line.hasPrefix("### `"), let name = line.split(separator: "`").dropFirst().first {
                current = String(name)
                result[String(name)] = []
            } else if let current, line.hasPrefix("| `"), let column = line.split(separator: "`").dropFirst().first {
                result[current, default: []].append(String(column))
            }
        }
        return result
    }

    static func schema() throws -> [String: [String]] {
        let path = Paths.temporaryDirectory().appendingPathComponent("schema.sqlite").path
        _ = try EventStore(path: path)
        let db = try Database(path: path, readOnly: true)
        var result: [String: [String]] = [:]
        for row in try db.rows("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'") {
            result[row[0].text] = try db.rows("SELECT name FROM pragma_table_info(?1)", [row[0]]).map { $0[0].text }
        }
        return result
    }

    @Test func everyTableAndViewIsDocumentedAndNothingElse() throws {
        let documented = try Self.documented()
        let schema = try Self.schema()
        #expect(
            Set(documented.keys) == Set(schema.keys),
            "only in the schema: \(Set(schema.keys).subtracting(documented.keys).sorted()); only on the page: \(Set(documented.keys).subtracting(schema.keys).sorted())"
        )
        for (name, columns) in schema.sorted(by: { $0.key < $1.key }) {
            #expect(documented[name] == columns, "\(name): the schema has \(columns), the page \(documented[name] ?? [])")
        }
    }

    /// The coded values the page lists are the ones the code writes.
    @Test func theCodedValuesAreTheCodes() throws {
        let page = try String(contentsOf: Paths.repository.appendingPathComponent("docs/SCHEMA.md"), encoding: .utf8)
        let verdicts: [Attribution.Verdict] = [.missedRound, .converged, .preConversion, .unplaced, .noCluster, .milestoneUnknown]
        let kinds: [Bootstrap.Kind] = [
            .upgraderReimage, .registeredNode, .autoRepairReimage, .armInstanceReimage, .armScaleSetReimage, .armScaleSetReimageUnlisted,
            .poolNodeImageUpgrade, .firstSeen, .reboot,
        ]
        let statuses: [Correlator.NodeRound.Status] = [.done, .missed, .gone, .notRequired, .unknown]
        let sources: [Milestone.Source] = [.detected, .inferred, .given, .notObserved]
        let shapes = KubeEvent.Shape.allCases.map(\.rawValue) + ["rest", "diagnostic", "AzureActivity"]
        for code in verdicts.map(\.rawValue) + kinds.map(\.rawValue) + statuses.map(\.rawValue) + sources.map(\.rawValue) + shapes {
            #expect(page.contains("`\(code)`"), "docs/SCHEMA.md does not list \(code)")
        }
    }
}

@Suite("datasette/metadata.json is what queries/ and docs/SCHEMA.md make")
struct DatasetteMetadataTests {
    @Test func theCommittedMetadataIsFresh() throws {
        let result = try runProgram(
            "/usr/bin/env", ["python3", Paths.repository.appendingPathComponent("scripts/datasette-metadata").path, "--check"])
        #expect(result.status == 0, "\(result.stderr)")
        let data = try Data(contentsOf: Paths.repository.appendingPathComponent("datasette/metadata.json"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let database = (object?["databases"] as? [String: Any])?["cutover"] as? [String: Any]
        #expect((database?["queries"] as? [String: Any])?.count == SavedQueryTests.files.count)
        // Every table and view of a new database, described.
        let path = Paths.temporaryDirectory().appendingPathComponent("m.sqlite").path
        _ = try EventStore(path: path)
        let names = try Database(path: path, readOnly: true).rows(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"
        ).map { $0[0].text }
        #expect((database?["tables"] as? [String: Any]).map { Set($0.keys) } == Set(names))
    }
}
