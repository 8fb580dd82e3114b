import Foundation
import Kafka
import Metrics
import Store
import Synchronization
import Telemetry

/// What `serve`, `replay` (and their parts) report for `/metrics` and `/readyz`: ingest
/// statuses and batch times (from `KafkaIngestService`), rounds, versions and checkpoints
/// (every `HistoryRecord` appended to a `HistoryLog`), and, at every scrape, the watched
/// processor's status, its RocksDB properties and the age of the last version.
///
/// `shared` is the process's instance, on the process-wide swift-metrics backend (created
/// at first use: install the backend before, `PrometheusBackend.install`). Tests give
/// components their own instance on their own registry.
public final class StreamTelemetry: Sendable {
    public static let shared = StreamTelemetry(factory: MetricsSystem.factory)

    public let readiness = StreamReadiness()
    private let metrics: StreamMetrics
    private let watched = Mutex<WeakProcessor>(WeakProcessor())
    private let lastVersionMs = Mutex<Int64?>(nil)
    private let nowMs: @Sendable () -> Int64

    public init(factory: any MetricsFactory, nowMs: @escaping @Sendable () -> Int64 = { HistoryLog.nowMs }) {
        self.metrics = StreamMetrics(factory: factory)
        self.nowMs = nowMs
    }

    /// Samples `processor` (its status and store) at every scrape, while it exists.
    public func watch(_ processor: IngestProcessor) {
        watched.withLock { $0.processor = processor }
    }

    /// Refreshes the sampled gauges; the endpoint calls it before every scrape.
    public func beforeScrape() {
        if let processor = watched.withLock({ $0.processor }) {
            metrics.record(status: processor.status)
            metrics.record(store: processor.store)
        }
        if let last = lastVersionMs.withLock({ $0 }) { metrics.recordLastVersionAge(Double(max(0, nowMs() - last)) / 1000) }
    }

    /// `/readyz`'s answer now.
    public func currentReadiness() -> Readiness { readiness.readiness(nowMs: nowMs()) }

    /// An ingest status: totals and sizes, lag per partition (empty: none assigned or no
    /// watermark yet), events/s since the previous status (nil for the final one).
    func recordIngest(status: IngestStatus, lag: [TopicPartition: Int64], eventsPerSecond: Double?) {
        metrics.record(status: status)
        metrics.record(lag: lag, eventsPerSecond: eventsPerSecond)
        let total = lag.values.reduce(Int64(0)) { sum, l in
            let (next, overflow) = sum.addingReportingOverflow(l)
            return overflow ? .max : next
        }
        readiness.ingestStatus(lag: lag.isEmpty ? nil : total, atMs: nowMs())
    }

    /// One consumed batch, from its poll until it was applied.
    func recordBatch(_ duration: Duration) { metrics.recordBatch(duration) }

    /// A record appended to the history (rounds, versions, checkpoints).
    func record(_ r: HistoryRecord) {
        metrics.record(r)
        switch r.kind {
        case .train: readiness.trained(atMs: r.timeMs)
        case .publish:
            readiness.published(atMs: r.timeMs)
            lastVersionMs.withLock { $0 = r.timeMs }
        case .ingest, .checkpoint: break
        }
    }

    private struct WeakProcessor: @unchecked Sendable {
        weak var processor: IngestProcessor?
    }
}
