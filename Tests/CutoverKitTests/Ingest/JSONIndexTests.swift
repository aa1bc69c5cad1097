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

    @Test func loadsAValueWithWhiteSpaceAroundIt() throws {
        var json = JSONIndex()
        try json.load(" \r\n\t{\"a\": \"x\"}\n ")
        #expect(json.string(json.find("a")) == "x")
    }

    @Test func aFailedLoadLeavesNothingToFind() throws {
        var json = JSONIndex()
        try json.load(#"{"a":"first"}"#)
        #expect(throws: JSONIndex.SyntaxError.self) { try json.load(#"{"a":"second", "b": tru}"#) }
        #expect(json.find("a") == nil)
    }

    @Test func loadPrefixParsesTheValueAtTheStartAndSaysWhereItEnds() {
        var json = JSONIndex()
        let text = Array(#"{"a": {"b": "]}"}, "c": [1]},{"d": 2}"#.utf8)
        let length = text.withUnsafeBytes { json.loadPrefix($0) }
        #expect(length == 28)
        #expect(json.string(json.find("a", "b")) == "]}")
        #expect(json.find("c").map { json.raw($0) } == "[1]")
        #expect(json.find("d") == nil)
        // A value cut off by the end of the bytes, or a malformed one, has no length.
        for cut in [Array(text[..<20]), Array(#"{"a": 1,}"#.utf8), []] {
            #expect(cut.withUnsafeBytes { json.loadPrefix($0) } == nil)
        }
    }

    @Test func refusesNestingDeeperThanTheLimit() {
        var json = JSONIndex()
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: JSONIndex.SyntaxError.self) { try json.load(deep) }
    }
}
