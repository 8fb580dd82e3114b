import Foundation
import Kafka
import Streaming
import Testing

/// Publishes a small chain of versions to an external broker, for checking consumers by
/// hand (docs/consuming.md, ops/check-consuming-example). Runs only when
/// `M2GRL_PUBLISH_DEMO_BROKERS` is set; topic `M2GRL_PUBLISH_DEMO_TOPIC` (default
/// `demo.embeddings`) and its versions topic must exist.
@Suite("Publish: demo versions for an external broker")
struct PublishDemoTests {
    static let brokers = ProcessInfo.processInfo.environment["M2GRL_PUBLISH_DEMO_BROKERS"]

    @Test("publish v1 snapshot, v2-v3 deltas, v4 snapshot, v5 delta, and a killed v6", .enabled(if: brokers != nil))
    func publishDemoVersions() async throws {
        let env = ProcessInfo.processInfo.environment
        let topics = PublicationTopics(embeddings: env["M2GRL_PUBLISH_DEMO_TOPIC"] ?? "demo.embeddings")
        let format = PublicationFormat(rawValue: env["M2GRL_PUBLISH_DEMO_FORMAT"] ?? "protobuf") ?? .protobuf
        let config = KafkaConfiguration.producer(bootstrapServers: try #require(Self.brokers))
        let producer = try KafkaProducer(configuration: config, logger: quietLogger)
        let last = try await EmbeddingPublisher.lastPublishedVersion(
            configuration: KafkaConfiguration(bootstrapServers: config.bootstrapServers), versionsTopic: topics.versions,
            logger: quietLogger)
        let publisher = EmbeddingPublisher(producer: producer, topics: topics, format: format, continuingAfter: last,
                                           logger: quietLogger)
        let start = (last ?? 0) + 1
        var fixture = PublishFixture(seed: 31, items: 200, categories: 12)
        try await publisher.publish(fixture.snapshot(start))
        var base = start
        for v in (start + 1)...(start + 4) {
            let touched = fixture.step(changed: 20, added: 5)
            if v == start + 3 {
                try await publisher.publish(fixture.snapshot(v))
                base = v
            } else {
                try await publisher.publish(fixture.delta(v, base: base, touched: touched))
            }
        }
        // Killed mid-version: a third of the next delta, no manifest.
        let touched = fixture.step(changed: 30, added: 5)
        let partitions = try await producer.partitionCount(topic: topics.embeddings)
        let encoder = VersionRecordEncoder(topic: topics.embeddings, partitionCount: partitions,
                                           attempt: publisher.attempt, format: format)
        var records: [KafkaProducerRecord] = []
        _ = try encoder.encode(fixture.delta(start + 5, base: base, touched: touched)) { records.append($0) }
        for r in records.prefix(records.count / 3) { try producer.enqueue(r) }
        try await producer.flush()
        let reader = try await PublishedVersionReader(
            configuration: KafkaConfiguration(bootstrapServers: config.bootstrapServers), topics: topics).read()
        #expect(reader.newestCompleteVersion?.version == start + 4)
    }
}
