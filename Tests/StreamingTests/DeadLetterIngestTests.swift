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
            let (text, reason): (String, String) = switch k % 9 {
            case 0: ("this is not json #\(k)", "not_json")
            case 1: (#"{"user_id":"\#(user)","item_id":"i1","timestamp":1600000000"#, "not_json")  // truncated
            case 2: (#"{"item_id":"i\#(k)","timestamp":1600000000,"category":"c1","shop":"s1"}"#, "missing_field")
            case 3: (#"{"user_id":"\#(user)","item_id":"i1","timestamp":true}"#, "wrong_type")
            case 4: (#"{"user_id":"\#(user)","item_id":"i1","timestamp":"yesterday"}"#, "absurd_timestamp")
            case 5: (#"{"user_id":"\#(user)","item_id":"i1","timestamp":99999999999999}"#, "absurd_timestamp")
            case 6: (#"{"user_id":"\#(user)","item_id":"i\n1","timestamp":1600000000}"#, "control_character")
            case 7: (#"{"user_id":"\#(user)","item_id":"i1","timestamp":5680000000}"#, "future_timestamp")  // year 2150
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

        @Test("an event larger than the dead-letter producer's limit is dead-lettered truncated, with its size and hash, and ingestion goes on")
        func oversizedEventIsTruncatedInItsDeadLetter() async throws {
            let config = try syntheticPipeline()
            let topics = TestTopics(config)
            let valid = syntheticEvents(count: 400, seed: 17)
            let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: quietLogger)
            try cluster.createTopic(topics.events, partitions: 2)
            try cluster.createTopic(topics.deadLetters, partitions: 1)

            // 1,040,000 bytes: valid JSON, accepted by a producer whose limit was raised, far
            // above the decoder's 64 KiB and above the dead-letter producer's default 1,000,000.
            let head = #"{"user_id":"big","item_id":"i1","timestamp":1600000000,"pad":""#
            let padding = 1_040_000 - head.utf8.count - 2
            let huge = Array((head + String(repeating: "x", count: padding) + #""}"#).utf8)
            #expect(huge.count == 1_040_000)
            let producer = try KafkaProducer(
                configuration: .producer(bootstrapServers: cluster.bootstrapServers, properties: ["message.max.bytes": "2000000"]),
                logger: quietLogger)
            try await produce(valid[..<200], topic: topics.events, producer: producer)
            _ = try await producer.send(KafkaProducerRecord(topic: topics.events, key: Array("big".utf8), value: huge))
            try await produce(valid[200...], topic: topics.events, producer: producer)

            let dir = try TemporaryDirectory()
            let (store, processor) = try openProcessor(dir.sub("state"), config: config)
            defer { store.close() }
            let service = ingestService(processor, cluster: cluster, settings: ingestSettings(config, stopAtEnd: true, maxBatch: 100))
            try await withDeadline(60, "ingesting past the oversized event") { try await service.run() }

            #expect(processor.allOffsets == (try await endOffsets(cluster, topic: topics.events, partitions: 2)))
            #expect(processor.status.counters["events.applied"] == UInt64(valid.count))
            #expect(processor.status.counters["events.dead_lettered"] == 1)
            let letters = try await readAll(cluster, topic: topics.deadLetters)
            try #require(letters.count == 1)
            let letter = letters[0]
            let value = letter.value ?? []
            #expect(letter.key == Array("big".utf8))
            #expect(letter.header("m2grl.reason")?.stringValue == "oversized_message")
            #expect(letter.header("m2grl.truncated")?.stringValue == "true")
            #expect(letter.header("m2grl.original_size")?.stringValue == "1040000")
            var hash = FNV1a128()
            hash.combine(huge)
            #expect(letter.header("m2grl.original_fnv1a128")?.stringValue == hash.hex)
            #expect(value.count > 900_000 && value.count < 1_000_000, "\(value.count) bytes kept")
            #expect(value == Array(huge.prefix(value.count)), "the dead letter keeps the start of the original")
        }

        @Test("a dead letter that cannot be delivered is logged with its source and ingestion goes on")
        func undeliverableDeadLetterDoesNotStopIngestion() async throws {
            let config = try syntheticPipeline()
            let topics = TestTopics(config)
            let valid = syntheticEvents(count: 600, seed: 19)
            let malformed = (0..<5).map(Self.malformed)
            let cluster = try await clusterWithMalformedInTheMiddle(valid, malformed, topics: topics)
            cluster.setTopicError(topics.deadLetters, KafkaError.Code(rawValue: 29))  // TOPIC_AUTHORIZATION_FAILED

            let dir = try TemporaryDirectory()
            let (store, processor) = try openProcessor(dir.sub("state"), config: config)
            defer { store.close() }
            let log = LogCapture()
            let service = KafkaIngestService(
                processor: processor,
                kafka: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers,
                                          properties: fastGroupProperties.merging(["message.timeout.ms": "1500"]) { $1 }),
                settings: ingestSettings(config, stopAtEnd: true, maxBatch: 100), logger: log.logger("ingest"))
            try await withDeadline(60, "ingesting with an unwritable dead-letter topic") { try await service.run() }
            cluster.setTopicError(topics.deadLetters, KafkaError.Code(rawValue: 0))

            #expect(processor.allOffsets == (try await endOffsets(cluster, topic: topics.events, partitions: 1)))
            #expect(processor.status.counters["events.applied"] == UInt64(valid.count))
            #expect(processor.status.counters["events.dead_lettered"] == UInt64(malformed.count))
            let losses = log.all.filter { $0.message.hasPrefix("dead letter lost") }
            #expect(losses.count == malformed.count)
            let sources = Set(losses.compactMap { $0.metadata["source"].map { "\($0)" } })
            #expect(sources == Set((300..<305).map { "\(topics.events)/0/\($0)" }))
            #expect(losses.allSatisfy { $0.metadata["reason"] != nil && $0.metadata["error"] != nil })
        }

        @Test("a replay of the topic rejects the same records as live ingestion: control characters and future times included")
        func replayRejectsWhatIngestionRejects() async throws {
            let config = try syntheticPipeline()
            let topics = TestTopics(config)
            let valid = syntheticEvents(count: 300, seed: 23)
            let malformed = (0..<9).map(Self.malformed)
            let cluster = try await clusterWithMalformedInTheMiddle(valid, malformed, topics: topics)

            let dir = try TemporaryDirectory()
            var plan = ReplayPlan()
            plan.eventsPerPartition = 100
            let (store, processor, _) = try await replayTopic(cluster, config: config, path: dir.sub("replay"), plan: plan)
            defer { store.close() }
            #expect(processor.status.counters["events.applied"] == UInt64(valid.count))
            #expect(processor.status.counters["events.dead_lettered"] == UInt64(malformed.count))
        }

        /// A cluster whose events topic has one partition holding the first half of `valid`, then
        /// `malformed`, then the rest (offsets of the malformed: `valid.count / 2` onwards).
        func clusterWithMalformedInTheMiddle(_ valid: [Event], _ malformed: [Malformed], topics: TestTopics) async throws -> EmbeddedKafkaCluster {
            let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: quietLogger)
            try cluster.createTopic(topics.events, partitions: 1)
            try cluster.createTopic(topics.deadLetters, partitions: 1)
            let producer = try makeProducer(cluster)
            try await produce(valid[..<(valid.count / 2)], topic: topics.events, producer: producer)
            for m in malformed { _ = try await producer.send(KafkaProducerRecord(topic: topics.events, key: m.key, value: m.value)) }
            try await produce(valid[(valid.count / 2)...], topic: topics.events, producer: producer)
            return cluster
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
