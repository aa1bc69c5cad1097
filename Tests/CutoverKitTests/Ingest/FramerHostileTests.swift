import Foundation
import Testing

@testable import CutoverKit

@Suite("JSONFramer on hostile inputs: nothing vanishes, one broken line swallows nothing")
struct FramerHostileTests {
    static func items(_ text: String, chunk: Int) -> [String] {
        JSONFramerParseOnceTests.items(Array(text.utf8), chunk: chunk, parseOnce: chunk % 2 == 0).filter { !$0.hasPrefix("accepted") }
    }

    static let arrays = ["[1, 2]", "[{\"x\": 1}]", "[]", "[[{\"y\": [2]}]]", "[\"s\"]"]

    /// An event object (NDJSON, or inside a List or an array) with a top-level `value`, `items`
    /// or `records` key, in every position among its keys: each is one record, never a wrapper.
    @Test(arguments: [1, 2, 7, 64, 4096])
    func anEventWithARecordsKeyIsARecord(chunk: Int) {
        var lines: [String] = []
        for key in ["value", "items", "records"] {
            for array in Self.arrays {
                lines.append(#"{"involvedObject":{"kind":"Pod"},"reason":"Failed","\#(key)":\#(array)}"#)
                lines.append(#"{"metadata":{"uid":"u"},"\#(key)":\#(array),"reason":"Failed"}"#)
                lines.append(#"{"reason":"Failed","\#(key)":\#(array),"message":"m"}"#)
            }
        }
        let out = Self.items(lines.joined(separator: "\n") + "\n", chunk: chunk)
        #expect(out.count == lines.count, "\(out.filter { !$0.hasPrefix("record") })")
        #expect(out.allSatisfy { $0.hasPrefix("record") })
        // The same events as a List's items and a top-level array.
        let list = "{\"apiVersion\":\"v1\",\"items\":[\n" + lines.joined(separator: ",\n") + "\n],\"kind\":\"List\"}\n"
        #expect(Self.items(list, chunk: chunk).filter { $0.hasPrefix("record") }.count == lines.count)
        #expect(Self.items("[" + lines.joined(separator: ",") + "]", chunk: chunk).filter { $0.hasPrefix("record") }.count == lines.count)
    }

    /// A wrapper whose first keys are a wrapper's but whose tail has a record's keys: its
    /// elements are read and the object is a reject that says so – never silently dropped.
    @Test(arguments: [1, 3, 4096])
    func aWrapperWithARecordsTailIsReported(chunk: Int) {
        let text = #"{"kind":"List","items":[{"a":1},{"b":2}],"reason":"Failed","message":"x"}"# + "\n" + #"{"c":3}"# + "\n"
        let out = Self.items(text, chunk: chunk)
        #expect(out.filter { $0.hasPrefix("record") }.count == 3)
        #expect(out.contains { $0.contains("also has the key \"reason\"") }, "\(out)")
    }

    /// A broken line, indented by spaces or tabs, among good ones: exactly one reject, every
    /// good line a record, whatever the indentation and the chunk size.
    @Test(arguments: [1, 2, 5, 64, 4096])
    func anIndentedBrokenLineSwallowsNothing(chunk: Int) {
        var rng = SeededGenerator(seed: UInt64(chunk))
        for indent in [" ", "  ", "\t", " \t ", "        "] {
            let good = (0..<8).map { #"{"n":\#($0),"s":"v"}"# }
            let brokenAt = rng.int(0...7)
            var lines = good
            lines.insert(indent + #"{"broken": "never closed", "x": [1, 2"#, at: brokenAt)
            for k in lines.indices where k != brokenAt && rng.chance(0.5) { lines[k] = indent + lines[k] }
            let out = Self.items(lines.joined(separator: "\n") + "\n", chunk: chunk)
            #expect(out.filter { $0.hasPrefix("record") }.count == good.count, "indent \(indent.debugDescription): \(out)")
            #expect(out.filter { $0.hasPrefix("invalid") }.count == 1, "indent \(indent.debugDescription): \(out)")
        }
    }

    /// Pretty-printed objects keep their nested objects that begin indented lines (inside arrays).
    @Test(arguments: [1, 7, 4096])
    func prettyObjectsWithIndentedNestedObjectsStayWhole(chunk: Int) {
        let pretty =
            "{\n    \"metadata\": {\n        \"managedFields\": [\n            {\n                \"manager\": \"kubelet\"\n            }\n        ]\n    },\n    \"reason\": \"Failed\"\n}\n"
        let out = Self.items(pretty + pretty, chunk: chunk)
        #expect(out.count == 2 && out.allSatisfy { $0.hasPrefix("record") }, "\(out)")
    }

    /// A plain file cut mid-record is truncated (exit code 2), as a cut gzip is.
    @Test func aPlainFileCutMidRecordIsTruncated() throws {
        let dir = Paths.temporaryDirectory()
        let lines = (1...50).map { event(uid: "p\($0)", count: 1, first: "2026-11-03T13:00:00Z", last: "2026-11-03T13:00:00Z") }
        let text = lines.joined(separator: "\n")
        for cut in [text.utf8.count - 3, text.utf8.count / 2, 40] {
            let path = dir.appendingPathComponent("cut-\(cut).json").path
            try Data(text.utf8.prefix(cut)).write(to: URL(fileURLWithPath: path))
            let result = try runCutover(["ingest", "--db", "c\(cut).sqlite", path], in: dir)
            #expect(result.status == 2, "cut at \(cut): \(result.stderr)")
            #expect(result.stderr.contains("the last record is cut off by the end of the file"), "\(result.stderr)")
        }
    }
}
