/// Text from logs made safe for a terminal: control characters are shown, not obeyed.
///
/// ESC (colour and cursor sequences, OSC 8 links), BEL, CR, backspace and the other C0 and C1
/// controls and DEL come out as visible escapes (`\e`, `\r`, `\x07`, `\u{9B}`), the way `git`
/// and `ls` show unusual file names, so a crafted node or pod name cannot rewrite the screen.
public enum TerminalText {
    /// `text.count`, counted as bytes when all are ASCII but CR (CR LF is one `Character`):
    /// grapheme breaking was most of a query table's time.
    public static func width(_ text: String) -> Int {
        let ascii = text.utf8.withContiguousStorageIfAvailable { $0.allSatisfy { $0 < 0x80 && $0 != 0x0D } } ?? false
        return ascii ? text.utf8.count : text.count
    }

    public static func safe(_ text: String) -> String {
        // Most text has none of them: a C0 control or DEL is a byte below 0x20 or 0x7F, and a C1
        // control or U+2028/9 starts with 0xC2 or 0xE2 in UTF-8 (so do other characters, which
        // the loop below then keeps).
        let plain = { (b: UInt8) in b >= 0x20 && b != 0x7F && b != 0xC2 && b != 0xE2 }
        if text.utf8.withContiguousStorageIfAvailable({ $0.allSatisfy(plain) }) ?? text.utf8.allSatisfy(plain) { return text }
        var out = ""
        for s in text.unicodeScalars {
            switch s.value {
            case 0x1B: out += "\\e"
            case 0x0D: out += "\\r"
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0x00..<0x20, 0x7F:
                let hex = String(s.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            case 0x80..<0xA0, 0x2028, 0x2029:
                out += "\\u{" + String(s.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(s)
            }
        }
        return out
    }
}
