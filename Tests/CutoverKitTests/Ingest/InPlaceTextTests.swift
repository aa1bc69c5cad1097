import Foundation
import Testing

@testable import CutoverKit

/// The parse thread copies a field's text into the row without making a `String` of it
/// (`JSONIndex.appendText`, `present`, `isString` on bytes, `isText`, `withText`, `Timestamp.appendText`).
/// Each is held to the `String` it stands for – `string(node)`, `nonEmpty`, `description` – as the
/// oracle, on generated values: plain and escaped text, surrogate pairs and lone halves, UTF-8 that
/// is valid and that is not, numbers, bools, null, the empty string.
@Suite("In-place text: what the row gets is what the String would have been")
struct InPlaceTextTests {
    /// One generated JSON value, as bytes.
    static func value(_ random: inout SeededGenerator) -> [UInt8] {
        let pieces: [[UInt8]] = [
            Array("kubelet".utf8), Array("Node".utf8), Array("Normal".utf8), Array("aks-apps-1-vmss000001".utf8),
            Array(#"\""#.utf8), Array(#"\\"#.utf8), Array(#"\n"#.utf8), Array(#"\/"#.utf8), Array(#"\u00e9"#.utf8),
            Array(#"\u006bubelet"#.utf8), Array(#"\ud83d\ude00"#.utf8), Array(#"\ud800"#.utf8), Array(#"\udc00x"#.utf8),
            Array(#"\u0000"#.utf8), Array("é".utf8), Array("e\u{301}".utf8), [0xFF], [0xC3], [0xE2, 0x82], Array("0123456789abcdef".utf8),
        ]
        switch random.int(0...9) {
        case 0: return Array("null".utf8)
        case 1: return Array(#""""#.utf8)
        case 2: return Array(String(random.int(-99_999...99_999)).utf8)
        case 3: return Array((random.chance(0.5) ? "true" : "1.5e3").utf8)
        default:
            var text: [UInt8] = [0x22]
            for _ in 0..<random.int(1...4) { text += pieces[random.int(0...(pieces.count - 1))] }
            return text + [0x22]
        }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func textHelpersAgreeWithTheStringsTheyReplace(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var checked = 0
        var matched = 0
        for _ in 0..<3000 {
            let a = Self.value(&random)
            let b = random.chance(0.3) ? a : Self.value(&random)
            let record = Array(#"{"a":"#.utf8) + a + Array(#","b":"#.utf8) + b + Array("}".utf8)
            var json = JSONIndex()
            do { try record.withUnsafeBytes { try json.load($0) } } catch { continue }
            let (x, y) = (try #require(json.child(JSONIndex.root, "a")), try #require(json.child(JSONIndex.root, "b")))
            for node in [x, y] {
                let string = json.string(node)
                var appended: [UInt8] = Array("prefix".utf8)
                json.appendText(node, to: &appended)
                #expect(appended == Array("prefix".utf8) + Array((string ?? "").utf8), "\(String(decoding: record, as: UTF8.self))")
                #expect((json.present(node) != nil) == (json.nonEmpty(node) != nil))
                for expected: StaticString in ["kubelet", "Node", "Normal"] {
                    #expect(json.isText(node, expected) == (string.map { Array($0.utf8) == Array("\(expected)".utf8) } ?? false))
                }
            }
            // Whether `a` as written is the text the row holds for `b` (the field's state bit 1):
            // Foundation, strict to RFC 8259 (it refuses lone surrogates) decodes `a` to exactly
            // those bytes. Only where `a` is UTF-8: Foundation refuses anything else, and what
            // the row holds for it is the text repaired.
            var value: [UInt8] = []
            json.appendText(y, to: &value)
            let ours = value.withUnsafeBufferPointer { json.isString(x, $0[...]) }
            let alone = Array(#"{"a":"#.utf8) + a + Array("}".utf8)
            guard String(validating: alone, as: UTF8.self) != nil else { continue }
            let decoded = (try? JSONSerialization.jsonObject(with: Data(alone)) as? [String: Any])?["a"] as? String
            #expect(ours == (decoded.map { Array($0.utf8) == value } ?? false), "\(String(decoding: record, as: UTF8.self))")
            if ours { matched += 1 }
            checked += 1
        }
        #expect(checked > 2000)
        #expect(matched > 300 && matched < checked - 1000)
        // Canonically equal but not the same bytes: `String`'s `==` says equal, the row does not.
        var json = JSONIndex()
        try json.load(#"{"a":"\u00e9","b":"e\u0301"}"#)
        let (a, b) = (try #require(json.child(JSONIndex.root, "a")), try #require(json.child(JSONIndex.root, "b")))
        #expect(json.string(a) == json.string(b))
        var text: [UInt8] = []
        json.appendText(b, to: &text)
        #expect(!text.withUnsafeBufferPointer { json.isString(a, $0[...]) })
    }

    @Test func timesAreReadInPlaceAsFromTheirText() throws {
        for text in [
            "2026-11-03T10:03:12Z", "2026-11-03T10:03:12.1234567Z", "2026-11-03T10:03:12+01:00", "2026-11-03T10:03:12",
            #"2026\u002d11-03T10:03:12Z"#, "2026-11-03T10:03:12Zé", "x",
        ] {
            var json = JSONIndex()
            try json.load(#"{"t":""# + text + #""}"#)
            let node = try #require(json.child(JSONIndex.root, "t"))
            let inPlace = Result { () throws(Timestamp.ParseError) in
                try json.withText(node) { bytes throws(Timestamp.ParseError) in try Timestamp.parse(bytes) }
            }
            let fromString = Result { () throws(Timestamp.ParseError) in try Timestamp.parse(json.string(node) ?? "") }
            #expect(inPlace == fromString, "\(text)")
        }
    }

    @Test func aTimeIsWrittenAsItsDescription() {
        var random = SeededGenerator(seed: 9)
        let (low, high) = (Timestamp.minimum.millis, Timestamp.maximum.millis)
        for k in 0..<20_000 {
            let millis =
                switch k {
                case 0: low
                case 1: high
                case 2: Int64(0)
                case 3: Int64(-1)
                default: low + Int64(random.next() % UInt64(high - low))
                }
            let t = Timestamp(millis: millis)
            var out: [UInt8] = [0x41]
            t.appendText(to: &out)
            #expect(out == [0x41] + Array(t.description.utf8), "\(millis)")
        }
    }
}
