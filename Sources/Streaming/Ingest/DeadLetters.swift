import Kafka
import Model

/// Builds the dead-letter record for a consumed message that is not a valid event: the
/// original key and bytes, untouched, and the reason in headers.
///
/// Headers: `m2grl.reason` (a stable code such as `not_json`, `missing_field`),
/// `m2grl.error` (human-readable), `m2grl.source` (`topic/partition/offset`).
public enum DeadLetters {
    public static func record(for message: KafkaMessage, rejection: EventRejection, topic: String) -> KafkaProducerRecord {
        KafkaProducerRecord(
            topic: topic, key: message.key, value: message.value ?? [],
            headers: [
                KafkaHeader(key: "m2grl.reason", string: rejection.code),
                KafkaHeader(key: "m2grl.error", string: rejection.description),
                KafkaHeader(key: "m2grl.source", string: "\(message.topic)/\(message.partition)/\(message.offset)"),
            ],
            timestampMs: message.timestampMs)
    }
}
