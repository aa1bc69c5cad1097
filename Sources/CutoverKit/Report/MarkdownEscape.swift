import Foundation

/// Makes text from logs safe inside markdown: a crafted pod name or event message cannot
/// open a link, an image, HTML, emphasis or a new table cell.
public enum MarkdownEscape {
    /// Escapes inline text that never starts a line: the characters that open emphasis,
    /// code, links, images (`!` needs a `[`), strike-through or a table cell are
    /// backslash-escaped, `<`, `>` and `&` become entities, and line breaks become spaces.
    public static func inline(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n", "\r", "\t", "\u{85}", "\u{2028}", "\u{2029}": out += " "
            case "\\", "`", "*", "_", "[", "]", "|", "~":
                out += "\\" + String(ch)
            default:
                if ch.value < 0x20 || (0x7F..<0xA0).contains(ch.value) { continue }
                out.unicodeScalars.append(ch)
            }
        }
        return out
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
