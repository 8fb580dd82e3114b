import Foundation
import Kafka
import Model
import Store
import Streaming
import Testing

extension StreamingIngestTests {
    @Suite("Dead letters", .serialized, .timeLimit(.minutes(2)))
    struct DeadLetterRouting {
        static let partitions = 4

        /// One malformed record and the reason code the issue expects for it.
        struct Malformed {
            var key: [UInt8]?
            var value: [UInt8]
            var reason: String
        }

        /// The k-th malformed record, cycling through the kinds of damage named in the issue.
        static func malformed(_ k: Int) -> Malformed {
            let user = "bad\(k)"
            let key: [UInt8]? = k % 3 == 0 ? nil : Array(user.utf8)
            let (text, reason): (String, String) = switch k % 7 {
            case 0: ("this is not json #\(k)", "not_json")
            case 1: (#"{"user_id":"\#(user)","item_id":"i1","timestamp":1600000000"#, "not_json")  // truncated
            case 2: (#"{"item_id":"i\#(k)","timestamp":1600000000,"category":"c1","shop":"s1"}"#, "missing_field")
            case 3: (#"{"user_id":"\#(user)","item_id":"i1","timestamp":true}"#, "wrong_type")
            case 4: (#"{"user_id":"\#(user)","item_id":"i1","timestamp":"yesterday"}"#, "absurd_timestamp")
            case 5: (#"{"user_id":"\#(user)","item_id":"i1","timestamp":99999999999999}"#, "absurd_timestamp")
            default: (#"{"user_id":"\#(user)","item_id":"\#(String(repeating: "x", count: 2_000))","timestamp":1600000000}"#, "oversized_field")
            }
            return Malformed(key: key, value: Array(text.utf8), reason: reason)
        }

        @Test("malformed records go to the dead-letter topic with original bytes and reason; the valid ones build the offline state")
        func malformedRecordsAreDeadLettered() async throws {
            let config = try syntheticPipeline()
            let topics = TestTopics(config)
            let valid = syntheticEvents(count: 8_000, seed: 13)
            let malformed = (0..<42).map(Self.malformed)
            let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: quietLogger)
            try cluster.createTopic(topics.events, partitions: Self.partitions)
            try cluster.createTopic(topics.deadLetters, partitions: 1)

            // Interleave: a malformed record after every ~190 valid events.
            let producer = try makeProducer(cluster)
            let every = valid.count / malformed.count
            var bad = malformed.makeIterator()
            for (i, event) in valid.enumerated() {
                try producer.enqueue(KafkaProducerRecord(topic: topics.events, key: Array(event.user.utf8), value: jsonBytes(event)))
                if i % every == every / 2, let m = bad.next() {
                    try producer.enqueue(KafkaProducerRecord(topic: topics.events, key: m.key, value: m.value))
                }
            }
            while let m = bad.next() { try producer.enqueue(KafkaProducerRecord(topic: topics.events, key: m.key, value: m.value)) }
            try await producer.flush(timeout: .seconds(60))

            let dir = try TemporaryDirectory()
            let (store, processor) = try openProcessor(dir.sub("state"), config: config)
            defer { store.close() }
            let service = ingestService(processor, cluster: cluster, settings: ingestSettings(config, stopAtEnd: true, maxBatch: 500))
            try await withDeadline(60, "ingesting to the end of the topic") { try await service.run() }

            let ends = try await endOffsets(cluster, topic: topics.events, partitions: Self.partitions)
            #expect(processor.allOffsets == ends, "dead-lettered records must be consumed past too")
            #expect(processor.status.counters["events.dead_lettered"] == UInt64(malformed.count))
            #expect(processor.status.counters["events.applied"] == UInt64(valid.count))

            // The dead-letter topic holds exactly the malformed records.
            let letters = try await readAll(cluster, topic: topics.deadLetters)
            func signature(_ value: [UInt8], _ key: [UInt8]?, _ reason: String?) -> String {
                "\(reason ?? "<no reason>")|\(key.map { String(decoding: $0, as: UTF8.self) } ?? "<no key>")|\(String(decoding: value, as: UTF8.self))"
            }
            let got = letters.map { signature($0.value ?? [], $0.key, $0.header("m2grl.reason")?.stringValue) }.sorted()
            let expected = malformed.map { signature($0.value, $0.key, $0.reason) }.sorted()
            #expect(got.count == expected.count)
            #expect(got == expected)
            for letter in letters {
                let error = letter.header("m2grl.error")?.stringValue ?? ""
                #expect(error.count > 0, "m2grl.error header missing or empty")
                let source = letter.header("m2grl.source")?.stringValue ?? ""
                let parts = source.split(separator: "/")
                #expect(parts.count == 3 && parts[0] == Substring(topics.events), "m2grl.source '\(source)'")
                if parts.count == 3, let p = Int32(parts[1]), let offset = Int64(parts[2]) {
                    #expect(offset < (ends[TopicPartition(topics.events, p)] ?? 0), "m2grl.source '\(source)' points past the end")
                }
            }
            let sources = Set(letters.compactMap { $0.header("m2grl.source")?.stringValue })
            #expect(sources.count == letters.count, "every dead letter names a distinct source record")

            try processor.closeAllSessions()
            let diff = try NamedGraphs(processor.graphs).differences(from: offlineGraphs(valid, config: config))
            #expect(diff.isEmpty, "\(diff)")
        }

        /// Every message of a single-partition topic, from the beginning to the end.
        func readAll(_ cluster: EmbeddedKafkaCluster, topic: String) async throws -> [KafkaMessage] {
            let consumer = try KafkaConsumer(
                configuration: .consumer(bootstrapServers: cluster.bootstrapServers, groupID: uniqueName("dead-letter-reader")),
                logger: quietLogger)
            let tp = TopicPartition(topic, 0)
            let end = try await consumer.watermarks(tp).high
            try consumer.assign([tp: KafkaOffset.beginning])
            var got: [KafkaMessage] = []
            let deadline = ContinuousClock.now + .seconds(20)
            var reachedEnd = false
            while !reachedEnd && ContinuousClock.now < deadline {
                let batch = try await consumer.poll(maxMessages: 500, timeout: .milliseconds(200))
                got.append(contentsOf: batch.messages)
                reachedEnd = batch.reachedEnd[tp].map { $0 >= end } ?? false
            }
            await consumer.close()
            #expect(reachedEnd, "dead-letter topic not read to its end")
            return got
        }
    }
}
