/// A UTC instant with millisecond precision, parsed from RFC 3339 text and printed in
/// cutover's one storage format: fixed-width `YYYY-MM-DDTHH:MM:SS.sssZ`, which sorts as
/// text and works with SQLite's `datetime()`.
///
/// Real inputs: `2026-11-03T10:03:12Z` (Kubernetes), `2019-10-24T00:13:46.3554259Z` (ARM),
/// `2026-11-03T10:03:12.123+01:00`. Text without a zone is refused, never guessed.
public struct Timestamp: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var millis: Int64

    public init(millis: Int64) { self.millis = millis }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.millis < b.millis }

    public func adding(seconds: Double) -> Timestamp {
        Timestamp(millis: millis + Int64((seconds * 1000).rounded()))
    }

    /// Why a timestamp could not be read.
    public enum ParseError: Error, Equatable, Sendable {
        case malformed
        case missingZone
        /// A real date whose UTC time falls outside the years 0001–9999 that the stored text can hold.
        case outOfRange
    }

    /// Days in `month` of `year` (proleptic Gregorian).
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Parses RFC 3339 text; see the type's comment for accepted forms.
    public static func parse(_ text: String) throws(ParseError) -> Timestamp {
        let utf8 = Array(text.utf8)
        let result: Result<Timestamp, ParseError> = utf8.withUnsafeBytes { raw in
            do throws(ParseError) { return .success(try parse(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> Timestamp {
        var i = 0
        let n = bytes.count
        func digits(_ count: Int) throws(ParseError) -> Int {
            guard i + count <= n else { throw .malformed }
            var value = 0
            for _ in 0..<count {
                let d = Int(bytes[i]) - 48
                guard d >= 0 && d <= 9 else { throw .malformed }
                value = value * 10 + d
                i += 1
            }
            return value
        }
        func expect(_ byte: UInt8) throws(ParseError) {
            guard i < n, bytes[i] == byte else { throw .malformed }
            i += 1
        }
        let year = try digits(4)
        try expect(UInt8(ascii: "-"))
        let month = try digits(2)
        try expect(UInt8(ascii: "-"))
        let day = try digits(2)
        guard i < n, bytes[i] == UInt8(ascii: "T") || bytes[i] == UInt8(ascii: "t") || bytes[i] == 32
        else { throw .malformed }
        i += 1
        let hour = try digits(2)
        try expect(UInt8(ascii: ":"))
        let minute = try digits(2)
        try expect(UInt8(ascii: ":"))
        let second = try digits(2)
        var millis = 0
        if i < n, bytes[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 100
            var any = false
            while i < n, bytes[i] >= 48, bytes[i] <= 57 {
                millis += Int(bytes[i] - 48) * scale
                scale /= 10
                i += 1
                any = true
            }
            guard any else { throw .malformed }
        }
        guard month >= 1, month <= 12, day >= 1, day <= daysIn(month: month, year: year), hour <= 23, minute <= 59, second <= 60
        else { throw .malformed }
        var offsetMinutes = 0
        guard i < n else { throw .missingZone }
        switch bytes[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = bytes[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            let oh = try digits(2)
            if i < n, bytes[i] == UInt8(ascii: ":") { i += 1 }
            let om = try digits(2)
            guard oh <= 23, om <= 59 else { throw .malformed }  // RFC 3339: offsets up to ±23:59
            offsetMinutes = sign * (oh * 60 + om)
        default:
            throw .malformed
        }
        guard i == n else { throw .malformed }
        let days = Int64(daysFromCivil(year: year, month: month, day: day))
        let secs = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        let result = Timestamp(millis: secs * 1000 + Int64(millis))
        guard result >= minimum && result <= maximum else { throw .outOfRange }
        return result
    }

    /// 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: what fixed-width text holds.
    static let minimum = Timestamp(millis: Int64(daysFromCivil(year: 1, month: 1, day: 1)) * 86_400_000)
    static let maximum = Timestamp(millis: Int64(daysFromCivil(year: 10_000, month: 1, day: 1)) * 86_400_000 - 1)

    /// `2026-11-03T10:03:12.000Z`, written digit by digit into one buffer (this runs twice
    /// per ingested event and for every time a correlation explains, so it makes no
    /// intermediate strings or arrays).
    public var description: String { text(between: 0x54, fraction: true) }  // T

    /// `2026-11-03 10:03:12` – the report's human form (always UTC).
    public var minuteText: String { text(between: 0x20, fraction: false) }

    /// Writes `description`'s 24 bytes into `buffer` (room for them), making no `String`.
    func writeText(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int { write(into: buffer, between: 0x54, fraction: true) }

    /// Appends `description`'s 24 bytes, making no `String` (the parse thread writes two a row).
    func appendText(to out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: 24))
        out.withUnsafeMutableBufferPointer { buffer in
            _ = writeText(into: UnsafeMutableBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// The UTC date and time, `between` them, milliseconds and `Z` when `fraction` is set.
    private func text(between: UInt8, fraction: Bool) -> String {
        String(unsafeUninitializedCapacity: 24) { write(into: $0, between: between, fraction: fraction) }
    }

    /// Writes the text of `text(between:fraction:)` at the start of `buffer` (24 bytes at least);
    /// returns its length.
    private func write(into buffer: UnsafeMutableBufferPointer<UInt8>, between: UInt8, fraction: Bool) -> Int {
        var secs = millis / 1000
        var ms = millis % 1000
        if ms < 0 {
            ms += 1000
            secs -= 1
        }
        var days = secs / 86_400
        var rem = secs % 86_400
        if rem < 0 {
            rem += 86_400
            days -= 1
        }
        let (y, m, d) = Timestamp.civilFromDays(Int(days))
        var i = 0
        func put(_ value: Int, width: Int, then separator: UInt8?) {
            var v = value
            for w in stride(from: width - 1, through: 0, by: -1) {
                buffer[i + w] = UInt8(48 + v % 10)
                v /= 10
            }
            i += width
            if let separator {
                buffer[i] = separator
                i += 1
            }
        }
        put(y, width: 4, then: 0x2D)  // -
        put(m, width: 2, then: 0x2D)
        put(d, width: 2, then: between)
        put(Int(rem / 3600), width: 2, then: 0x3A)  // :
        put(Int(rem % 3600 / 60), width: 2, then: 0x3A)
        if fraction {
            put(Int(rem % 60), width: 2, then: 0x2E)  // .
            put(Int(ms), width: 3, then: 0x5A)  // Z
        } else {
            put(Int(rem % 60), width: 2, then: nil)
        }
        return i
    }

    // Howard Hinnant's civil-date algorithms (public domain arithmetic, no calendar objects).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
