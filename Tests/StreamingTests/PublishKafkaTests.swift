import Foundation
import Kafka
import Model
import Streaming
import Testing

/// Publication through the embedded broker: `EmbeddingPublisher`, `PublishedVersionReader`,
/// `lastPublishedVersion`.
@Suite("Publish: Kafka round trips")
struct PublishKafkaTests {
    struct Setup {
        let cluster: EmbeddedKafkaCluster
        let topics: PublicationTopics
        var configuration: KafkaConfiguration { KafkaConfiguration(bootstrapServers: cluster.bootstrapServers) }

        init(partitions: Int = 4) throws {
            cluster = try EmbeddedKafkaCluster(brokers: 1, logger: quietLogger)
            topics = PublicationTopics(embeddings: uniqueName("emb"))
            try cluster.createTopic(topics.embeddings, partitions: partitions)
            try cluster.createTopic(topics.versions, partitions: 1)
        }

        func publisher(attempt: UInt64 = EmbeddingPublisher.newAttempt(), after: UInt64? = nil,
                       format: PublicationFormat = .protobuf) throws -> EmbeddingPublisher {
            EmbeddingPublisher(producer: try makeProducer(cluster), topics: topics, format: format, attempt: attempt,
                               continuingAfter: after, logger: quietLogger)
        }

        func read() async throws -> VersionAssembler {
            try await PublishedVersionReader(configuration: configuration, topics: topics, timeout: .seconds(30), logger: quietLogger).read()
        }

        /// Produces forged or corrupt values to the versions topic.
        func forgeManifests(_ values: [[UInt8]]) async throws {
            let producer = try makeProducer(cluster)
            for value in values {
                _ = try await producer.send(KafkaProducerRecord(topic: topics.versions, key: Array("forged".utf8), value: value))
            }
        }

        func lastPublished() async throws -> UInt64? {
            try await EmbeddingPublisher.lastPublishedVersion(
                configuration: configuration, versionsTopic: topics.versions, timeout: .seconds(30), logger: quietLogger)
        }
    }

    @Test("a publisher killed mid-version leaves only complete versions visible; a restarted one continues the sequence")
    func killedPublisherAndRestart() async throws {
        try await withDeadline(60, "publish and read") {
            let setup = try Setup()
            #expect(try await setup.lastPublished() == nil)
            var fixture = PublishFixture(seed: 21)
            let first = try setup.publisher(attempt: 1)
            try await first.publish(fixture.snapshot(1))
            var touched = fixture.step(changed: 5, added: 2)
            try await first.publish(fixture.delta(2, base: 1, touched: touched))
            let atTwo = fixture

            // Killed during version 3: half of its records reach the topic, no manifest.
            touched = fixture.step(changed: 8, added: 4)
            let producer = try makeProducer(setup.cluster)
            let encoder = VersionRecordEncoder(topic: setup.topics.embeddings, partitionCount: 4, attempt: 1)
            var records: [KafkaProducerRecord] = []
            _ = try encoder.encode(fixture.delta(3, base: 1, touched: touched)) { records.append($0) }
            for r in records.prefix(records.count / 2) { try producer.enqueue(r) }
            try await producer.flush()

            var reader = try await setup.read()
            #expect(reader.completeVersions().map(\.version) == [1, 2])
            #expect(reader.status(of: 3) == .notFound)
            var newest = try reader.assemble()
            #expect(newest.manifest.version == 2)
            #expect(atTwo.matches(newest.model), "the reader must see version 2, not a mix with version 3")

            // Restart: a new attempt continues after the last manifest, starting with a snapshot.
            let last = try await setup.lastPublished()
            #expect(last == 2)
            let second = try setup.publisher(attempt: 2, after: last)
            await #expect(throws: PublicationError.snapshotRequired(version: 3)) {
                try await second.publish(fixture.delta(3, base: 1, touched: touched))
            }
            await #expect(throws: PublicationError.outOfSequence(expected: 3, got: 4)) {
                try await second.publish(fixture.snapshot(4))
            }
            try await second.publish(fixture.snapshot(3))
            let atThree = fixture
            touched = fixture.step(changed: 3, added: 1)
            try await second.publish(fixture.delta(4, base: 3, touched: touched))
            #expect(try await setup.lastPublished() == 4)

