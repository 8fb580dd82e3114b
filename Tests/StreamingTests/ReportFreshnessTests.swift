import Foundation
import Model
import Testing

import Streaming
@testable import Report

/// Freshness in the report only where event times are wall-clock times; otherwise on the
/// stream's own clock, labelled as such.
@Suite("Report freshness clock")
struct ReportFreshnessTests {
    /// Publish records as `serve` writes them for a stream of historical events (MovieLens:
    /// ratings of 1997-98 streamed in 2026): a version every 5 s, each 9 days of event time on.
    static func historicalHistory() -> [HistoryRecord] {
        let wall: Int64 = 1_796_000_000_000   // 2026-11-30
        let events: Int64 = 885_000_000_000   // 1998-01-17
        return (0..<4).map { i in
            var r = HistoryRecord(kind: .publish, timeMs: wall + Int64(i) * 5_000)
            r.version = UInt64(i + 1)
            r.eventTimeWatermarkMs = events + Int64(i) * 9 * 86_400_000
            r.freshnessMs = r.timeMs - (r.eventTimeWatermarkMs ?? 0)
            return r
        }
    }

    func summaryCell(_ html: String, _ heading: String) -> String? {
        guard let start = html.range(of: "<th>\(heading)</th><td>"), let end = html[start.upperBound...].range(of: "</td>") else { return nil }
        return String(html[start.upperBound..<end.lowerBound])
    }

    @Test("historical event times: no wall-clock freshness; the stream clock, labelled, in days")
    func historicalStream() throws {
        let html = ReportBuilder().build(ReportInput(records: Self.historicalHistory()))
        let row = try #require(summaryCell(html, "Freshness of last version"))
        #expect(row.hasPrefix("not shown: event times are historical (the watermark, 1998-02-13T"), "\(row)")
        #expect(row.contains("28.79 years before the publish time"), "\(row)")
        #expect(row.hasSuffix("Stream clock: reflects events up to 1998-02-13T01:20:00Z, 9 days of event time after the version before it"), "\(row)")
        #expect(!html.contains("Freshness of last version (wall clock)"))
        #expect(html.contains("Event time between consecutive versions, stream clock (event times are historical)"))
        #expect(html.contains("stream time (days): watermark − previous version&#39;s watermark"))
        #expect(!html.contains("publish time − event-time watermark"))
        // Three gaps of 9 days: every bar of the histogram sits at 9, none at 900M seconds.
        let freshness = VersionFreshness(publish: Self.historicalHistory())
        #expect(freshness.clock == .stream)
        #expect(freshness.scaled().values == [9, 9, 9] && freshness.scaled().unit == "days")
    }

    @Test("wall-clock event times: freshness on the wall clock, labelled")
    func liveStream() throws {
        let records = syntheticHistory(rounds: 10)
        let html = ReportBuilder().build(ReportInput(records: records))
        let last = try #require(records.last { $0.kind == .publish })
        let row = try #require(summaryCell(html, "Freshness of last version (wall clock)"))
        // The fixture's last version: publish time − watermark = 2,000 + (9 × 37 mod 500) ms.
        #expect(last.freshnessMs == 2_333 && row == "2.333 s")
        #expect(html.contains("Freshness of published versions, wall clock</figcaption>"))
        #expect(html.contains("freshness (s): publish time − event-time watermark"))
        let freshness = VersionFreshness(publish: records.filter { $0.kind == .publish })
        #expect(freshness.clock == .wall && freshness.valuesMs.count == 10 && freshness.leftOut == 0)
    }

    @Test("a live service that caught up on a backlog older than 7 days: wall clock for the versions after it, the others counted")
    func backlogThenLive() {
        var records = Self.historicalHistory()
        var live = HistoryRecord(kind: .publish, timeMs: 1_796_000_100_000)
        live.version = 5
        live.eventTimeWatermarkMs = live.timeMs - 3_000
        live.freshnessMs = 3_000
        records.append(live)
        let freshness = VersionFreshness(publish: records)
        #expect(freshness.clock == .wall && freshness.valuesMs == [3_000] && freshness.leftOut == 4)
        let html = ReportBuilder().build(ReportInput(records: records))
        #expect(html.contains("Freshness of published versions, wall clock (4 versions with historical event times left out)"))
        #expect(html.contains("<th>Freshness of last version (wall clock)</th><td>3 s</td>"))
    }

    @Test("a last version trained further on the same events (final epochs) says so on the stream clock")
    func sameWatermark() throws {
        var records = Self.historicalHistory()
        var final = records[records.count - 1]
        final.version = 5
        final.timeMs += 60_000
        final.freshnessMs = final.timeMs - (final.eventTimeWatermarkMs ?? 0)
        records.append(final)
        let html = ReportBuilder().build(ReportInput(records: records))
        let row = try #require(summaryCell(html, "Freshness of last version"))
        #expect(row.hasSuffix("the same event time as the version before it (trained further on the same events)"), "\(row)")
    }

    @Test("a replay's versions (no freshness recorded) read on the stream clock even with recent event times")
    func replayUsesTheStreamClock() {
        let records = syntheticHistory(rounds: 5).filter { $0.kind == .publish }.map { r -> HistoryRecord in
            var r = r
            r.freshnessMs = nil
            return r
        }
        #expect(VersionFreshness(publish: records).clock == .stream)
        #expect(ReportBuilder().build(ReportInput(records: records)).contains("stream clock"))
    }

    @Test("no watermarks: no freshness row, no histogram")
    func noWatermarks() {
        var r = HistoryRecord(kind: .publish, timeMs: 1_700_000_000_000)
        r.version = 1
        let html = ReportBuilder().build(ReportInput(records: [r]))
        #expect(!html.contains("Freshness of last version"))
        #expect(html.contains("Freshness of published versions, wall clock</figcaption><p class=\"empty\">no data yet"))
    }

    @Test("durations past two days in days, past two years in years")
    func longDurations() {
        #expect(ChartNumber.duration(ms: 3_600_000 * 30) == "30 h")
        #expect(ChartNumber.duration(ms: 86_400_000 * 9) == "9 days")
        #expect(ChartNumber.duration(ms: 905_000_000_000) == "28.68 years")
    }
}
