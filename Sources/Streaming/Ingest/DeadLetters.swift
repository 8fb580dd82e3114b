import Kafka
import Model

/// Builds the dead-letter record for a consumed message that is not a valid event: the
/// original key and bytes, untouched, and the reason in headers.
///
/// Headers: `m2grl.reason` (a stable code such as `not_json`, `missing_field`),
/// `m2grl.error` (human-readable), `m2grl.source` (`topic/partition/offset`).
///
/// A letter that would exceed the producer's `message.max.bytes` is truncated: it keeps the
/// start of the value (and of the key, if the key alone takes more than half the room) and
/// adds `m2grl.truncated` (`true`), `m2grl.original_size` (bytes of the original value),
/// `m2grl.original_fnv1a128` (128-bit FNV-1a of the whole original value, 32 hex digits,
/// see ``FNV1a128``) and, when the key was cut, `m2grl.original_key_size`.
public enum DeadLetters {
    /// librdkafka's default `message.max.bytes`.
    public static let defaultMaxMessageBytes = 1_000_000
    /// Room left under `message.max.bytes` for the record's framing (librdkafka counts a
    /// record's key, value, headers and their varint lengths; a few dozen bytes).
    static let framingReserve = 1_024

    /// The producer's `message.max.bytes` when set to a positive integer, else the default.
    public static func maxMessageBytes(of configuration: KafkaConfiguration) -> Int {
        guard let text = configuration["message.max.bytes"], let value = Int(text), value > 0 else {
            return defaultMaxMessageBytes
        }
        return value
    }

    public static func record(
        for message: KafkaMessage, rejection: EventRejection, topic: String, maxMessageBytes: Int = defaultMaxMessageBytes
    ) -> KafkaProducerRecord {
        var headers = [
            KafkaHeader(key: "m2grl.reason", string: rejection.code),
            KafkaHeader(key: "m2grl.error", string: rejection.description),
            KafkaHeader(key: "m2grl.source", string: "\(message.topic)/\(message.partition)/\(message.offset)"),
        ]
        let value = message.value ?? []
        var key = message.key
        let keyBytes = key?.count ?? 0
        if keyBytes + value.count + size(of: headers) + framingReserve > maxMessageBytes {
            var hash = FNV1a128()
            hash.combine(value)
            headers += [
                KafkaHeader(key: "m2grl.truncated", string: "true"),
                KafkaHeader(key: "m2grl.original_size", string: "\(value.count)"),
                KafkaHeader(key: "m2grl.original_fnv1a128", string: hash.hex),
                KafkaHeader(key: "m2grl.original_key_size", string: "\(keyBytes)"),
            ]
            let room = max(0, maxMessageBytes - framingReserve - size(of: headers))
            if keyBytes > room / 2 {
                key = key.map { Array($0.prefix(room / 2)) }
            } else {
                headers.removeLast()  // the key is whole
            }
            return KafkaProducerRecord(
                topic: topic, key: key, value: Array(value.prefix(room - (key?.count ?? 0))), headers: headers,
                timestampMs: message.timestampMs)
        }
        return KafkaProducerRecord(topic: topic, key: key, value: value, headers: headers, timestampMs: message.timestampMs)
    }

    /// Bytes the headers take in a record, their length prefixes included (at most 5 each).
    private static func size(of headers: [KafkaHeader]) -> Int {
        headers.reduce(0) { $0 + $1.key.utf8.count + ($1.value?.count ?? 0) + 10 }
    }
}
