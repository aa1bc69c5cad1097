import Foundation

/// Makes text from logs safe inside markdown: a crafted pod name or event message cannot
/// open a link, an image, HTML, emphasis or a new table cell.
public enum MarkdownEscape {
    /// Escapes inline text that never starts a line: the characters that open emphasis,
    /// code, links, images (`!` needs a `[`), strike-through or a table cell are
    /// backslash-escaped, `<`, `>` and `&` become entities, and line breaks become spaces.
    public static func inline(_ text: String) -> String {
        // On the UTF-8 bytes: every character it changes is ASCII but NEL (C2 85), the other C1
        // controls (C2 80–9F) and U+2028/9 (E2 80 A8/A9); all other bytes are copied.
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0x3C: out += [0x26, 0x6C, 0x74, 0x3B]  // &lt;
            case 0x3E: out += [0x26, 0x67, 0x74, 0x3B]  // &gt;
            case 0x26: out += [0x26, 0x61, 0x6D, 0x70, 0x3B]  // &amp;
            case 0x0A, 0x0D, 0x09: out.append(0x20)
            case 0x5C, 0x60, 0x2A, 0x5F, 0x5B, 0x5D, 0x7C, 0x7E: out += [0x5C, b]
            case 0..<0x20, 0x7F: break
            case 0xC2 where i + 1 < bytes.count && bytes[i + 1] >= 0x80 && bytes[i + 1] < 0xA0:
                if bytes[i + 1] == 0x85 { out.append(0x20) }
                i += 1
            case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
                out.append(0x20)
                i += 2
            default: out.append(b)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A table cell: inline escaping, shortened to `limit` characters with an ellipsis.
    public static func cell(_ text: String?, limit: Int = 160) -> String {
        guard let text, !text.isEmpty else { return "–" }
        let short = text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
        return inline(short)
    }

    /// Escaped text (from `inline` or `cell`) placed where a block starts – the first words of a
    /// list item: leading spaces go, and a first character that would open a heading, quote,
    /// list, setext underline or numbered item (`#`, `>`, `+`, `-`, `=`, `1.`) is escaped.
    public static func blockStart(_ escaped: String) -> String {
        let text = escaped.drop { $0 == " " }
        guard let first = text.first else { return String(text) }
        if "#>+-=".contains(first) { return "\\" + text }
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty, let after = text.dropFirst(digits.count).first, after == "." || after == ")" {
            return digits + "\\" + text.dropFirst(digits.count)
        }
        return String(text)
    }

    /// A name shown as code: backticks inside are impossible to close early, and no control
    /// or line-separating character (CR, LF, NEL, U+2028/9) can end the line it sits on.
    public static func code(_ text: String) -> String {
        var clean = ""
        for ch in text.unicodeScalars {
            switch ch.value {
            case 0x60: clean += "'"
            case 0x7C: clean += "\\|"
            case 0..<0x20, 0x7F, 0x85, 0x2028, 0x2029: clean += " "
            default: clean.unicodeScalars.append(ch)
            }
        }
        return "`" + clean + "`"
    }
}
