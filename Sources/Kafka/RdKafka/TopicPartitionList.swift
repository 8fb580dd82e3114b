import CRdKafka

/// Owns an `rd_kafka_topic_partition_list_t`, built from or read into Swift values.
final class TopicPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(_ offsets: [TopicPartition: Int64]) {
        pointer = rd_kafka_topic_partition_list_new(Int32(max(1, offsets.count)))
        for (tp, offset) in offsets.sorted(by: { $0.key < $1.key }) {
            rd_kafka_topic_partition_list_add(pointer, tp.topic, tp.partition).pointee.offset = offset
        }
    }

    convenience init(_ partitions: [TopicPartition]) {
        self.init(Dictionary(partitions.map { ($0, KafkaOffset.invalid) }, uniquingKeysWith: { a, _ in a }))
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    /// Reads a list owned by someone else into Swift values.
    static func read(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> [(TopicPartition, Int64, rd_kafka_resp_err_t)] {
        guard let list else { return [] }
        let n = Int(list.pointee.cnt)
        return (0..<n).map { i in
            let e = list.pointee.elems[i]
            return (TopicPartition(String(cString: e.topic), e.partition), e.offset, e.err)
        }
    }

    var entries: [(TopicPartition, Int64, rd_kafka_resp_err_t)] { Self.read(pointer) }
}
