import Streaming
import Foundation

/// The time series of a history, ready to chart. Times are relative to the first record,
/// in the unit ``timeUnit`` names.
struct HistorySeries {
    let records: [HistoryRecord]
    /// Time of the first record, ms since the epoch (0 when there is none).
    let startMs: Int64
    /// `s`, `min` or `h`, picked so the time axis stays readable.
    let timeUnit: String
    private let msPerUnit: Double

    init(records: [HistoryRecord]) {
        self.records = records.sorted { $0.timeMs < $1.timeMs }
        startMs = self.records.first?.timeMs ?? 0
        let spanMs = Double((self.records.last?.timeMs ?? 0) - startMs)
        switch spanMs {
        case ..<180_000: (timeUnit, msPerUnit) = ("s", 1000)
        case ..<10_800_000: (timeUnit, msPerUnit) = ("min", 60_000)
        default: (timeUnit, msPerUnit) = ("h", 3_600_000)
        }
    }

    var timeLabel: String { "time since first record (\(timeUnit))" }

    func time(_ record: HistoryRecord) -> Double { Double(record.timeMs - startMs) / msPerUnit }

    func of(_ kind: HistoryRecord.Kind) -> [HistoryRecord] { records.filter { $0.kind == kind } }

    /// One series per key of a per-name map field, names sorted.
    private func perName(_ kind: HistoryRecord.Kind, _ field: (HistoryRecord) -> [String: Double]?,
                         transform: (Double) -> Double = { $0 }) -> [ChartSeries] {
        var points: [String: [ChartPoint]] = [:]
        for r in of(kind) {
            for (name, v) in field(r) ?? [:] { points[name, default: []].append(ChartPoint(x: time(r), y: transform(v))) }
        }
        return points.keys.sorted().map { ChartSeries(name: $0, points: points[$0] ?? []) }
    }

    private func single(_ name: String, _ kind: HistoryRecord.Kind, _ field: (HistoryRecord) -> Double?) -> [ChartSeries] {
        let points = of(kind).compactMap { r in field(r).map { ChartPoint(x: time(r), y: $0) } }
        return points.isEmpty ? [] : [ChartSeries(name: name, points: points)]
    }

    /// Mean loss of each training round, per task.
    var losses: [ChartSeries] { perName(.train, \.losses) }

    /// Task weight `exp(-s_t)` per task.
    var taskWeights: [ChartSeries] { perName(.train, \.taskLogVariances, transform: { exp(-$0) }) }

    /// HitRate@20 by version number.
    var hitRate: [ChartSeries] {
        let points = of(.publish).compactMap { r -> ChartPoint? in
            guard let v = r.version, let hr = r.hitRate20 else { return nil }
            return ChartPoint(x: Double(v), y: hr)
        }
        return points.isEmpty ? [] : [ChartSeries(name: "HitRate@20", points: points)]
    }

    var ingestRate: [ChartSeries] { single("events/s", .ingest, \.eventsPerSecond) }

    var lag: [ChartSeries] { single("lag", .ingest) { $0.lag.map(Double.init) } }

    /// Node count per view.
    var nodes: [ChartSeries] { perName(.ingest) { $0.nodes?.mapValues(Double.init) } }
}
