import CRdKafka
import Logging

/// Owns one `rd_kafka_t` (producer or consumer) and its callbacks.
///
/// librdkafka handles are thread-safe; this wrapper is `@unchecked Sendable` because the
/// pointer is immutable after creation and destroyed exactly once, in `deinit`.
final class RdKafkaClient: @unchecked Sendable {
    enum Kind { case producer, consumer }

    let handle: OpaquePointer
    let callbacks: RdKafkaCallbacks

    init(kind: Kind, configuration: KafkaConfiguration, callbacks: RdKafkaCallbacks) throws(KafkaError) {
        let conf = try Self.makeConf(configuration)
        callbacks.install(on: conf)
        var errbuf = [CChar](repeating: 0, count: 512)
        let type = kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER
        guard let rk = rd_kafka_new(type, conf, &errbuf, errbuf.count) else {
            rd_kafka_conf_destroy(conf)  // not taken over on failure
            throw KafkaError(code: .invalidConfiguration, message: String(errorBuffer: errbuf))
        }
        self.handle = rk
        self.callbacks = callbacks
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    /// Builds an `rd_kafka_conf_t` from the properties; the caller owns the result.
    static func makeConf(_ configuration: KafkaConfiguration) throws(KafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(code: .invalidConfiguration, message: "rd_kafka_conf_new failed")
        }
        var errbuf = [CChar](repeating: 0, count: 512)
        for (key, value) in configuration.properties.sorted(by: { $0.key < $1.key }) {
            if rd_kafka_conf_set(conf, key, value, &errbuf, errbuf.count) != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                // librdkafka's message names the property, never the value.
                throw KafkaError(code: .invalidConfiguration,
                                 message: "Kafka property '\(key)': \(String(errorBuffer: errbuf))")
            }
        }
        return conf
    }

    /// Partition count of `topic` from cluster metadata.
    func partitionCount(topic: String, timeoutMs: Int32) throws(KafkaError) -> Int {
        guard let rkt = rd_kafka_topic_new(handle, topic, nil) else {
            throw KafkaError(rd_kafka_last_error(), context: "topic \(topic)")
        }
        defer { rd_kafka_topic_destroy(rkt) }
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(handle, 0, rkt, &metadata, timeoutMs)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let md = metadata else {
            throw KafkaError(err, context: "metadata for topic \(topic)")
        }
        defer { rd_kafka_metadata_destroy(md) }
        guard md.pointee.topic_cnt > 0 else {
            throw KafkaError(code: .unknownTopicOrPartition, message: "topic \(topic) not in metadata")
        }
        let t = md.pointee.topics[0]
        if t.err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(t.err, context: "topic \(topic)") }
        return Int(t.partition_cnt)
    }

    /// Low and high watermark (next offset to be written) of a partition, asked of the broker.
    func watermarks(_ tp: TopicPartition, timeoutMs: Int32) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = 0, high: Int64 = 0
        let err = rd_kafka_query_watermark_offsets(handle, tp.topic, tp.partition, &low, &high, timeoutMs)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, context: "watermarks of \(tp)") }
        return (low, high)
    }

    /// `partitionCount(topic:timeoutMs:)` off the cooperative pool.
    func partitionCount(topic: String, timeout: Duration) async throws(KafkaError) -> Int {
        let ms = timeout.rdKafkaMilliseconds
        let r: Result<Int, KafkaError> = await BlockingExecutor.run { [self] in
            do throws(KafkaError) { return .success(try self.partitionCount(topic: topic, timeoutMs: ms)) }
            catch { return .failure(error) }
        }
        return try r.get()
    }
}
