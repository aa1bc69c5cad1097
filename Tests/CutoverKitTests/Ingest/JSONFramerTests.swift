import Foundation
import Testing

@testable import CutoverKit

/// What the framer emitted, in a comparable form.
enum Framed: Equatable {
    case record(String, line: Int)
    case invalid(String, line: Int)
}

/// Drip-feeds `text` in chunks of `chunk` bytes to a framer's `feed` and `finish`.
func dripFeed(
    _ text: String, chunk: Int, feed: (UnsafeRawBufferPointer, (FramedItem) -> Void) -> Void,
    finish: ((FramedItem) -> Void) -> Void
) -> [Framed] {
    var out: [Framed] = []
    let collect: (FramedItem) -> Void = { item in
        switch item {
        case .record(let bytes, let position):
            out.append(.record(String(decoding: bytes, as: UTF8.self), line: position.line))
        case .invalid(let reason, _, let position):
            out.append(.invalid(reason, line: position.line))
        }
    }
    let bytes = Array(text.utf8)
    var i = 0
    while i < bytes.count {
        let end = min(bytes.count, i + chunk)
        bytes[i..<end].withUnsafeBytes { feed($0, collect) }
        i = end
    }
    finish(collect)
    return out
}

func frame(_ text: String, chunk: Int, maxRecordBytes: Int = 1 << 20) -> [Framed] {
    var framer = JSONFramer(maxRecordBytes: maxRecordBytes)
    return dripFeed(text, chunk: chunk, feed: { framer.feed($0, $1) }, finish: { framer.finish($0) })
}

@Suite("JSONFramer: every framing, drip-fed in chunks of any size")
struct JSONFramerTests {
    static let chunkSizes = [1, 2, 7, 4096, Int.max]

