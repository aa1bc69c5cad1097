import Foundation

/// The postmortem's timeline as a Mermaid `gantt` chart, which GitHub and Azure DevOps draw
/// from a fenced `mermaid` block: milestones as milestones, reimage waves (per pool, or per
/// round when there are many pools), failure bursts per round.
///
/// Mermaid reads the times as wall-clock times without an offset, so they are written in UTC
/// and the axis says so. Bars carry durations (the syntax has no end time for a task given
/// a start), at least a minimum width so a one-node wave stays visible. Labels are text from
/// logs (pool names): only letters, digits and `-._()/,` and spaces survive – a colon, `#`,
/// `;`, `%` or a backtick could end a task, start a comment or close the fence.
struct MermaidGantt {
    enum Kind { case milestone, wave, burst }

    struct Bar {
        var kind: Kind
        var label: String
        var round: Int
        /// A wave's nodes, for the per-round label.
        var nodes = 0
        var start: Timestamp
        var end: Timestamp
    }

    var bars: [Bar] = []
    /// Above this many wave bars, waves are shown one per round (all pools together).
    var maxWaveBars = 10

    mutating func add(_ kind: Kind, _ label: String, round: Int, nodes: Int = 0, from start: String, to end: String? = nil) {
        guard let a = try? Timestamp.parse(start) else { return }
        let b = end.flatMap { try? Timestamp.parse($0) } ?? a
        bars.append(Bar(kind: kind, label: label, round: round, nodes: nodes, start: a, end: max(a, b)))
    }

    /// The chart's source (without the fence), or nil when there is nothing to draw.
    func source() -> String? {
        guard let first = bars.map(\.start).min(), let last = bars.map(\.end).max() else { return nil }
        let span = last.millis - first.millis
        // A bar narrower than about a 60th of the chart is hard to see: widen it, in whole minutes.
        let minimumMinutes = max(1, Int(span / 60_000 / 60))
        var lines = [
            "gantt", "    title Timeline (UTC)", "    dateFormat YYYY-MM-DD HH:mm:ss", "    axisFormat \(Self.axisFormat(first, last))",
            "    todayMarker off",
        ]
        var ids = 0
        func task(_ bar: Bar, _ tags: String) -> String {
            ids += 1
            let minutes = bar.kind == .milestone ? 0 : max(minimumMinutes, Int((bar.end.millis - bar.start.millis + 59_999) / 60_000))
            return "    \(Self.label(bar.label)) :\(tags)t\(ids), \(Self.wallClock(bar.start)), \(minutes)m"
        }
        let sections: [(String, Kind, String)] = [
            ("Milestones", .milestone, "milestone, "), ("Reimage waves", .wave, "active, "), ("Failures", .burst, "crit, "),
        ]
        for (title, kind, tags) in sections {
            let rows = kind == .wave ? waveBars() : bars.filter { $0.kind == kind }
            guard !rows.isEmpty else { continue }
            lines.append("    section \(title)")
            for bar in rows.sorted(by: { ($0.start, $0.label) < ($1.start, $1.label) }) { lines.append(task(bar, tags)) }
        }
        return lines.joined(separator: "\n")
    }

    /// The wave bars, merged per round when there are more than `maxWaveBars`.
    private func waveBars() -> [Bar] {
        let waves = bars.filter { $0.kind == .wave }
        guard waves.count > maxWaveBars else { return waves }
        return Dictionary(grouping: waves, by: \.round).sorted { $0.key < $1.key }.map { round, rows in
            Bar(
                kind: .wave, label: "round \(round) reimages, \(rows.reduce(0) { $0 + $1.nodes }) nodes in \(rows.count) pools",
                round: round, nodes: rows.reduce(0) { $0 + $1.nodes },
                start: rows.map(\.start).min() ?? rows[0].start, end: rows.map(\.end).max() ?? rows[0].end)
        }
    }

    /// `%H:%M` within a day, with the date within a fortnight, the date alone beyond.
    static func axisFormat(_ first: Timestamp, _ last: Timestamp) -> String {
        let hours = (last.millis - first.millis) / 3_600_000
        if hours < 24 && first.description.prefix(10) == last.description.prefix(10) { return "%H:%M" }
        return hours < 14 * 24 ? "%m-%d %H:%M" : "%Y-%m-%d"
    }

    /// `2026-11-03 10:03:12`: the time without its offset, as `dateFormat` reads it.
    static func wallClock(_ t: Timestamp) -> String { t.minuteText }

    /// The words that open a statement of a gantt chart (Mermaid 11's grammar); AKS pool names
    /// such as `section` or `click` are valid, so a label never starts with one.
    static let keywords: Set<String> = [
        "gantt", "title", "section", "dateformat", "axisformat", "tickinterval", "excludes", "includes", "todaymarker",
        "inclusiveenddates", "topaxis", "weekday", "weekend", "click", "acctitle", "accdescr", "displaymode", "call", "href",
    ]

    /// A task's text: safe characters only, at most 60 of them, never empty.
    static func label(_ text: String) -> String {
        var out = ""
        for ch in text.unicodeScalars.prefix(60) {
            switch ch {
            case "a"..."z", "A"..."Z", "0"..."9", " ", "-", ".", "_", "(", ")", "/", ",": out.unicodeScalars.append(ch)
            default: out += "_"
            }
        }
        let trimmed = out.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return "_" }
        // A line that starts with a keyword of the syntax is that statement, not a task.
        let first = trimmed.prefix { $0 != " " }.lowercased()
        return keywords.contains(first) ? "_" + trimmed : trimmed
    }
}
