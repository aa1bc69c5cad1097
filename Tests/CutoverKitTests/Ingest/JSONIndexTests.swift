import Foundation
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

    /// Generated escapes and numbers, well-formed and not, against Foundation's parser (strict to
    /// RFC 8259) as the oracle: each one accepted or refused as it is, and an accepted string
    /// reads as Foundation reads it. Left out, where the two differ on purpose: escapes of UTF-16
    /// surrogates (a lone one becomes U+FFFD here; Foundation refuses it) and numbers beyond a
    /// Double's range (kept here as their text; Foundation refuses them).
    @Test(arguments: [UInt64(1), 2, 3])
    func escapesAndNumbersAreReadAsTheRFCWritesThem(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let escapes = Array(#""\/bfnrtu"#.utf8) + Array("asxU0 '\t".utf8) + [0x00, 0x7F, 0xC3]
        let hex = Array("0123456789abcdefABCDEFgG".utf8)
        let numberBytes = Array("0123456789-+.eE".utf8)
        var strings = 0
        var refused = 0
        var accepted = 0
        for _ in 0..<4000 {
            var text: [UInt8]
            if random.chance(0.5) {
                var content: [UInt8] = Array("a".utf8)
                for _ in 0..<random.int(1...3) {
                    content.append(0x5C)
                    let e = escapes[random.int(0...(escapes.count - 1))]
                    content.append(e)
                    if e == 0x75 {
                        var digits = (0..<random.int(0...5)).map { _ in hex[random.int(0...(hex.count - 1))] }
                        if digits.count >= 4, digits[0] | 0x20 == 0x64,
                            [0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66].contains(digits[1] | 0x20)
                        {
                            digits[0] = 0x30
                        }
                        content += digits
                    }
                    content += Array("z".utf8)  // not a hex digit: a short \u stays short
                }
                text = Array(#"{"s":""#.utf8) + content + Array(#""}"#.utf8)
                strings += 1
            } else {
                let number = (0..<random.int(1...6)).map { _ in numberBytes[random.int(0...(numberBytes.count - 1))] }
                if let value = Double(String(decoding: number, as: UTF8.self)), !value.isFinite { continue }
                text = Array(#"{"n":"#.utf8) + number + Array("}".utf8)
            }
            let oracle = try? JSONSerialization.jsonObject(with: Data(text)) as? [String: Any]
            var json = JSONIndex()
            let ours: Bool
            do {
                try text.withUnsafeBytes { try json.load($0) }
                ours = true
            } catch {
                ours = false
            }
            let shown = String(decoding: text, as: UTF8.self).debugDescription
            #expect(ours == (oracle != nil), "\(shown): ours \(ours ? "accepts" : "refuses")")
            if ours, let oracle, let s = oracle["s"] as? String {
                #expect(json.string(json.find("s")) == s, "\(shown)")
            }
            if ours { accepted += 1 } else { refused += 1 }
        }
        // The corpus has both kinds in number: it is not all one or the other.
        #expect(strings > 1000 && refused > 500 && accepted > 500)
    }
}