            reader = try await setup.read()
            #expect(reader.completeVersions().map(\.version) == [1, 2, 3, 4])
            #expect(reader.completeVersions().map(\.attempt) == [1, 1, 2, 2])
            newest = try reader.assemble()
            #expect(newest.manifest.version == 4)
            #expect(fixture.matches(newest.model))
            #expect(atThree.matches(try reader.assemble(version: 3).model))
        }
    }

    @Test("transactional publication (option): each version committed in one transaction, read back complete")
    func transactional() async throws {
        try await withDeadline(90, "transactional publish") {
            let setup = try Setup(partitions: 2)
            let producer = try KafkaProducer(
                configuration: .producer(bootstrapServers: setup.cluster.bootstrapServers,
                                         properties: ["transactional.id": uniqueName("m2grl-test-publisher"),
                                                      "transaction.timeout.ms": "60000", "message.timeout.ms": "60000"]),
                logger: quietLogger)
            try await producer.initTransactions()
            let publisher = EmbeddingPublisher(producer: producer, topics: setup.topics, transactional: true, logger: quietLogger)
            let fixture = PublishFixture(seed: 23, items: 20, categories: 4)
            try await publisher.publish(fixture.snapshot(1))
            try await publisher.publish(fixture.snapshot(2))
            let reader = try await setup.read()
            #expect(reader.newestCompleteVersion?.version == 2)
            #expect(fixture.matches(try reader.assemble().model))
            #expect(try await setup.lastPublished() == 2)
        }
    }

    @Test("manifests count records per partition and per view, and carry the version's metadata")
    func manifestContents() async throws {
        try await withDeadline(60, "publish and read") {
            let setup = try Setup(partitions: 3)
            let fixture = PublishFixture(seed: 22, items: 30, categories: 5)
            let publisher = try setup.publisher(format: .json)
            let published = try await publisher.publish(fixture.snapshot(1))
            #expect(published.recordCount == 30 + 5 + 1)
            #expect(published.views.map(\.records) == [30, 5])
            #expect(published.recordsPerPartition.values.reduce(0, +) == 36)
            #expect(published.partitionCount == 3)
            let reader = try await setup.read()
            let read = try #require(reader.newestCompleteVersion)
            #expect(read == published)
            #expect(read.inputOffsets == [TopicPartition("events", 0): 10])
            #expect(read.eventTimeWatermarkMs == 1000)
            #expect(fixture.matches(try reader.assemble().model))
        }
    }

    @Test("a failed delivery writes no manifest and forces a new attempt that starts with a snapshot")
    func failedDelivery() async throws {
        try await withDeadline(60, "publish with a failing topic") {
            let setup = try Setup(partitions: 2)
            var fixture = PublishFixture(seed: 23)
            let producer = try KafkaProducer(
                configuration: .producer(bootstrapServers: setup.cluster.bootstrapServers,
                                         properties: ["message.timeout.ms": "1500"]),
                logger: silentLogger)
            let publisher = EmbeddingPublisher(producer: producer, topics: setup.topics, attempt: 5, logger: silentLogger)
            try await publisher.publish(fixture.snapshot(1))
            let touched = fixture.step(changed: 4, added: 1)
            setup.cluster.setTopicError(setup.topics.embeddings, KafkaError.Code(rawValue: 29)) // TOPIC_AUTHORIZATION_FAILED
            await #expect(throws: PublicationError.self) {
                try await publisher.publish(fixture.delta(2, base: 1, touched: touched))
            }
            setup.cluster.setTopicError(setup.topics.embeddings, KafkaError.Code(rawValue: 0))
            #expect(publisher.attempt != 5)
            await #expect(throws: PublicationError.snapshotRequired(version: 2)) {
                try await publisher.publish(fixture.delta(2, base: 1, touched: touched))
            }
            #expect(try await setup.lastPublished() == 1)
            try await publisher.publish(fixture.snapshot(2))
            let reader = try await setup.read()
            #expect(reader.completeVersions().map(\.version) == [1, 2])
            #expect(fixture.matches(try reader.assemble().model))
        }
    }

    @Test("a broker whose ListOffsets under-reports the high watermarks (as Tansu 0.6): snapshot reads every complete version, a restarted publisher continues after the newest")
    func underReportedWatermarks() async throws {
        try await withDeadline(90, "publish, then read with lagging watermarks") {
            let setup = try Setup(partitions: 3)
            var fixture = PublishFixture(seed: 64, items: 24, categories: 4)
            let publisher = try setup.publisher(attempt: 7)
            try await publisher.publish(fixture.snapshot(1))
            for version in UInt64(2)...10 {
                let touched = fixture.step(changed: 3, added: 1)
                try await publisher.publish(fixture.delta(version, base: 1, touched: touched))
            }
            // Every partition's end is reported 3 records early: a reader stopping there would
            // miss the last manifests and records.
            setup.cluster.underReportHighWatermarks(by: 3)

            let reader = try await setup.read()
            #expect(reader.completeVersions().map(\.version) == Array(1...10))
            #expect(fixture.matches(try reader.assemble().model), "version 10 rebuilt from every record")
            #expect(try await setup.lastPublished() == 10)
            // Also when the tail read starts from the lagging watermark: 2 before it is offset 5.
            let fromTail = try await EmbeddingPublisher.lastPublishedVersion(
                configuration: setup.configuration, versionsTopic: setup.topics.versions, tail: 2, timeout: .seconds(30),
                logger: quietLogger)
            #expect(fromTail == 10)
        }
    }
}
