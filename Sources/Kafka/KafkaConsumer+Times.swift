import CRdKafka

extension KafkaConsumer {
    /// For each partition, the earliest offset whose timestamp is at or after
    /// `timestampMs` (ListOffsets by time; the high watermark when no message is that
    /// recent). Throws when the broker does not answer it: librdkafka's mock cluster, for
    /// one, does not implement it.
    public func offsetsForTimes(_ partitions: [TopicPartition], timestampMs: Int64,
                                timeout: Duration = .seconds(10)) async throws(KafkaError) -> [TopicPartition: Int64] {
        let client = self.client
        let ms = timeout.rdKafkaMilliseconds
        let query = Dictionary(uniqueKeysWithValues: partitions.map { ($0, timestampMs) })
        let r: Result<[TopicPartition: Int64], KafkaError> = await BlockingExecutor.run {
            let list = TopicPartitionList(query)
            let err = rd_kafka_offsets_for_times(client.handle, list.pointer, ms)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { return .failure(KafkaError(err, context: "offsets for times")) }
            var out: [TopicPartition: Int64] = [:]
            for (tp, offset, error) in list.entries {
                if error != RD_KAFKA_RESP_ERR_NO_ERROR { return .failure(KafkaError(error, context: "offsets for times \(tp)")) }
                out[tp] = offset
            }
            return .success(out)
        }
        return try r.get()
    }
}
