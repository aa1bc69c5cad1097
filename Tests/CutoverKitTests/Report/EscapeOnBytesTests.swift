import Testing

@testable import CutoverKit

/// The escapers for markdown and JSON work on UTF-8 bytes for speed; here each is held to its
/// definition written on Unicode scalars (how they were written before), on every scalar to
/// U+3000 and a sample above, the hostile corpus, and generated mixes of the characters they touch
/// – compared byte for byte (Swift's `==` would take `é` and `e` + U+0301 as one).
@Suite("Escaping and widths on bytes: the same as scalar by scalar, Character by Character")
struct EscapeOnBytesTests {
    static func inlineByScalars(_ text: String) -> String {
        var out = ""
        for ch in text.unicodeScalars {
            switch ch {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n", "\r", "\t", "\u{85}", "\u{2028}", "\u{2029}": out += " "
            case "\\", "`", "*", "_", "[", "]", "|", "~": out += "\\" + String(ch)
            default:
                if ch.value < 0x20 || (0x7F..<0xA0).contains(ch.value) { continue }
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    static func quoteByScalars(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    static func texts() -> [String] {
        let scalars = (0..<0x3000).compactMap(Unicode.Scalar.init) + [0xFEFF, 0x1F600, 0x10FFFF].compactMap(Unicode.Scalar.init)
        var out = scalars.map { "a" + String(Character($0)) + "b" } + HostileText.corpus()
        var random = SeededGenerator(seed: 9)
        let pieces = [
            "<", ">", "&", "\n", "\r\n", "\t", "\u{85}", "\u{2028}", "\u{2029}", "\u{9B}", "\u{A0}", "\u{C2}", "\u{2027}",
            "\u{202A}", "\\", "`", "*", "_", "[", "]", "|", "~", "\"", "\u{0}", "\u{7F}", "é", "e\u{301}", "👩‍👩‍👧", "x",
        ]
        for _ in 0..<3000 { out.append((0..<random.int(0...12)).map { _ in pieces[random.int(0...(pieces.count - 1))] }.joined()) }
        return out
    }

    @Test func markdownInlineIsTheScalarDefinition() {
        for text in Self.texts() {
            #expect(Array(MarkdownEscape.inline(text).utf8) == Array(Self.inlineByScalars(text).utf8), "\(text.debugDescription)")
        }
    }

    @Test func jsonQuoteIsTheScalarDefinition() {
        for text in Self.texts() {
            #expect(Array(JSONText.quote(text).utf8) == Array(Self.quoteByScalars(text).utf8), "\(text.debugDescription)")
        }
    }

    /// The report's longest-message pick counts Characters on the bytes for ASCII texts.
    @Test func messageLengthIsTheCharacterCount() {
        for text in Self.texts() + ["a\r\nb", "\r\n", "\r", "\n\r", "a\rb", "plain-ascii-message", ""] {
            #expect(MarkdownRenderer.PodFailure.characters(text) == text.count, "\(text.debugDescription)")
        }
    }

    @Test func terminalWidthIsTheCharacterCount() {
        for text in Self.texts() + ["a\r\nb", "\r\n", "plain-ascii-name", ""] {
            #expect(TerminalText.width(text) == text.count, "\(text.debugDescription)")
        }
    }
}
