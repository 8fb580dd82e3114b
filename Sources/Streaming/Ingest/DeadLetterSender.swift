import Kafka
import Logging
import Model

/// Produces the dead letters of one batch and waits for each acknowledgement.
///
/// Letters are built by ``DeadLetters/record(for:rejection:topic:maxMessageBytes:)`` under
/// the producer's `message.max.bytes` (larger ones are truncated). A letter that still
/// cannot be delivered (any error, once librdkafka has retried for up to
/// `message.timeout.ms`) is lost: it is logged at error level (`dead letter lost`, with the
/// source `topic/partition/offset`, the reason and the delivery error) and counted
/// (`events.dead_letters_lost` in the state, `m2grl_ingest_events_total{outcome="dead_letters_lost"}`),
/// and ingestion goes on: a dead letter never stops the stream. The letters of one batch are sent concurrently, so their order on the
/// dead-letter topic is not the source order (`m2grl.source` gives it).
struct DeadLetterSender: Sendable {
    let producer: KafkaProducer
    let topic: String
    let maxMessageBytes: Int
    let logger: Logger

    init(producer: KafkaProducer, topic: String, producerConfiguration: KafkaConfiguration, logger: Logger) {
        self.producer = producer
        self.topic = topic
        self.maxMessageBytes = DeadLetters.maxMessageBytes(of: producerConfiguration)
        self.logger = logger
    }

    /// Sends a letter for every rejected message; returns how many were lost.
    func send(_ rejected: [(message: KafkaMessage, rejection: EventRejection)]) async -> Int {
        let lostCount = await withTaskGroup(of: Bool.self) { group in
            for (message, rejection) in rejected {
                group.addTask { await send(message, rejection) }
            }
            var lost = 0
            for await delivered in group where !delivered { lost += 1 }
            return lost
        }
        return lostCount
    }

    private func send(_ message: KafkaMessage, _ rejection: EventRejection) async -> Bool {
        let source = "\(message.topic)/\(message.partition)/\(message.offset)"
        let record = DeadLetters.record(for: message, rejection: rejection, topic: topic, maxMessageBytes: maxMessageBytes)
        do {
            _ = try await producer.send(record)
            logger.debug("dead letter", metadata: ["reason": "\(rejection.code)", "source": "\(source)"])
            return true
        } catch {
            logger.error("dead letter lost", metadata: [
                "source": "\(source)", "reason": "\(rejection.code)", "error": "\(error)",
                "bytes": "\(message.value?.count ?? 0)",
            ])
            return false
        }
    }
}
