import CRdKafka
import Logging

/// librdkafka's built-in mock cluster: a real Kafka-protocol server on 127.0.0.1,
/// in memory, for tests, demos and `m2grl broker`.
///
/// Limits of the mock in librdkafka 2.0.2 (see docs/operations.md): no CreateTopics
/// (use `createTopic` here), no offsets-for-times, aborted transactions are visible to
/// read_committed readers, and each partition keeps at most 5 MiB or 100,000 message
/// sets (produce batches), dropping the oldest. Give topics enough partitions.
///
/// Owns the `rd_kafka_t` that hosts the cluster and the cluster itself; both are freed
/// on deinit. The mock API is thread-safe (it posts to the cluster's own thread).
public final class EmbeddedKafkaCluster: @unchecked Sendable {
    private let host: RdKafkaClient
    private let cluster: OpaquePointer
    /// Broker ids are `1...brokerCount`.
    public let brokerCount: Int
    /// `host:port,...` of the brokers, for `bootstrap.servers`.
    public let bootstrapServers: String

    public init(brokers: Int = 1, logger: Logger = Logger(label: "m2grl.kafka.embedded")) throws(KafkaError) {
        guard brokers >= 1 else {
            throw KafkaError(code: .invalidConfiguration, message: "--brokers: need at least 1 broker, got \(brokers)")
        }
        // A producer instance without bootstrap servers hosts the mock cluster's thread.
        host = try RdKafkaClient(
            kind: .producer,
            configuration: KafkaConfiguration(bootstrapServers: "", properties: ["log_level": "3"]),
            callbacks: RdKafkaCallbacks(logger: logger))
        guard let mc = rd_kafka_mock_cluster_new(host.handle, Int32(brokers)) else {
            throw KafkaError(code: .invalidConfiguration, message: "could not start the mock cluster")
        }
        cluster = mc
        brokerCount = brokers
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(mc))
    }

    deinit {
        HighWatermarkUnderReport.set(0, bootstrapServers: bootstrapServers)
        rd_kafka_mock_cluster_destroy(cluster)
    }

    /// Creates a topic (the mock's replacement for CreateTopics). Replication is capped
    /// at the broker count. Creating an existing topic is not an error.
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        let rf = max(1, min(replicationFactor, brokerCount))
        let err = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(rf))
        if err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS {
            throw KafkaError(err, context: "create topic \(name)")
        }
    }

    // MARK: Fault injection

    /// Closes the broker's connections and refuses new ones until `brokerUp`.
    public func brokerDown(_ id: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_down(cluster, id), "broker \(id) down")
    }

    public func brokerUp(_ id: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_up(cluster, id), "broker \(id) up")
    }

    /// Adds `milliseconds` of round-trip time to every request the broker answers.
    public func setRoundTripTime(broker id: Int32, milliseconds: Int) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_rtt(cluster, id, Int32(milliseconds)), "broker \(id) rtt")
    }

    /// Makes the next requests of API `apiKey` (Kafka protocol key, e.g. 0 = Produce,
    /// 1 = Fetch, 8 = OffsetCommit) fail with `errors`, one per request, in order.
    public func injectRequestErrors(apiKey: Int16, errors: [KafkaError.Code]) {
        let raw = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        raw.withUnsafeBufferPointer {
            rd_kafka_mock_push_request_errors_array(cluster, apiKey, $0.count, $0.baseAddress)
        }
    }

    /// Makes requests of the partition's topic fail with `error` until cleared
    /// (`.init(rawValue: 0)`).
    public func setTopicError(_ topic: String, _ error: KafkaError.Code) {
        rd_kafka_mock_topic_set_error(cluster, topic, rd_kafka_resp_err_t(rawValue: error.rawValue))
    }

    /// Moves a partition's leadership to `broker`.
    public func setPartitionLeader(_ topic: String, partition: Int32, broker: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_partition_set_leader(cluster, topic, partition, broker), "set leader")
    }

    private func check(_ err: rd_kafka_resp_err_t, _ what: String) throws(KafkaError) {
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, context: what) }
    }
}

/// Well-known Kafka protocol API keys for fault injection.
public enum KafkaAPIKey {
    public static let produce: Int16 = 0
    public static let fetch: Int16 = 1
    public static let listOffsets: Int16 = 2
    public static let metadata: Int16 = 3
    public static let offsetCommit: Int16 = 8
    public static let offsetFetch: Int16 = 9
    public static let findCoordinator: Int16 = 10
    public static let joinGroup: Int16 = 11
    public static let heartbeat: Int16 = 12
}
