import CRdKafka
import Dispatch
import Logging
import Synchronization

/// A Kafka consumer over librdkafka with application-managed offsets.
///
/// Offsets are never committed automatically (`KafkaConfiguration.consumer`): the
/// application commits what it has durably applied, or keeps offsets in its own store and
/// supplies them on assignment through `RebalanceHandler.onAssign`. Use either group
/// subscription (`subscribe`) or manual assignment (`assign`), not both.
///
/// Threading: every blocking librdkafka call runs on this consumer's own serial Dispatch
/// queue (polls) or the shared blocking queue (commits, metadata), never on Swift's
/// cooperative pool. Rebalance callbacks run on the poll queue, inside `poll`.
public final class KafkaConsumer: Sendable {
    let client: RdKafkaClient
    private let listener: RebalanceListener
    /// Polls and the close run here, one at a time (rebalance callbacks run inside them).
    private let polls = BlockingExecutor(serial: "m2grl.kafka.consumer.poll")
    private let closed = Atomic<Bool>(false)
    /// For `HighWatermarkUnderReport` (fault injection on the embedded cluster).
    private let bootstrapServers: String
    public let logger: Logger

    public init(
        configuration: KafkaConfiguration,
        rebalance: RebalanceHandler = RebalanceHandler(),
        logger: Logger = Logger(label: "m2grl.kafka.consumer")
    ) throws(KafkaError) {
        let listener = RebalanceListener(handler: rebalance)
        let callbacks = RdKafkaCallbacks(logger: logger, rebalance: listener)
        self.client = try RdKafkaClient(kind: .consumer, configuration: configuration, callbacks: callbacks)
        self.listener = listener
        self.bootstrapServers = configuration.bootstrapServers
        self.logger = logger
        // Serve logs, errors and rebalances from the consumer queue, i.e. inside poll.
        _ = rd_kafka_poll_set_consumer(client.handle)
    }

    deinit {
        if !closed.load(ordering: .acquiring) {
            _ = rd_kafka_consumer_close(client.handle)
        }
    }

    private func checkOpen() throws(KafkaError) {
        if closed.load(ordering: .acquiring) { throw KafkaError(code: .closed, message: "consumer is closed") }
        if let fatal = client.callbacks.fatalError { throw fatal }
    }

