import Metrics
import Synchronization

/// Counters fed with running totals (the ingest state's persisted counters, the trainer's
/// tokens) instead of increments: each counter series moves by what its total grew since the
/// last report, so it equals the total (the status line's number) once reported, and never
/// goes down. A total below the last one (another state in the same process) only resets
/// the baseline.
final class TotalCounters: Sendable {
    private struct Series: Hashable {
        var label: String
        var dimensions: [String]
    }

    private let factory: any MetricsFactory
    private let last = Mutex<[Series: UInt64]>([:])

    init(factory: any MetricsFactory) { self.factory = factory }

    func report(_ label: String, dimensions: [(String, String)] = [], total: UInt64) {
        let key = Series(label: label, dimensions: dimensions.flatMap { [$0.0, $0.1] })
        let delta = last.withLock { last -> UInt64 in
            let previous = last[key]
            last[key] = total
            guard let previous else { return total }
            return total > previous ? total - previous : 0
        }
        // Registered even at 0, so the series is there from the first report.
        let counter = Counter(label: label, dimensions: dimensions, factory: factory)
        if delta > 0 { counter.increment(by: Int64(clamping: delta)) }
    }
}
