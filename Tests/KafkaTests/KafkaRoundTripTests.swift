import Foundation
import Synchronization
import Testing
@testable import Kafka

@Suite("Kafka over the embedded broker", .serialized, .timeLimit(.minutes(2)))
struct KafkaRoundTripTests {
    @Test("N keyed messages produced are consumed exactly once through a group, in key order")
    func produceAndConsumeExactlyN() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("events")
        try cluster.createTopic(topic, partitions: 4)
        let producer = try makeProducer(cluster)
        let n = 3000
        for i in 0..<n {
            try producer.enqueue(KafkaProducerRecord(topic: topic, key: bytes("user-\(i % 37)"), value: bytes("\(i)")))
        }
        try await producer.flush()
        #expect(producer.deliveryCounts.delivered == n)
        #expect(producer.deliveryCounts.failed == 0)

        let consumer = try makeConsumer(cluster, group: uniqueName("g"))
        try consumer.subscribe([topic])
        let got = try await consume(consumer) { $0.count >= n }
        await consumer.close()

        #expect(got.count == n)
        #expect(Set(got.map { string($0.value) }) == Set((0..<n).map(String.init)))
        // One key always lands on one partition, and its values come back in produce order.
        var partitionOfKey: [String: Int32] = [:]
        var lastValueOfKey: [String: Int] = [:]
        for m in got {
            let key = string(m.key)
            if let p = partitionOfKey[key] { #expect(p == m.partition) } else { partitionOfKey[key] = m.partition }
            let v = Int(string(m.value))!
            if let last = lastValueOfKey[key] { #expect(v > last) }
            lastValueOfKey[key] = v
        }
        #expect(Set(partitionOfKey.values).count > 1, "keys should spread over partitions")
    }

    @Test("after a commit, a restarted consumer resumes exactly after the committed offsets")
    func commitAndResume() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("events")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try makeProducer(cluster)
        for i in 0..<200 {
            try producer.enqueue(KafkaProducerRecord(topic: topic, key: bytes("k\(i % 5)"), value: bytes("\(i)")))
        }
        try await producer.flush()
        let group = uniqueName("g")

        // First consumer: "processes" the first 70 messages it sees, commits them, stops.
        let first = try makeConsumer(cluster, group: group)
        try first.subscribe([topic])
        let seen = try await consume(first) { $0.count >= 70 }
        let processed = Array(seen.prefix(70))
        var commitOffsets: [TopicPartition: Int64] = [:]
        for m in processed { commitOffsets[m.topicPartition] = max(commitOffsets[m.topicPartition] ?? 0, m.offset + 1) }
        try await first.commit(commitOffsets)
        let committed = try await first.committed(Array(commitOffsets.keys))
        #expect(committed == commitOffsets)
        await first.close()

        // Second consumer in the same group: starts exactly after the commit, nothing skipped.
        let second = try makeConsumer(cluster, group: group)
        try second.subscribe([topic])
        // Joining the group after the first member left takes 9-25 s on the mock even alone
        // (longer under a loaded CI run): wait up to 90 s; the predicate ends it early.
        let rest = try await consume(second, until: .seconds(90)) { $0.count >= 200 - processed.count }
        await second.close()
        #expect(rest.count == 200 - processed.count)
        for (tp, offset) in commitOffsets {
            let firstOffset = rest.filter { $0.topicPartition == tp }.map(\.offset).min()
            if let firstOffset { #expect(firstOffset == offset) }
        }
        let all = processed.map { string($0.value) } + rest.map { string($0.value) }
        #expect(all.count == 200)
        #expect(Set(all) == Set((0..<200).map(String.init)))
    }

    @Test("a broker taken down mid-stream and brought back loses and duplicates nothing")
    func brokerDownAndUp() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("events")
        try cluster.createTopic(topic, partitions: 3)
        let producer = try makeProducer(cluster)
        let n = 2000
        for i in 0..<(n / 2) {
            try producer.enqueue(KafkaProducerRecord(topic: topic, key: bytes("u\(i % 11)"), value: bytes("\(i)")))
        }
        try await producer.flush()
        try cluster.brokerDown(1)
        for i in (n / 2)..<n {
            try producer.enqueue(KafkaProducerRecord(topic: topic, key: bytes("u\(i % 11)"), value: bytes("\(i)")))
        }
        try await Task.sleep(for: .milliseconds(1500))
        #expect(producer.deliveryCounts.outstanding > 0, "records should wait while the broker is down")
        try cluster.brokerUp(1)
        try await producer.flush(timeout: .seconds(60))
        #expect(producer.deliveryCounts.delivered == n)

        let consumer = try makeConsumer(cluster, group: uniqueName("g"))
        try consumer.subscribe([topic])
        // Take the broker down again while consuming, then bring it back.
        let firstPart = try await consume(consumer) { $0.count >= n / 4 }
        try cluster.brokerDown(1)
        try await Task.sleep(for: .milliseconds(800))
        try cluster.brokerUp(1)
        let secondPart = try await consume(consumer, until: .seconds(45)) { $0.count >= n - firstPart.count }
        await consumer.close()
        let values = (firstPart + secondPart).map { string($0.value) }
        #expect(values.count == n)
        #expect(Set(values).count == n)
    }