    /// Joins the consumer group and subscribes to `topics`.
    public func subscribe(_ topics: [String]) throws(KafkaError) {
        try checkOpen()
        let list = TopicPartitionList(topics.map { TopicPartition($0, RD_KAFKA_PARTITION_UA) })
        let err = rd_kafka_subscribe(client.handle, list.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, context: "subscribe to \(topics)") }
    }

    /// Assigns partitions directly (no group management) at the given offsets
    /// (`KafkaOffset.beginning`, `.end`, `.stored` or an absolute offset).
    public func assign(_ offsets: [TopicPartition: Int64]) throws(KafkaError) {
        try checkOpen()
        let list = TopicPartitionList(offsets)
        let err = rd_kafka_assign(client.handle, list.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, context: "assign") }
    }

    /// The partitions currently assigned (by the group or by `assign`).
    public var assignment: Set<TopicPartition> {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(client.handle, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else {
            return listener.assignment
        }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return Set(TopicPartitionList.read(list).map { $0.0 })
    }

    /// Fetches up to `maxMessages`, waiting at most `timeout` for the first one.
    public func poll(maxMessages: Int = 1000, timeout: Duration = .milliseconds(100)) async throws(KafkaError) -> KafkaMessageBatch {
        try checkOpen()
        let client = self.client
        let logger = self.logger
        let timeoutMs = timeout.rdKafkaMilliseconds
        let batch = await polls.run { [self] () -> KafkaMessageBatch in
            var batch = KafkaMessageBatch(messages: [], reachedEnd: [:])
            if self.isClosed { return batch }
            batch.messages.reserveCapacity(min(maxMessages, 4096))
            var wait = timeoutMs
            // Topic names, cached per topic handle for this poll (one String per topic, not per message).
            var topicNames: [OpaquePointer: String] = [:]
            while batch.messages.count < maxMessages {
                guard let m = rd_kafka_consumer_poll(client.handle, wait) else { break }
                wait = 0
                defer { rd_kafka_message_destroy(m) }
                let err = m.pointee.err
                if err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    var name: String? = nil
                    if let rkt = m.pointee.rkt {
                        if let cached = topicNames[rkt] { name = cached } else {
                            let n = String(cString: rd_kafka_topic_name(rkt))
                            topicNames[rkt] = n
                            name = n
                        }
                    }
                    batch.messages.append(KafkaMessage(copying: m, topicName: name))
                } else if err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                    let topic = m.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
                    batch.reachedEnd[TopicPartition(topic, m.pointee.partition)] = m.pointee.offset
                } else {
                    // Consumer errors are informational; librdkafka keeps retrying.
                    logger.warning("consumer: \(KafkaError(err))")
                }
            }
            return batch
        }
        if let fatal = client.callbacks.fatalError { throw fatal }
        return batch
    }

    /// The message stream as batches: an `AsyncSequence` that polls until the consumer is
    /// closed or the task is cancelled. Empty polls are not yielded.
    public func batches(maxMessages: Int = 1000, pollTimeout: Duration = .milliseconds(100)) -> KafkaMessageBatches {
        KafkaMessageBatches(consumer: self, maxMessages: maxMessages, pollTimeout: pollTimeout)
    }

    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Commits `offsets` (the next offset to read, i.e. last processed + 1) for the group,
    /// synchronously with the broker.
    public func commit(_ offsets: [TopicPartition: Int64]) async throws(KafkaError) {
        try checkOpen()
        guard !offsets.isEmpty else { return }
        let client = self.client
        let result: Result<Void, KafkaError> = await BlockingExecutor.run {
            let list = TopicPartitionList(offsets)
            let err = rd_kafka_commit(client.handle, list.pointer, 0)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { return .failure(KafkaError(err, context: "commit")) }
            for (tp, _, e) in list.entries where e != RD_KAFKA_RESP_ERR_NO_ERROR {
                return .failure(KafkaError(e, context: "commit \(tp)"))
            }
            return .success(())
        }
        try result.get()
    }

    /// The group's committed offsets for `partitions` (absent: nothing committed).
    public func committed(_ partitions: [TopicPartition], timeout: Duration = .seconds(10)) async throws(KafkaError) -> [TopicPartition: Int64] {
        try checkOpen()
        let client = self.client
        let ms = timeout.rdKafkaMilliseconds
        let result: Result<[TopicPartition: Int64], KafkaError> = await BlockingExecutor.run {
            let list = TopicPartitionList(partitions)
            let err = rd_kafka_committed(client.handle, list.pointer, ms)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { return .failure(KafkaError(err, context: "committed offsets")) }
            var out: [TopicPartition: Int64] = [:]
            for (tp, offset, _) in list.entries where offset >= 0 { out[tp] = offset }
            return .success(out)
        }
        return try result.get()
    }

    /// Moves the fetch position of assigned partitions.
    public func seek(_ offsets: [TopicPartition: Int64], timeout: Duration = .seconds(10)) async throws(KafkaError) {
        try checkOpen()
        let client = self.client
        let ms = timeout.rdKafkaMilliseconds
        let result: Result<Void, KafkaError> = await BlockingExecutor.run {
            let list = TopicPartitionList(offsets)
            if let error = rd_kafka_seek_partitions(client.handle, list.pointer, ms) {
                return .failure(KafkaError(consuming: error, context: "seek"))
            }
            for (tp, _, e) in list.entries where e != RD_KAFKA_RESP_ERR_NO_ERROR {
                return .failure(KafkaError(e, context: "seek \(tp)"))
            }
            return .success(())
        }
        try result.get()
    }

    /// Commits `offsets` for the group without waiting for the broker's answer (errors are
    /// not reported). For offsets that only inform lag tools.
    public func commitInBackground(_ offsets: [TopicPartition: Int64]) throws(KafkaError) {
        try checkOpen()
        guard !offsets.isEmpty else { return }
        let list = TopicPartitionList(offsets)
        let err = rd_kafka_commit(client.handle, list.pointer, 1)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, context: "commit") }
    }

    /// Stops fetching from `partitions` until `resume`; the assignment is kept.
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        try checkOpen()
        let list = TopicPartitionList(partitions)
        let err = rd_kafka_pause_partitions(client.handle, list.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, context: "pause") }
    }

    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        try checkOpen()
        let list = TopicPartitionList(partitions)
        let err = rd_kafka_resume_partitions(client.handle, list.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, context: "resume") }
    }

    /// The next offset to be fetched for each of `partitions` (absent when unknown).
    public func position(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        let list = TopicPartitionList(partitions)
        guard rd_kafka_position(client.handle, list.pointer) == RD_KAFKA_RESP_ERR_NO_ERROR else { return [:] }
        var out: [TopicPartition: Int64] = [:]
        for (tp, offset, _) in list.entries where offset >= 0 { out[tp] = offset }
        return out
    }

    /// Low and high watermark of a partition, asked of the broker (ListOffsets). Some brokers
    /// under-report the high watermark (Tansu 0.6): a reader that must see everything finds
    /// the end from the fetch itself (`readToEnd`, `endOffsets`).
    public func watermarks(_ tp: TopicPartition, timeout: Duration = .seconds(10)) async throws(KafkaError) -> (low: Int64, high: Int64) {
        try checkOpen()
        let client = self.client
        let ms = timeout.rdKafkaMilliseconds
        let r: Result<(low: Int64, high: Int64), KafkaError> = await BlockingExecutor.run {
            do throws(KafkaError) { return .success(try client.watermarks(tp, timeoutMs: ms)) }
            catch { return .failure(error) }
        }
        return HighWatermarkUnderReport.applied(to: try r.get(), bootstrapServers: bootstrapServers)
    }

    /// Low and high watermark of a partition as last seen in fetch responses (no network
    /// call; nil until the partition has been fetched). For lag reporting in hot loops.
    public func cachedWatermarks(_ tp: TopicPartition) -> (low: Int64, high: Int64)? {
        var low: Int64 = -1, high: Int64 = -1
        let err = rd_kafka_get_watermark_offsets(client.handle, tp.topic, tp.partition, &low, &high)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
        return (low, high)
    }

    /// Partition count of `topic` as the cluster reports it.
    public func partitionCount(topic: String, timeout: Duration = .seconds(10)) async throws(KafkaError) -> Int {
        try await client.partitionCount(topic: topic, timeout: timeout)
    }

    /// Leaves the group (revoking partitions through the rebalance handler) and stops.
    /// Commits nothing by itself. Idempotent.
    public func close() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let client = self.client
        let logger = self.logger
        await polls.run {
            let err = rd_kafka_consumer_close(client.handle)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { logger.warning("consumer close: \(KafkaError(err))") }
        }
    }
}

/// An `AsyncSequence` of message batches from a `KafkaConsumer`.
public struct KafkaMessageBatches: AsyncSequence, Sendable {
    public typealias Element = KafkaMessageBatch
    let consumer: KafkaConsumer
    let maxMessages: Int
    let pollTimeout: Duration

    public struct AsyncIterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumer
        let maxMessages: Int
        let pollTimeout: Duration

        public mutating func next() async throws -> KafkaMessageBatch? {
            while !Task.isCancelled && !consumer.isClosed {
                let batch = try await consumer.poll(maxMessages: maxMessages, timeout: pollTimeout)
                if !batch.isEmpty { return batch }
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(consumer: consumer, maxMessages: maxMessages, pollTimeout: pollTimeout)
    }
}