    @Test(arguments: chunkSizes)
    func ndjsonWithBlankLinesCRLFAndNoFinalNewline(chunk: Int) {
        let text = "{\"a\":1}\r\n\r\n{\"b\":\"x\\\"}\"}\n{\"c\":[1,{\"d\":2}]}"
        #expect(
            frame(text, chunk: chunk) == [
                .record("{\"a\":1}", line: 1), .record("{\"b\":\"x\\\"}\"}", line: 3), .record("{\"c\":[1,{\"d\":2}]}", line: 4),
            ])
    }

    @Test(arguments: chunkSizes)
    func arrayOfRecords(chunk: Int) {
        let text = "[\n  {\"a\": 1},\n  {\"b\": [2]}\n]\n"
        #expect(frame(text, chunk: chunk) == [.record("{\"a\": 1}", line: 2), .record("{\"b\": [2]}", line: 3)])
    }

    @Test(arguments: chunkSizes)
    func kubectlListIsStreamedItemByItem(chunk: Int) {
        let text = """
            {
                "apiVersion": "v1",
                "items": [
                    {
                        "reason": "Pulled"
                    },
                    {
                        "reason": "Failed"
                    }
                ],
                "kind": "List",
                "metadata": {
                    "resourceVersion": ""
                }
            }
            {"next": true}
            """
        let items = frame(text, chunk: chunk)
        #expect(items.count == 3)
        #expect(items[0] == .record("{\n            \"reason\": \"Pulled\"\n        }", line: 4))
        #expect(items[1] == .record("{\n            \"reason\": \"Failed\"\n        }", line: 7))
        #expect(items[2] == .record("{\"next\": true}", line: 16))
    }

    @Test(arguments: chunkSizes)
    func eventHubsRecordsAndRestValuePage(chunk: Int) {
        let text = "{\"records\":[{\"time\":\"t1\"},{\"time\":\"t2\"}]}\n{\"value\":[{\"x\":1}],\"nextLink\":null}"
        #expect(
            frame(text, chunk: chunk) == [
                .record("{\"time\":\"t1\"}", line: 1), .record("{\"time\":\"t2\"}", line: 1), .record("{\"x\":1}", line: 2),
            ])
    }

    @Test(arguments: chunkSizes)
    func concatenatedPrettyObjectsFromAWatch(chunk: Int) {
        let text = "{\n    \"type\": \"ADDED\"\n}{\n    \"type\": \"MODIFIED\"\n}\n"
        #expect(
            frame(text, chunk: chunk) == [
                .record("{\n    \"type\": \"ADDED\"\n}", line: 1), .record("{\n    \"type\": \"MODIFIED\"\n}", line: 3),
            ])
    }

    @Test(arguments: chunkSizes)
    func textThatIsNotJSONIsReportedWithItsLine(chunk: Int) {
        // The real Dynatrace capture starts with the word "Content" before the record.
        let text = "Content\n{\n  \"time\": \"x\"\n}\n"
        #expect(frame(text, chunk: chunk) == [.invalid("not JSON", line: 1), .record("{\n  \"time\": \"x\"\n}", line: 2)])
    }

    @Test(arguments: chunkSizes)
    func arrayElementsThatAreNotObjects(chunk: Int) {
        let text = "[{\"a\":1}, 42, \"s]\", [1,2], {\"b\":2}]"
        #expect(
            frame(text, chunk: chunk) == [
                .record("{\"a\":1}", line: 1), .invalid("array element is not an object", line: 1),
                .invalid("array element is not an object", line: 1), .invalid("array element is not an object", line: 1),
                .record("{\"b\":2}", line: 1),
            ])
    }

    @Test(arguments: chunkSizes)
    func brokenLineDoesNotSwallowTheLinesAfterIt(chunk: Int) {
        let text = "{\"a\":1}\n{\"b\":\"unterminated\n{\"c\":3}\n{\"d\":[\n{\"e\":5}\n"
        #expect(
            frame(text, chunk: chunk) == [
                .record("{\"a\":1}", line: 1), .invalid("record not closed before the next line's record begins", line: 2),
                .record("{\"c\":3}", line: 3), .invalid("record not closed before the next line's record begins", line: 4),
                .record("{\"e\":5}", line: 5),
            ])
    }

    @Test(arguments: chunkSizes)
    func oversizedRecordIsRejectedAndTheNextOneKept(chunk: Int) {
        let big = "{\"m\":\"" + String(repeating: "x", count: 500) + "\"}"
        let text = big + "\n{\"ok\":1}\n"
        #expect(
            frame(text, chunk: chunk, maxRecordBytes: 100) == [
                .invalid("record larger than 100 bytes", line: 1), .record("{\"ok\":1}", line: 2),
            ])
    }

    @Test(arguments: chunkSizes)
    func valueCutOffByTheEndOfTheInput(chunk: Int) {
        let text = "{\"a\":1}\n{\"b\":[1,2"
        #expect(frame(text, chunk: chunk) == [.record("{\"a\":1}", line: 1), .invalid("input ends inside a JSON value", line: 2)])
    }
}

/// The parse-once paths (`parse`: whole NDJSON lines, whole array elements) must frame exactly
/// as the byte-by-byte scan does: same records, same invalid items, same positions, whatever
/// the bytes and the chunking.
@Suite("JSONFramer: NDJSON lines and array elements parsed at once, identically")
struct JSONFramerParseOnceTests {
    /// Items with their byte offsets, framed with or without the parse-once paths.
    static func items(_ bytes: [UInt8], chunk: Int, parseOnce: Bool) -> [String] {
        var framer = JSONFramer(maxRecordBytes: 300)
        var json = JSONIndex()
        var accepted = 0
        var out: [String] = []
        let collect: (FramedItem) -> Void = { item in
            switch item {
            case .record(let b, let p): out.append("record \(p.offset) \(p.line) \(String(decoding: b, as: UTF8.self))")
            case .invalid(let reason, let snippet, let p):
                out.append("invalid \(p.offset) \(p.line) \(reason) \(String(decoding: snippet, as: UTF8.self))")
            }
        }
        let parse: (UnsafeRawBufferPointer) -> Int? = { bytes in
            let length = json.loadPrefix(bytes)
            if length != nil { accepted += 1 }
            return length
        }
        var i = 0
        while i < bytes.count {
            let end = min(bytes.count, i + chunk)
            bytes[i..<end].withUnsafeBytes { framer.feed($0, parse: parseOnce ? parse : nil, collect) }
            i = end
        }
        framer.finish(collect)
        if parseOnce && chunk == Int.max { out.append("accepted \(accepted)") }
        return out
    }

