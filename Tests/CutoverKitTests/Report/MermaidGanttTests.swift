import Testing

@testable import CutoverKit

@Suite("The timeline's Mermaid gantt chart")
struct MermaidGanttTests {
    static func lines(_ chart: MermaidGantt) -> [String] { (chart.source() ?? "").split(separator: "\n").map(String.init) }

    @Test func theAxisFollowsTheSpan() {
        let cases = [
            ("2026-11-03T09:00:00Z", "2026-11-03T18:00:00Z", "%H:%M"),
            ("2026-11-03T22:00:00Z", "2026-11-04T02:00:00Z", "%m-%d %H:%M"),
            ("2026-11-03T09:00:00Z", "2026-11-12T09:00:00Z", "%m-%d %H:%M"),
            ("2026-11-03T09:00:00Z", "2026-12-03T09:00:00Z", "%Y-%m-%d"),
        ]
        for (start, end, format) in cases {
            var chart = MermaidGantt()
            chart.add(.milestone, "round 1", round: 1, from: start)
            chart.add(.burst, "pods", round: 1, from: start, to: end)
            #expect(Self.lines(chart).contains("    axisFormat \(format)"), "\(start) – \(end)")
        }
    }

    @Test func barsAreWallClockTimesWithDurationsAndAMinimumWidth() {
        var chart = MermaidGantt()
        chart.add(.milestone, "round 1 artifact-cache", round: 1, from: "2026-11-03T09:03:14.250Z")
        chart.add(.wave, "apps after round 1", round: 1, from: "2026-11-03T09:13:04Z", to: "2026-11-03T09:43:29Z")
        chart.add(.wave, "system after round 1", round: 1, from: "2026-11-03T09:20:00Z", to: "2026-11-03T09:20:00Z")
        chart.add(.burst, "late", round: 1, from: "2026-11-03T14:00:00+02:00", to: "2026-11-03T18:03:14Z")
        let lines = Self.lines(chart)
        #expect(lines.contains("    round 1 artifact-cache :milestone, t1, 2026-11-03 09:03:14, 0m"))
        #expect(lines.contains("    apps after round 1 :active, t2, 2026-11-03 09:13:04, 31m"), "rounded up to whole minutes")
        // The chart spans just under 9 h: a one-node wave is widened to a 60th of it, in whole minutes.
        #expect(lines.contains("    system after round 1 :active, t3, 2026-11-03 09:20:00, 8m"))
        // An offset in the input becomes UTC wall-clock time.
        #expect(lines.contains("    late :crit, t4, 2026-11-03 12:00:00, 364m"), "\(lines)")
    }

    @Test func manyPoolsAreOneBarPerRound() {
        var chart = MermaidGantt()
        for pool in 0..<24 {
            for round in 1...2 {
                chart.add(
                    .wave, "pool\(pool) after round \(round)", round: round, nodes: 3, from: "2026-11-03T1\(round):0\(pool % 10):00Z",
                    to: "2026-11-03T1\(round):3\(pool % 10):00Z")
            }
        }
        let waves = Self.lines(chart).filter { $0.contains(":active,") }
        #expect(
            waves == [
                "    round 1 reimages, 72 nodes in 24 pools :active, t1, 2026-11-03 11:00:00, 39m",
                "    round 2 reimages, 72 nodes in 24 pools :active, t2, 2026-11-03 12:00:00, 39m",
            ])
    }

    @Test func nothingToDrawIsNoChart() {
        var chart = MermaidGantt()
        chart.add(.milestone, "round 1", round: 1, from: "not a time")
        #expect(chart.source() == nil)
    }
}
