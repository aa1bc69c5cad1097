import Testing

@testable import CutoverKit

@Suite("Timestamp: RFC 3339 in, fixed-width UTC out")
struct TimestampTests {
    @Test(arguments: [
        ("2026-11-03T10:03:12Z", "2026-11-03T10:03:12.000Z"),  // Kubernetes lastTimestamp
        ("2019-10-24T00:13:46.3554259Z", "2019-10-24T00:13:46.355Z"),  // ARM, seven digits
        ("2010-01-01T01:01:01.000010Z", "2010-01-01T01:01:01.000Z"),  // eventTime micro-time
        ("2026-11-03T11:03:12.5+01:00", "2026-11-03T10:03:12.500Z"),
        ("2026-01-01T00:30:00-01:00", "2026-01-01T01:30:00.000Z"),
        ("2024-02-29T23:59:59Z", "2024-02-29T23:59:59.000Z"),
        ("1999-12-31T23:59:59.999z", "1999-12-31T23:59:59.999Z"),
    ])
    func parsesAndPrints(input: String, stored: String) throws {
        #expect(try Timestamp.parse(input).description == stored)
    }

    @Test func refusesTimeWithoutZone() {
        #expect(throws: Timestamp.ParseError.missingZone) { try Timestamp.parse("2026-11-03T10:03:12") }
    }

    @Test(arguments: ["", "yesterday", "2026-13-01T00:00:00Z", "2026-11-03T10:03Z", "2026-11-03T10:03:12Zjunk"])
    func refusesMalformedText(input: String) {
        #expect(throws: Timestamp.ParseError.malformed) { try Timestamp.parse(input) }
    }

    @Test func ordersByInstantNotByText() throws {
        #expect(try Timestamp.parse("2026-11-03T10:00:00+01:00") < Timestamp.parse("2026-11-03T09:30:00Z"))
    }
}