    static let seeds: [String] = [
        "{\"a\":1}\r\n\r\n{\"b\":\"x\\\"}\"}\n{\"c\":[1,{\"d\":2}]}",
        "{\"a\":1} {\"b\":2}\n{\"c\":{\"d\":3}}\n  {\"e\":4}  \n{\"f\":\"}\"}\n",
        "{\"records\":[{\"a\":1},{\"b\":2}]}\n{\"x\":1}\n",
        "{\"a\":{\"b\":1}\n{\"c\":2}\nnot json\n{\"d\":\"\\u00e9\"}\t\n{\"too\":\"" + String(repeating: "x", count: 400) + "\"}\n{\"e\":5}",
        "{\n  \"pretty\": 1\n}\n{\"compact\":2}\n",
        // Lists and arrays: indented elements, elements that begin their line (one with a
        // nested object that begins a line too), a non-object element, a broken one, one
        // over the size limit, the wrapper's other members after the items.
        "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {\n            \"a\": [1, {\"b\": \"]}\"}]\n        },\n"
            + "        {\"c\": 2}, 7, {\"d\": }\n    ],\n    \"kind\": \"List\"\n}\n",
        "[\n{\"a\": 1},\n{\"b\":\n{\"c\": 2}},\n  {\"e\": \"" + String(repeating: "y", count: 400) + "\"},\n  {\"f\": null}\n]",
        "{\"records\": [ {\"a\": {\"b\": [true, false]}} , {\"c\": \"\\u00e9\\\"\"}\t,{}]}{\"value\":[{\"x\":1}],\"nextLink\":null}",
    ]

    @Test func sameItemsAsTheByteScanOnSeedsCorpusAndMutations() throws {
        var inputs = Self.seeds.map { Array($0.utf8) }
        let corpus = Paths.repository.appendingPathComponent("Fuzz/corpus")
        for name in try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted() {
            inputs.append(Array(try Data(contentsOf: corpus.appendingPathComponent(name))))
        }
        var rng = SeededGenerator(seed: 2026)
        let edits: [UInt8] = Array("{}[]\"\\\n\r ,:x".utf8)
        for base in inputs.prefix(Self.seeds.count + 4) {
            for _ in 0..<300 where !base.isEmpty {
                var mutated = base
                for _ in 0...rng.int(0...3) {
                    let at = rng.int(0...(mutated.count - 1))
                    switch rng.int(0...2) {
                    case 0: mutated[at] = edits[rng.int(0...(edits.count - 1))]
                    case 1: mutated.insert(edits[rng.int(0...(edits.count - 1))], at: at)
                    default: if mutated.count > 1 { mutated.remove(at: at) }
                    }
                }
                inputs.append(mutated)
            }
        }
        var differing = 0
        for input in inputs {
            for chunk in [1, 5, 64, Int.max] {
                let scanned = Self.items(input, chunk: chunk, parseOnce: false)
                var fast = Self.items(input, chunk: chunk, parseOnce: true)
                if chunk == Int.max { fast.removeLast() }
                if scanned != fast {
                    differing += 1
                    Issue.record(
                        "differs for \(String(decoding: input, as: UTF8.self).debugDescription) in chunks of \(chunk): \(scanned) vs \(fast)"
                    )
                }
            }
        }
        #expect(differing == 0)
        #expect(inputs.count > 2000)
    }

    @Test func theParseOncePathsAreTakenForNDJSONAndListItems() {
        let ndjson = Array("{\"a\":1}\n{\"b\":2}\n".utf8)
        #expect(Self.items(ndjson, chunk: Int.max, parseOnce: true).last == "accepted 2")
        let list = Array(
            "{\n  \"items\": [\n    {\n      \"a\": 1\n    },\n    {\n      \"b\": 2\n    }\n  ],\n  \"kind\": \"List\"\n}\n".utf8)
        let items = Self.items(list, chunk: Int.max, parseOnce: true)
        #expect(items.first == "record 19 3 {\n      \"a\": 1\n    }")
        #expect(items[1] == "record 45 6 {\n      \"b\": 2\n    }")
        #expect(items.last == "accepted 2")
        let pretty = Array("{\n \"a\": 1\n}\n".utf8)
        #expect(Self.items(pretty, chunk: Int.max, parseOnce: true).last == "accepted 0")
    }
}
