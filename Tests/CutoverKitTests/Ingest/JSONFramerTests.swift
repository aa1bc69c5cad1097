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
