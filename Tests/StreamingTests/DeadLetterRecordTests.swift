import Kafka
import Model
import Streaming
import Testing

/// The dead-letter record built for a rejected message, under the producer's size limit.
@Suite("Dead-letter records")
struct DeadLetterRecordTests {
    static let rejection = EventRejection.oversizedMessage(bytes: 20_000)

    func message(key: [UInt8]?, value: [UInt8]) -> KafkaMessage {
        KafkaMessage(topic: "events", partition: 3, offset: 41, key: key, value: value, timestampMs: 1_600_000_000_000)
    }

    /// Bytes a record's key, value and headers take (what librdkafka compares with its limit,
    /// give or take the framing).
    func size(_ record: KafkaProducerRecord) -> Int {
        (record.key?.count ?? 0) + (record.value?.count ?? 0)
            + record.headers.reduce(0) { $0 + $1.key.utf8.count + ($1.value?.count ?? 0) }
    }

    func fnv1a128Hex(_ bytes: [UInt8]) -> String {
        var hash = FNV1a128()
        hash.combine(bytes)
        return hash.hex
    }

    @Test("a letter within the limit is the original key, value and timestamp with the reason headers only")
    func smallLetterIsUnchanged() {
        let value = Array(repeating: UInt8(ascii: "v"), count: 5_000)
        let record = DeadLetters.record(for: message(key: [1, 2], value: value), rejection: Self.rejection, topic: "dl",
                                        maxMessageBytes: 10_000)
        #expect(record.topic == "dl" && record.key == [1, 2] && record.value == value && record.timestampMs == 1_600_000_000_000)
        #expect(record.headers.map(\.key) == ["m2grl.reason", "m2grl.error", "m2grl.source"])
        #expect(record.headers.last?.stringValue == "events/3/41")
    }

    @Test("a letter over the limit keeps the start of the value, with the original size and hash")
    func largeValueIsTruncated() {
        let value = (0..<20_000).map { UInt8(truncatingIfNeeded: $0) }
        let record = DeadLetters.record(for: message(key: Array("user".utf8), value: value), rejection: Self.rejection,
                                        topic: "dl", maxMessageBytes: 10_000)
        let kept = record.value ?? []
        #expect(record.key == Array("user".utf8))
        #expect(kept.count > 8_000 && size(record) <= 10_000 - 1_000, "\(kept.count) bytes kept, \(size(record)) in all")
        #expect(kept == Array(value.prefix(kept.count)))
        func header(_ key: String) -> String? { record.headers.first { $0.key == key }?.stringValue }
        #expect(header("m2grl.reason") == "oversized_message")
        #expect(header("m2grl.truncated") == "true")
        #expect(header("m2grl.original_size") == "20000")
        #expect(header("m2grl.original_fnv1a128") == fnv1a128Hex(value))
        #expect(header("m2grl.original_key_size") == nil)
    }

    @Test("a key taking more than half the room is cut too, and says its original size")
    func largeKeyIsTruncated() {
        let key = Array(repeating: UInt8(ascii: "k"), count: 8_000)
        let record = DeadLetters.record(for: message(key: key, value: Array(repeating: 1, count: 8_000)),
                                        rejection: Self.rejection, topic: "dl", maxMessageBytes: 10_000)
        #expect((record.key?.count ?? 0) < 5_000 && size(record) <= 10_000 - 1_000)
        #expect(record.key == Array(key.prefix(record.key?.count ?? 0)))
        #expect(record.headers.first { $0.key == "m2grl.original_key_size" }?.stringValue == "8000")
    }

    @Test("a limit too small for anything but the headers gives an empty letter, not a trap")
    func tinyLimit() {
        let record = DeadLetters.record(for: message(key: [1, 2, 3], value: [4, 5, 6]), rejection: Self.rejection,
                                        topic: "dl", maxMessageBytes: 100)
        #expect(record.key == [] && record.value == [])
        #expect(record.headers.first { $0.key == "m2grl.truncated" } != nil)
    }

    @Test("the limit comes from the producer's message.max.bytes when it is a positive integer")
    func limitFromConfiguration() {
        func limit(_ value: String?) -> Int {
            var configuration = KafkaConfiguration(bootstrapServers: "localhost:9092")
            configuration["message.max.bytes"] = value
            return DeadLetters.maxMessageBytes(of: configuration)
        }
        #expect(limit(nil) == 1_000_000)
        #expect(limit("2000000") == 2_000_000)
        #expect(limit("-5") == 1_000_000)
        #expect(limit("lots") == 1_000_000)
    }
}
