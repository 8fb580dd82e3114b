import Foundation
import Kafka
import Logging

/// Reads partitions to their end with manual assignment (no group, no commit): the
/// building block of `PublishedVersionReader` and `EmbeddingPublisher.lastPublishedVersion`. The
/// end of a partition is where the fetch itself finds it (`KafkaConsumer.readToEnd`), never
/// the broker's separately queried high watermark, which some brokers under-report.
struct TopicRangeScan {
    let consumer: KafkaConsumer

    /// A consumer for scans: a throwaway group id (never committed), configured for reading
    /// to the end (`KafkaConfiguration.readingToEnd`). librdkafka consumers do not
    /// auto-create topics by default.
    init(configuration: KafkaConfiguration, logger: Logger) throws {
        let config = configuration.consumerConfiguration(groupID: "m2grl-scan-\(UUID().uuidString)").readingToEnd()
        consumer = try KafkaConsumer(configuration: config, logger: logger)
    }

    /// The partitions of `topic`; empty when the topic does not exist.
    func partitions(of topic: String) async throws -> [TopicPartition] {
        let counted: Result<Int, KafkaError>
        do {
            counted = .success(try await consumer.partitionCount(topic: topic))
        } catch {
            counted = .failure(error)
        }
        if case .failure(let error) = counted, error.code == .unknownTopicOrPartition { return [] }
        return (0..<(try counted.get())).map { TopicPartition(topic, Int32($0)) }
    }

    /// Where reading the last `records` records of each partition starts: that many before
    /// `end` when given (an offset known to exist, such as one just produced), else before
    /// the broker's high watermark. The watermark may lag the end (then more is read, up to
    /// the real end), so it only places the start, never the end.
    func tailStarts(of partitions: [TopicPartition], records: Int64, endingAt end: Int64? = nil) async throws -> [TopicPartition: Int64] {
        var starts: [TopicPartition: Int64] = [:]
        for tp in partitions {
            let marks = try await consumer.watermarks(tp)
            let back = (end ?? marks.high).subtractingReportingOverflow(max(0, records))
            starts[tp] = back.overflow ? marks.low : max(marks.low, back.partialValue)
        }
        return starts
    }

    /// Delivers every message of each partition from its start (an offset or
    /// `KafkaOffset.beginning`) to its end to `body`, in offset order per partition.
    @discardableResult
    func read(from starts: [TopicPartition: Int64], timeout: Duration,
              _ body: (KafkaMessage) throws -> Void) async throws -> [TopicPartition: Int64] {
        try await consumer.readToEnd(from: starts, timeout: timeout, body)
    }

    func close() async { await consumer.close() }
}
