import Foundation
import Kafka
import Logging

/// Reads fixed offset ranges of partitions with manual assignment (no group, no commit):
/// the building block of `SnapshotReader` and `EmbeddingPublisher.lastPublishedVersion`.
struct TopicRangeScan {
    let consumer: KafkaConsumer

    /// A consumer for scans: a throwaway group id (never committed). librdkafka consumers
    /// do not auto-create topics by default.
    init(configuration: KafkaConfiguration, logger: Logger) throws {
        let config = KafkaConfiguration.consumer(
            bootstrapServers: configuration.bootstrapServers, groupID: "m2grl-scan-\(UUID().uuidString)"
        ).merging(configuration.properties)
        consumer = try KafkaConsumer(configuration: config, logger: logger)
    }

    /// `low..<high` of every partition of `topic`; empty when the topic does not exist.
    func ranges(of topic: String) async throws -> [TopicPartition: Range<Int64>] {
        let counted: Result<Int, KafkaError>
        do {
            counted = .success(try await consumer.partitionCount(topic: topic))
        } catch {
            counted = .failure(error)
        }
        if case .failure(let error) = counted, error.code == .unknownTopicOrPartition { return [:] }
        let count = try counted.get()
        var out: [TopicPartition: Range<Int64>] = [:]
        for p in 0..<count {
            let tp = TopicPartition(topic, Int32(p))
            let w = try await consumer.watermarks(tp)
            out[tp] = w.low..<max(w.low, w.high)
        }
        return out
    }

    /// Delivers every message of `ranges` (in offset order per partition) to `body`.
    func read(_ ranges: [TopicPartition: Range<Int64>], timeout: Duration,
              _ body: (KafkaMessage) throws -> Void) async throws {
        var pending = ranges.filter { !$0.value.isEmpty }
        guard !pending.isEmpty else { return }
        try consumer.assign(pending.mapValues { $0.lowerBound })
        let deadline = ContinuousClock.now + timeout
        while !pending.isEmpty {
            if ContinuousClock.now > deadline {
                let left = pending.keys.sorted().map(\.description).joined(separator: ", ")
                throw PublicationError.readTimedOut("\(left) up to their end")
            }
            let batch = try await consumer.poll(maxMessages: 5000, timeout: .milliseconds(200))
            for m in batch.messages {
                guard let range = pending[m.topicPartition], range.contains(m.offset) else { continue }
                try body(m)
                if m.offset + 1 >= range.upperBound { pending[m.topicPartition] = nil }
            }
            for (tp, end) in batch.reachedEnd where end >= (ranges[tp]?.upperBound ?? 0) { pending[tp] = nil }
        }
    }

    func close() async { await consumer.close() }
}
