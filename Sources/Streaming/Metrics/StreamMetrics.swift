import Foundation
import Kafka
import Metrics
import Store

/// The swift-metrics instruments of ingestion, training, publication and RocksDB, fed
/// from the values the status line and `history.jsonl` show (names in `MetricNames`).
final class StreamMetrics: Sendable {
    private let factory: any MetricsFactory
    private let totals: TotalCounters
    private let batchDuration: CoreMetrics.Timer

    init(factory: any MetricsFactory) {
        self.factory = factory
        self.totals = TotalCounters(factory: factory)
        self.batchDuration = CoreMetrics.Timer(label: MetricNames.ingestBatchDuration, factory: factory)
    }

    private func gauge(_ label: String, _ dimensions: [(String, String)] = []) -> Gauge {
        Gauge(label: label, dimensions: dimensions, factory: factory)
    }

    // MARK: Ingestion

    /// The ingest state's totals and sizes (the numbers of the status line).
    func record(status s: IngestStatus) {
        // Outcomes always present (0 until the first), then any other `events.*` counter.
        var outcomes: [String: UInt64] = ["applied": 0, "dead_lettered": 0, "late": 0]
        for (key, value) in s.counters where key.hasPrefix("events.") { outcomes[String(key.dropFirst("events.".count))] = value }
        for (outcome, total) in outcomes { totals.report(MetricNames.ingestEvents, dimensions: [("outcome", outcome)], total: total) }
        totals.report(MetricNames.ingestBatches, total: s.counters["batches"] ?? 0)
        totals.report(MetricNames.ingestSessionsClosed, total: s.counters["sessions.closed"] ?? 0)
        totals.report(MetricNames.ingestWalksWritten, total: s.counters["walks.written"] ?? 0)
        totals.report(MetricNames.adjacencyLoads, total: UInt64(max(0, s.adjacencyLoads)))
        for v in s.views {
            gauge(MetricNames.graphNodes, [("view", v.name)]).record(v.nodes)
            gauge(MetricNames.graphEdges, [("view", v.name)]).record(v.edges)
            gauge(MetricNames.walkRingWalks, [("view", v.name)]).record(v.walksInRing)
        }
        gauge(MetricNames.sessionsOpen).record(s.openSessions)
        gauge(MetricNames.adjacencyCacheBytes).record(s.adjacencyBytes)
    }

    /// What only the consuming loop knows: lag per partition and the recent rate.
    func record(lag: [TopicPartition: Int64], eventsPerSecond: Double?) {
        for (tp, l) in lag {
            gauge(MetricNames.ingestLag, [("topic", tp.topic), ("partition", String(tp.partition))]).record(l)
        }
        if let eventsPerSecond { gauge(MetricNames.ingestEventsPerSecond).record(eventsPerSecond) }
    }

    /// One batch from its poll to its apply (its RocksDB write may still be in flight).
    func recordBatch(_ duration: Duration) { batchDuration.recordSeconds(duration.seconds) }

    // MARK: Training, publication, checkpoints

    func record(_ r: HistoryRecord) {
        switch r.kind {
        case .ingest: break   // recorded from the status itself
        case .train:
            Counter(label: MetricNames.trainRounds, factory: factory).increment()
            if let tokens = r.tokens { totals.report(MetricNames.trainTokens, total: tokens) }
            if let seconds = r.roundSeconds, seconds > 0 {
                Recorder(label: MetricNames.trainRoundDuration, factory: factory).record(seconds)
                if let roundTokens = r.roundTokens { gauge(MetricNames.trainTokensPerSecond).record(Double(roundTokens) / seconds) }
            }
            for (task, loss) in r.losses ?? [:] where loss.isFinite { gauge(MetricNames.trainTaskLoss, [("task", task)]).record(loss) }
            for (task, s) in r.taskLogVariances ?? [:] where s.isFinite {
                gauge(MetricNames.trainTaskWeight, [("task", task)]).record(Foundation.exp(-s))
            }
        case .publish:
            Counter(label: MetricNames.publishVersions, dimensions: [("kind", r.versionKind ?? "unknown")], factory: factory).increment()
            Counter(label: MetricNames.publishRows, factory: factory).increment(by: max(0, r.rows ?? 0))
            if let version = r.version { gauge(MetricNames.publishLastVersion).record(Int64(clamping: version)) }
            gauge(MetricNames.publishLastVersionTime).record(Double(r.timeMs) / 1000)
            gauge(MetricNames.publishLastVersionAge).record(0)
            if let ms = r.freshnessMs { Recorder(label: MetricNames.publishFreshness, factory: factory).record(Double(ms) / 1000) }
            if let edges = r.newEdgeFreshnessMs {
                let recorder = Recorder(label: MetricNames.publishNewEdgeFreshness, factory: factory)
                for ms in edges { recorder.record(Double(ms) / 1000) }
            }
        case .checkpoint:
            Counter(label: MetricNames.checkpoints, dimensions: [("outcome", r.ok == false ? "failed" : "ok")], factory: factory).increment()
        }
    }

    /// Seconds since the last version (at scrape).
    func recordLastVersionAge(_ seconds: Double) { gauge(MetricNames.publishLastVersionAge).record(seconds) }

    // MARK: RocksDB

    /// RocksDB sizes and write stalls (nothing when the store is closed).
    func record(store: Store) {
        func sample(_ label: String, _ read: () throws -> UInt64?) {
            if let value = try? read() { gauge(label).record(Int64(clamping: value)) }
        }
        sample(MetricNames.rocksdbSSTBytes) { try store.summedProperty("rocksdb.total-sst-files-size") }
        sample(MetricNames.rocksdbLiveDataBytes) { try store.summedProperty("rocksdb.estimate-live-data-size") }
        sample(MetricNames.rocksdbMemtableBytes) { try store.summedProperty("rocksdb.cur-size-all-mem-tables") }
        sample(MetricNames.rocksdbPendingCompactionBytes) { try store.summedProperty("rocksdb.estimate-pending-compaction-bytes") }
        sample(MetricNames.rocksdbDelayedWriteRate) { try store.databaseProperty("rocksdb.actual-delayed-write-rate") }
        sample(MetricNames.rocksdbWriteStopped) { try store.databaseProperty("rocksdb.is-write-stopped") }
    }
}
