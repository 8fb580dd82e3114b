import Foundation
import Kafka
import Prometheus
@testable import Streaming
import Telemetry
import Testing

@Suite("Stream metrics from statuses and history records")
struct StreamMetricsTests {
    private let registry = PrometheusCollectorRegistry()
    private let now = Clock()

    private func telemetry() -> StreamTelemetry {
        let factory = PrometheusBackend.factory(registry: registry, valueBuckets: MetricNames.valueBuckets,
                                                durationBuckets: MetricNames.durationBuckets)
        let clock = now
        return StreamTelemetry(factory: factory, nowMs: { clock.ms })
    }

    private func scrape() -> PrometheusScrape {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return PrometheusScrape(String(decoding: buffer, as: UTF8.self))
    }

    private func status(applied: UInt64, deadLettered: UInt64) -> IngestStatus {
        IngestStatus(views: [.init(name: "item", nodes: 5, edges: 7, walksInRing: 11)], adjacencyBytes: 100, adjacencyBound: 1_000,
                     adjacencyLoads: 3, openSessions: 2, offsets: [:],
                     counters: ["events.applied": applied, "events.dead_lettered": deadLettered, "batches": 4])
    }

    @Test("ingest totals are counters equal to the status numbers; sizes and lag are gauges; batch times a histogram")
    func ingest() {
        let t = telemetry()
        let tp = TopicPartition("events", 1)
        t.recordIngest(status: status(applied: 10, deadLettered: 2), lag: [tp: 40], eventsPerSecond: 12.5)
        t.recordIngest(status: status(applied: 15, deadLettered: 2), lag: [tp: 0], eventsPerSecond: 5)
        t.recordBatch(.milliseconds(30))
        let s = scrape()
        #expect(s.types["m2grl_ingest_events_total"] == "counter")
        #expect(s.samples[#"m2grl_ingest_events_total{outcome="applied"}"#] == 15)
        #expect(s.samples[#"m2grl_ingest_events_total{outcome="dead_lettered"}"#] == 2)
        #expect(s.samples[#"m2grl_ingest_events_total{outcome="late"}"#] == 0)
        #expect(s.samples["m2grl_ingest_batches_total"] == 4)
        #expect(s.types["m2grl_ingest_lag_messages"] == "gauge")
        #expect(s.samples[#"m2grl_ingest_lag_messages{topic="events",partition="1"}"#] == 0)
        #expect(s.samples[#"m2grl_graph_edges{view="item"}"#] == 7)
        #expect(s.samples["m2grl_ingest_events_per_second"] == 5)
        #expect(s.types["m2grl_ingest_batch_duration_seconds"] == "histogram")
        #expect(s.samples["m2grl_ingest_batch_duration_seconds_count"] == 1)
        #expect(s.samples[#"m2grl_ingest_batch_duration_seconds_bucket{le="0.05"}"#] == 1)
        #expect(s.samples[#"m2grl_ingest_batch_duration_seconds_bucket{le="0.025"}"#] == 0)
    }

    @Test("rounds, versions and checkpoints appended to the history become metrics; the last version's age is taken at scrape")
    func history() throws {
        let dir = try TemporaryDirectory()
        let t = telemetry()
        let log = HistoryLog(stateDirectory: dir.path, telemetry: t)
        var round = HistoryRecord(kind: .train, timeMs: 1_000)
        round.tokens = 1_000
        round.roundTokens = 500
        round.roundSeconds = 0.5
        round.losses = ["intra.item": 1.5]
        round.taskLogVariances = ["intra.item": 0.0]
        log.append(round)
        round.tokens = 1_800
        round.taskLogVariances = ["intra.item": 0.5]
        log.append(round)
        var version = HistoryRecord(kind: .publish, timeMs: 10_000)
        version.version = 7
        version.versionKind = "snapshot"
        version.rows = 42
        version.freshnessMs = 2_500
        version.newEdgeFreshnessMs = [1_000, 3_000]
        log.append(version)
        log.append(HistoryRecord(checkpointOf: 7, final: false, failure: CocoaError(.fileWriteNoPermission)))
        now.ms = 15_000
        t.beforeScrape()

        let s = scrape()
        #expect(s.samples["m2grl_train_rounds_total"] == 2)
        #expect(s.samples["m2grl_train_tokens_total"] == 1_800)
        #expect(s.samples["m2grl_train_tokens_per_second"] == 1_000)
        #expect(s.samples["m2grl_train_round_duration_seconds_count"] == 2)
        #expect(s.samples[#"m2grl_train_task_loss{task="intra.item"}"#] == 1.5)
        #expect(s.samples[#"m2grl_train_task_weight{task="intra.item"}"#] == exp(-0.5))
        #expect(s.samples[#"m2grl_publish_versions_total{kind="snapshot"}"#] == 1)
        #expect(s.samples["m2grl_publish_rows_total"] == 42)
        #expect(s.samples["m2grl_publish_last_version"] == 7)
        #expect(s.samples["m2grl_publish_last_version_timestamp_seconds"] == 10)
        #expect(s.samples["m2grl_publish_last_version_age_seconds"] == 5)
        #expect(s.samples["m2grl_publish_freshness_seconds_sum"] == 2.5)
        #expect(s.samples["m2grl_publish_new_edge_freshness_seconds_count"] == 2)
        #expect(s.samples[#"m2grl_publish_new_edge_freshness_seconds_bucket{le="1.0"}"#] == 1)
        #expect(s.samples[#"m2grl_checkpoints_total{outcome="failed"}"#] == 1)
        // Readiness saw the round and the version: nothing waits.
        t.readiness.configure(ReadinessPolicy(maxLagMessages: 0, statusInterval: .seconds(10), publishInterval: .seconds(1)))
        t.readiness.ingestStatus(lag: 0, atMs: 15_000)
        #expect(t.currentReadiness().ready)
    }

    @Test("RocksDB sizes and write stalls come from the store's properties; a closed store leaves them as they were")
    func rocksdb() throws {
        let dir = try TemporaryDirectory()
        let (store, processor) = try openProcessor(dir.path, config: try syntheticPipeline())
        let t = telemetry()
        t.watch(processor)
        try store.flush()
        t.beforeScrape()
        let s = scrape()
        #expect(s.types["m2grl_rocksdb_sst_files_bytes"] == "gauge")
        #expect((s.samples["m2grl_rocksdb_sst_files_bytes"] ?? -1) >= 0)
        #expect(s.samples["m2grl_rocksdb_write_stopped"] == 0)
        #expect(s.samples["m2grl_rocksdb_delayed_write_rate_bytes_per_second"] == 0)
        #expect(s.samples[#"m2grl_ingest_events_total{outcome="applied"}"#] == 0)
        store.close()
        t.beforeScrape()   // no crash, no change
        #expect(scrape().samples["m2grl_rocksdb_write_stopped"] == 0)
    }
}

private final class Clock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64 = 0
    var ms: Int64 {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
