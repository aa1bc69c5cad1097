/// RFC 4180 fields, decided on the text's bytes: a field with a comma, a double quote, a CR or
/// an LF anywhere is quoted, its quotes doubled. Not on Swift's `Character`s, which hide those
/// bytes inside grapheme clusters – `"\r\n"` is one `Character`, equal to neither `"\r"` nor
/// `"\n"`, and `","` followed by U+0301 is a `Character` of its own – where a CSV reader, which
/// reads bytes, splits the row.
public enum CSVText {
    public static func field(_ text: String) -> String {
        let bytes = text.utf8
        guard bytes.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return text }
        var out: [UInt8] = [0x22]
        out.reserveCapacity(bytes.count + 8)
        for b in bytes {
            out.append(b)
            if b == 0x22 { out.append(0x22) }
        }
        out.append(0x22)
        return String(decoding: out, as: UTF8.self)
    }

    /// A field for a spreadsheet: one that would run as a formula (it starts with `=`, `+`, `-`,
    /// `@`, a tab or a CR, and is not a number) gets a leading `'`, as OWASP advises against CSV
    /// injection. A number is digits, `.`, `e`, `E` and signs that `Double` reads: not `-inf`,
    /// `+nan` or `-0x1p3`, which `Double` reads too and a spreadsheet takes as a formula.
    public static func spreadsheetField(_ text: String) -> String {
        if let first = text.utf8.first, [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D].contains(first), !isNumber(text) {
            return field("'" + text)
        }
        return field(text)
    }

    static func isNumber(_ text: String) -> Bool {
        text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 | 0x20 == 0x65 || $0 == 0x2B || $0 == 0x2D }
            && Double(text) != nil
    }
}
