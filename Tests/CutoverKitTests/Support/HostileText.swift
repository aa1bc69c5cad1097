@testable import CutoverKit

/// A generated, deterministic corpus of hostile text as logs may carry it in a node, pod,
/// cluster or resource-group name or an event message: terminal control sequences, line
/// breaks of every kind, markdown and HTML that would turn live, shell syntax and spreadsheet
/// formulas – each at the start, the middle and the end of an ordinary name.
enum HostileText {
    static let payloads: [String] = [
        "\u{1B}[31mred\u{1B}[0m", "\u{1B}]8;;https://evil.example/\u{07}click\u{1B}]8;;\u{07}", "\u{07}", "\r", "\u{08}\u{08}\u{08}",
        "\n# Injected heading\n", "\r<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "![x](http://evil.example/p.png)",
        "[link](javascript:alert(1))", "| extra | cells |", "`code`", "**bold**", "\u{2028}", "\u{85}", "\u{9B}31m",
        "$(touch /tmp/pwned)", "`id`", "; rm -rf /", "' \" \\", "=HYPERLINK(\"http://evil.example\")", "+1+1", "-2+3", "@SUM(A1)",
        "\t=1", "\u{0}", "\u{7F}",
    ]

    /// Every payload before, inside and after `base`, in a fixed order; `count` of them at most.
    static func corpus(base: String = "aks-apps-12345678-vmss000001", count: Int = .max, seed: UInt64 = 5) -> [String] {
        var rng = SeededGenerator(seed: seed)
        var out: [String] = []
        for p in payloads {
            let cut = base.index(base.startIndex, offsetBy: Int(rng.next() % UInt64(base.count)))
            out += [p + base, String(base[..<cut]) + p + String(base[cut...]), base + p]
        }
        return Array(out.prefix(count))
    }

    /// Bytes a terminal obeys: C0 controls but LF, DEL, C1 controls, and the Unicode line separators.
    static func hasTerminalControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { s in
            (s.value < 0x20 && s.value != 0x0A) || s.value == 0x7F || (0x80..<0xA0).contains(s.value) || s.value == 0x2028
                || s.value == 0x2029
        }
    }
}
