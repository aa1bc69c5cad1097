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

    /// Dates that do not exist, for every month and around leap years, and offsets beyond ±23:59.
    @Test func refusesDaysAMonthDoesNotHaveAndImpossibleOffsets() throws {
        let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        for year in [1900, 2000, 2023, 2024, 2100] {
            for month in 1...12 {
                let leap = month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
                let last = lengths[month - 1] + (leap ? 1 : 0)
                let m = month < 10 ? "0\(month)" : "\(month)"
                #expect(try Timestamp.parse("\(year)-\(m)-\(last)T12:00:00Z").description.hasPrefix("\(year)-\(m)-\(last)"))
                #expect(throws: Timestamp.ParseError.malformed, "\(year)-\(m)-\(last + 1)") {
                    try Timestamp.parse("\(year)-\(m)-\(last + 1)T12:00:00Z")
                }
            }
        }
        for offset in ["+24:00", "-24:00", "+99:99", "+12:60", "-00:75", "+2400"] {
            #expect(throws: Timestamp.ParseError.malformed, "\(offset)") { try Timestamp.parse("2026-11-03T10:00:00\(offset)") }
        }
        #expect(try Timestamp.parse("2026-11-03T10:00:00+23:59").description == "2026-11-02T10:01:00.000Z")
    }

    /// A real time whose UTC falls outside what four year digits hold is refused, never wrapped.
    @Test(arguments: ["9999-12-31T23:30:00-01:00", "0000-12-31T23:00:00Z", "0001-01-01T00:30:00+01:00", "9999-12-31T23:59:60Z"])
    func refusesTimesOutsideTheStorableYears(input: String) {
        #expect(throws: Timestamp.ParseError.outOfRange) { try Timestamp.parse(input) }
    }

    @Test func theEdgesOfTheStorableYearsAreKept() throws {
        #expect(try Timestamp.parse("0001-01-01T00:00:00Z").description == "0001-01-01T00:00:00.000Z")
        #expect(try Timestamp.parse("9999-12-31T23:59:59.999Z").description == "9999-12-31T23:59:59.999Z")
    }

    @Test func ordersByInstantNotByText() throws {
        #expect(try Timestamp.parse("2026-11-03T10:00:00+01:00") < Timestamp.parse("2026-11-03T09:30:00Z"))
    }
}
