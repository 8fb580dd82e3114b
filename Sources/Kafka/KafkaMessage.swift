import CRdKafka

/// A consumed record, copied out of librdkafka's buffers.
public struct KafkaMessage: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
    /// Milliseconds since the epoch (create or log-append time), if the broker sent one.
    public var timestampMs: Int64?

    public var topicPartition: TopicPartition { TopicPartition(topic, partition) }

    public func header(_ key: String) -> KafkaHeader? { headers.first { $0.key == key } }

    /// Copies a successfully fetched `rd_kafka_message_t` (does not destroy it).
    init(copying m: UnsafeMutablePointer<rd_kafka_message_t>, topicName: String? = nil) {
        let msg = m.pointee
        topic = topicName ?? msg.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        partition = msg.partition
        offset = msg.offset
        key = msg.key.map { Array(UnsafeRawBufferPointer(start: $0, count: msg.key_len)) }
        value = msg.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: msg.len)) }
        var tsType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let ts = rd_kafka_message_timestamp(m, &tsType)
        timestampMs = tsType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : ts
        var hdrs: OpaquePointer?
        var out: [KafkaHeader] = []
        if rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs {
            var i = 0
            var name: UnsafePointer<CChar>?
            var val: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(hdrs, i, &name, &val, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let key = name.map { String(cString: $0) } ?? ""
                out.append(KafkaHeader(key: key, value: val.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }))
                i += 1
            }
        }
        headers = out
    }

    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]?,
                headers: [KafkaHeader] = [], timestampMs: Int64? = nil) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMs = timestampMs
    }
}

/// What one poll returned: messages in fetch order, and the partitions whose end was
/// reached (with the offset of the end) since the previous poll.
public struct KafkaMessageBatch: Sendable {
    public var messages: [KafkaMessage]
    public var reachedEnd: [TopicPartition: Int64]

    public var isEmpty: Bool { messages.isEmpty && reachedEnd.isEmpty }
}