    @Test("send returns where the record landed; headers, explicit partition and timestamp survive")
    func sendWithHeaders() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("t")
        try cluster.createTopic(topic, partitions: 3)
        let producer = try makeProducer(cluster)
        let r0 = try await producer.send(KafkaProducerRecord(
            topic: topic, partition: 2, key: bytes("a"), value: bytes("first"),
            headers: [KafkaHeader(key: "reason", string: "not json"), KafkaHeader(key: "empty", value: nil)],
            timestampMs: 1_700_000_000_123))
        let r1 = try await producer.send(KafkaProducerRecord(topic: topic, partition: 2, key: nil, value: bytes("second")))
        #expect(r0 == DeliveryReport(topic: topic, partition: 2, offset: 0))
        #expect(r1.offset == 1)

        let consumer = try makeConsumer(cluster, group: uniqueName("g"))
        try consumer.assign([TopicPartition(topic, 2): KafkaOffset.beginning])
        let got = try await consume(consumer) { $0.count >= 2 }
        await consumer.close()
        #expect(got.count == 2)
        #expect(got[0].header("reason")?.stringValue == "not json")
        #expect(got[0].header("empty") != nil && got[0].header("empty")?.value == nil)
        #expect(got[0].timestampMs == 1_700_000_000_123)
        #expect(got[1].key == nil)
        #expect(string(got[1].value) == "second")
    }

    @Test("the rebalance handler's start offsets are where consumption begins")
    func rebalanceStartOffsets() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("t")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try makeProducer(cluster)
        for p in 0..<2 {
            for i in 0..<20 {
                try producer.enqueue(KafkaProducerRecord(topic: topic, partition: Int32(p), value: bytes("\(p):\(i)")))
            }
        }
        try await producer.flush()
        let assigned = Mutex<[TopicPartition]>([])
        let handler = RebalanceHandler(onAssign: { parts in
            assigned.withLock { $0.append(contentsOf: parts) }
            // As if our own store said: partition 0 done up to 12, partition 1 up to 5.
            return Dictionary(uniqueKeysWithValues: parts.map { ($0, $0.partition == 0 ? 12 : 5) })
        })
        let consumer = try makeConsumer(cluster, group: uniqueName("g"), rebalance: handler)
        try consumer.subscribe([topic])
        let got = try await consume(consumer) { $0.count >= (20 - 12) + (20 - 5) }
        #expect(consumer.assignment == Set([TopicPartition(topic, 0), TopicPartition(topic, 1)]))
        await consumer.close()
        #expect(Set(assigned.withLock { $0 }) == Set([TopicPartition(topic, 0), TopicPartition(topic, 1)]))
        #expect(got.count == 23)
        #expect(got.filter { $0.partition == 0 }.map(\.offset).min() == 12)
        #expect(got.filter { $0.partition == 1 }.map(\.offset).min() == 5)
    }

    @Test("pause stops a partition, resume continues it; seek moves the position")
    func pauseResumeSeek() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("t")
        try cluster.createTopic(topic, partitions: 2)
        let producer = try makeProducer(cluster)
        for p in 0..<2 {
            for i in 0..<10 {
                try producer.enqueue(KafkaProducerRecord(topic: topic, partition: Int32(p), value: bytes("\(i)")))
            }
        }
        try await producer.flush()
        let consumer = try makeConsumer(cluster, group: uniqueName("g"))
        let p0 = TopicPartition(topic, 0), p1 = TopicPartition(topic, 1)
        try consumer.assign([p0: KafkaOffset.beginning, p1: KafkaOffset.beginning])
        try consumer.pause([p1])
        let first = try await consume(consumer, until: .seconds(3)) { _ in false }
        #expect(first.count == 10)
        #expect(first.allSatisfy { $0.partition == 0 })
        try consumer.resume([p1])
        let second = try await consume(consumer) { $0.count >= 10 }
        #expect(second.count == 10 && second.allSatisfy { $0.partition == 1 })
        try await consumer.seek([p0: 7])
        let third = try await consume(consumer) { $0.count >= 3 }
        #expect(third.map(\.offset) == [7, 8, 9])
        let marks = try await consumer.watermarks(p0)
        #expect(marks.low == 0 && marks.high == 10)
        await consumer.close()
    }

    @Test("the AsyncSequence of batches yields everything and ends when the consumer closes")
    func asyncSequence() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("t")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try makeProducer(cluster)
        for i in 0..<100 { try producer.enqueue(KafkaProducerRecord(topic: topic, value: bytes("\(i)"))) }
        try await producer.flush()
        let consumer = try makeConsumer(cluster, group: uniqueName("g"))
        try consumer.subscribe([topic])
        var count = 0
        var sawEnd = false
        for try await batch in consumer.batches(maxMessages: 30) {
            count += batch.messages.count
            #expect(batch.messages.count <= 30)
            if batch.reachedEnd[TopicPartition(topic, 0)] == 100 { sawEnd = true }
            if count >= 100 && sawEnd { await consumer.close() }
        }
        #expect(count == 100)
        #expect(sawEnd)
    }

    @Test("injected retriable produce errors are retried without loss or duplicates")
    func injectedErrors() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("t")
        try cluster.createTopic(topic, partitions: 1)
        let producer = try makeProducer(cluster, extra: ["retry.backoff.ms": "10"])
        _ = try await producer.send(KafkaProducerRecord(topic: topic, value: bytes("warm-up")))
        let notLeader = KafkaError.Code(rawValue: 6)  // NOT_LEADER_OR_FOLLOWER, retriable
        cluster.injectRequestErrors(apiKey: KafkaAPIKey.produce, errors: [notLeader, notLeader, notLeader])
        try cluster.setRoundTripTime(broker: 1, milliseconds: 50)
        for i in 0..<50 { try producer.enqueue(KafkaProducerRecord(topic: topic, value: bytes("\(i)"))) }
        try await producer.flush(timeout: .seconds(30))
        #expect(producer.deliveryCounts.failed == 0)
        let consumer = try makeConsumer(cluster, group: uniqueName("g"))
        try consumer.subscribe([topic])
        let got = try await consume(consumer) { $0.count >= 51 }
        await consumer.close()
        #expect(got.count == 51)
        #expect(got.dropFirst().map { string($0.value) } == (0..<50).map(String.init))
    }
}

