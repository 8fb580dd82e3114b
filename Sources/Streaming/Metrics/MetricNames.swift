import Telemetry

/// Every metric name this project exports (docs/operations.md, "Metrics", lists them with
/// types, labels and meanings). One name has one type and one set of label names for the
/// whole process: the Prometheus registry stops the process on a conflict, so names are
/// only ever spelled here.
public enum MetricNames {
    // Ingestion (status totals sampled at scrape and at every status line).
    public static let ingestEvents = "m2grl_ingest_events_total"               // counter {outcome}
    public static let ingestBatches = "m2grl_ingest_batches_total"             // counter
    public static let ingestSessionsClosed = "m2grl_ingest_sessions_closed_total"
    public static let ingestWalksWritten = "m2grl_ingest_walks_written_total"
    public static let ingestLag = "m2grl_ingest_lag_messages"                 // gauge {topic, partition}
    public static let ingestEventsPerSecond = "m2grl_ingest_events_per_second"
    public static let ingestBatchDuration = "m2grl_ingest_batch_duration_seconds"  // histogram
    public static let graphNodes = "m2grl_graph_nodes"                        // gauge {view}
    public static let graphEdges = "m2grl_graph_edges"                        // gauge {view}
    public static let walkRingWalks = "m2grl_walk_ring_walks"                 // gauge {view}
    public static let sessionsOpen = "m2grl_sessions_open"
    public static let adjacencyCacheBytes = "m2grl_adjacency_cache_bytes"
    public static let adjacencyLoads = "m2grl_adjacency_loads_total"

    // Training (from the rounds' history records).
    public static let trainRounds = "m2grl_train_rounds_total"
    public static let trainTokens = "m2grl_train_tokens_total"
    public static let trainTokensPerSecond = "m2grl_train_tokens_per_second"
    public static let trainRoundDuration = "m2grl_train_round_duration_seconds"  // histogram
    public static let trainTaskLoss = "m2grl_train_task_loss"                  // gauge {task}
    public static let trainTaskWeight = "m2grl_train_task_weight"              // gauge {task}

    // Publication and checkpoints (from the history records).
    public static let publishVersions = "m2grl_publish_versions_total"         // counter {kind}
    public static let publishRows = "m2grl_publish_rows_total"
    public static let publishLastVersion = "m2grl_publish_last_version"
    public static let publishLastVersionTime = "m2grl_publish_last_version_timestamp_seconds"
    public static let publishLastVersionAge = "m2grl_publish_last_version_age_seconds"
    public static let publishFreshness = "m2grl_publish_freshness_seconds"     // histogram
    public static let publishNewEdgeFreshness = "m2grl_publish_new_edge_freshness_seconds"  // histogram
    public static let checkpoints = "m2grl_checkpoints_total"                  // counter {outcome}

    // RocksDB (properties sampled at scrape).
    public static let rocksdbSSTBytes = "m2grl_rocksdb_sst_files_bytes"
    public static let rocksdbLiveDataBytes = "m2grl_rocksdb_live_data_bytes"
    public static let rocksdbMemtableBytes = "m2grl_rocksdb_memtable_bytes"
    public static let rocksdbPendingCompactionBytes = "m2grl_rocksdb_pending_compaction_bytes"
    public static let rocksdbDelayedWriteRate = "m2grl_rocksdb_delayed_write_rate_bytes_per_second"
    public static let rocksdbWriteStopped = "m2grl_rocksdb_write_stopped"

    // Process and health (sampled at scrape by every endpoint, also `broker`'s).
    public static let processResidentBytes = MetricsEndpoint.residentMemory.name
    public static let ready = MetricsEndpoint.ready.name

    /// Histogram buckets of the value histograms (seconds), for the backend's install.
    public static let valueBuckets: [String: [Double]] = [
        trainRoundDuration: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        publishFreshness: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
        publishNewEdgeFreshness: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    ]

    /// Histogram buckets of the timers.
    public static let durationBuckets: [String: [Duration]] = [
        ingestBatchDuration: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                              .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
                              .seconds(5), .seconds(10)],
    ]
}
