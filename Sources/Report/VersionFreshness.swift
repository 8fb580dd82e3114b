import Streaming
import Foundation

/// Freshness of the published versions, on the clock it can honestly be read on.
///
/// A version's freshness is its publish time (wall clock) minus its event-time watermark,
/// which only means something when event times are wall-clock times. A replay of historical
/// events (the demo streams MovieLens ratings of 1997-98) has watermarks decades old: "251.4k
/// h" says nothing about the pipeline. So a version counts as **wall clock** when its
/// watermark lies between `wallClockWindowMs` (7 days, Kafka's default retention: a live
/// stream cannot lag by more than its topic keeps) before its publish time and
/// `futureSkewMs` (1 h) after it, and its writer recorded a freshness (`replay` does not: it
/// publishes past events); otherwise its event times are **historical** and only the
/// stream's own clock applies: how much event time passed between consecutive versions'
/// watermarks (the stream time a version stays current for).
///
/// The history reads on the wall clock when its last version with a watermark does; the
/// wall-clock histogram then leaves out the historical versions (counted in `leftOut`).
struct VersionFreshness {
    enum Clock: Equatable {
        /// No version carries an event-time watermark.
        case none
        /// Event times are wall-clock times.
        case wall
        /// Event times are historical; the stream's own clock.
        case stream
    }

    static let wallClockWindowMs: Int64 = 7 * 86_400_000
    static let futureSkewMs: Int64 = 3_600_000

    let clock: Clock
    /// Wall clock: publish time minus watermark of each wall-clock version (ms).
    /// Stream clock: watermark minus the previous version's watermark (ms), per version after the first.
    let valuesMs: [Double]
    /// Versions with a watermark that the wall-clock histogram leaves out (historical ones).
    let leftOut: Int
    /// The last version with a watermark.
    let last: HistoryRecord?
    /// The watermark of the version before `last` (stream clock), if any.
    let previousWatermarkMs: Int64?

    init(publish: [HistoryRecord]) {
        let marked = publish.filter { ($0.eventTimeWatermarkMs ?? 0) > 0 && $0.version != nil }
        last = marked.last
        previousWatermarkMs = marked.dropLast().last?.eventTimeWatermarkMs
        guard let last else {
            (clock, valuesMs, leftOut) = (.none, [], 0)
            return
        }
        if Self.isWallClock(last) {
            let wall = marked.filter(Self.isWallClock)
            clock = .wall
            valuesMs = wall.map { Double(Self.ageMs($0)) }
            leftOut = marked.count - wall.count
        } else {
            clock = .stream
            let marks = marked.compactMap(\.eventTimeWatermarkMs)
            valuesMs = zip(marks.dropFirst(), marks).map { Double($0.0) - Double($0.1) }
            leftOut = 0
        }
    }

    /// Publish time minus watermark (ms), saturating.
    static func ageMs(_ r: HistoryRecord) -> Int64 { r.timeMs.subtractingReportingOverflow(r.eventTimeWatermarkMs ?? 0).partialValue }

    static func isWallClock(_ r: HistoryRecord) -> Bool {
        // A replay leaves `freshnessMs` out: it publishes past events whatever their times.
        guard r.freshnessMs != nil, let w = r.eventTimeWatermarkMs, w > 0 else { return false }
        let (age, overflow) = r.timeMs.subtractingReportingOverflow(w)
        return !overflow && age >= -futureSkewMs && age <= wallClockWindowMs
    }

    /// The values in the unit that suits their largest, with the unit's name.
    func scaled() -> (values: [Double], unit: String) {
        let top = valuesMs.map(abs).max() ?? 0
        let (unit, ms): (String, Double) = top < 120_000 ? ("s", 1000) : top < 7_200_000 ? ("min", 60_000) : top < 172_800_000 ? ("h", 3_600_000) : ("days", 86_400_000)
        return (valuesMs.map { $0 / ms }, unit)
    }

    /// The summary row about the last version's freshness, nil without watermarks.
    func summaryRow() -> (String, String)? {
        guard let last, let watermark = last.eventTimeWatermarkMs else { return nil }
        switch clock {
        case .none: return nil
        case .wall:
            return ("Freshness of last version (wall clock)", ChartNumber.duration(ms: Double(Self.ageMs(last))))
        case .stream:
            var text = "not shown: event times are historical (the watermark, \(ReportSummary.time(watermark)), is \(ChartNumber.duration(ms: Double(Self.ageMs(last)))) before the publish time)."
            text += " Stream clock: reflects events up to \(ReportSummary.time(watermark))"
            if let previous = previousWatermarkMs {
                text += previous == watermark
                    ? ", the same event time as the version before it (trained further on the same events)"
                    : ", \(ChartNumber.duration(ms: Double(watermark) - Double(previous))) of event time after the version before it"
            }
            return ("Freshness of last version", text)
        }
    }

    /// The histogram's caption and x-axis label.
    func chartLabels(unit: String) -> (caption: String, xLabel: String) {
        switch clock {
        case .none, .wall:
            let note = leftOut > 0 ? " (\(ChartNumber.count(leftOut)) versions with historical event times left out)" : ""
            return ("Freshness of published versions, wall clock\(note)",
                    "freshness (\(unit)): publish time − event-time watermark")
        case .stream:
            return ("Event time between consecutive versions, stream clock (event times are historical)",
                    "stream time (\(unit)): watermark − previous version's watermark")
        }
    }
}