@Suite("Kafka configuration")
struct KafkaConfigurationTests {
    @Test func invalidPropertyIsRejectedNamingIt() {
        #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: "127.0.0.1:1", properties: ["no.such.property": "1"]))
        }
        do {
            _ = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: "127.0.0.1:1", properties: ["linger.ms": "banana"]))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains("linger.ms"))
            #expect(!error.message.contains("banana"))
        }
    }

    @Test func secretsAreRedacted() throws {
        let config = KafkaConfiguration(bootstrapServers: "b:9092", properties: [
            "sasl.password": "hunter2", "ssl.key.password": "s3cret", "sasl.username": "alice",
            "sasl.oauthbearer.client.secret": "abc",
        ])
        let text = config.description
        #expect(!text.contains("hunter2") && !text.contains("s3cret") && !text.contains("abc"))
        #expect(text.contains("sasl.username=alice"))
        #expect(text.contains("sasl.password=[redacted]"))
        let (k, v) = try KafkaConfiguration.parseProperty("security.protocol=SASL_SSL")
        #expect(k == "security.protocol" && v == "SASL_SSL")
        #expect(throws: KafkaError.self) { _ = try KafkaConfiguration.parseProperty("nokey") }
    }

    @Test func producerAndConsumerConfigurationsPutTheGivenPropertiesOverTheDefaults() {
        let given = ["linger.ms": "50", "security.protocol": "SASL_SSL", "group.id": "theirs"]
        let config = KafkaConfiguration(bootstrapServers: "b:9092", properties: given)
        #expect(config.propertiesWithoutBootstrap == given)
        let producer = config.producerConfiguration()
        #expect(producer == .producer(bootstrapServers: "b:9092", properties: given))
        #expect(producer.bootstrapServers == "b:9092" && producer["linger.ms"] == "50" && producer["enable.idempotence"] == "true")
        let consumer = config.consumerConfiguration(groupID: "ours")
        #expect(consumer == .consumer(bootstrapServers: "b:9092", groupID: "ours", properties: given))
        #expect(consumer["group.id"] == "theirs", "caller settings win, as with .consumer(...)")
        #expect(consumer["security.protocol"] == "SASL_SSL" && consumer["enable.auto.commit"] == "false")
        #expect(KafkaConfiguration(bootstrapServers: "b:9092").consumerConfiguration(groupID: "ours")["group.id"] == "ours")
    }
}
