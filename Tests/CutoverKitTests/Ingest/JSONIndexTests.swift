import Testing

@testable import CutoverKit

@Suite("JSONIndex: lookups by path, escapes, and refusal of bad JSON")
struct JSONIndexTests {
    @Test func findsNestedMembersAndSkipsSubtrees() throws {
        var json = JSONIndex()
        try json.load(#"{"metadata":{"uid":"a","labels":{"uid":"wrong"}},"involvedObject":{"name":"n1","uid":"u"},"count":3}"#)
        #expect(json.string(json.find("metadata", "uid")) == "a")
        #expect(json.string(json.find("involvedObject", "name")) == "n1")
        #expect(json.int(json.find("count")) == 3)
        #expect(json.find("metadata", "missing") == nil)
    }

    @Test func unescapesStringsIncludingSurrogatePairs() throws {
        var json = JSONIndex()
        try json.load(#"{"m":"a\"b\\c\nd \u00e9 \ud83d\ude80 \u0041"}"#)
        #expect(json.string(json.find("m")) == "a\"b\\c\nd é 🚀 A")
    }

    @Test func keepsRawTextOfObjects() throws {
        var json = JSONIndex()
        try json.load(#"{"body": {"a": [1, 2]}, "n": null, "s": ""}"#)
        #expect(json.find("body").map { json.raw($0) } == #"{"a": [1, 2]}"#)
        #expect(json.string(json.find("n")) == nil)
        #expect(json.nonEmpty(json.find("s")) == nil)
    }

    @Test(arguments: [
        #"{"a":1"#, #"{"a":}"#, #"{"a":1,}"#, #"{a:1}"#, #"{"a":"x"#, #"{"a":tru}"#, #"{"a":1} x"#, #"{"a":-}"#,
        "{\"a\":\"line\nbreak\"}",
    ])
    func refusesMalformedRecords(text: String) {
        var json = JSONIndex()
        #expect(throws: JSONIndex.SyntaxError.self) { try json.load(text) }
    }

    @Test func refusesNestingDeeperThanTheLimit() {
        var json = JSONIndex()
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: JSONIndex.SyntaxError.self) { try json.load(deep) }
    }
}
