import Kafka
import Logging
import Model

/// Wiring of embedding publication for `serve` and `replay`: topics, the newest published
/// version, and the publisher behind the trainer's `VersionSink`.
public enum PublicationSetup {
    /// The embeddings topic (compacted: key = view + node) and the versions topic (1 partition).
    public static func topicSpecs(config: PipelineConfig) -> [TopicSpec] {
        let topics = PublicationTopics(pipeline: config)
        return [
            TopicSpec(name: topics.embeddings, partitions: config.kafka?.partitions ?? 8,
                      configs: ["cleanup.policy": "compact", "min.compaction.lag.ms": "3600000"]),
            TopicSpec(name: topics.versions, partitions: 1),
        ]
    }

    /// Creates the publication topics where missing and returns the newest version already
    /// published (0: none; see `EmbeddingPublisher.lastPublishedVersion` for which manifests
    /// count). Fails when that is the last possible version number, so `+ 1` is a version.
    public static func prepare(config: PipelineConfig, topics provisioning: TopicProvisioning,
                               logger: Logger) async throws -> UInt64 {
        try await provisioning.ensure(topicSpecs(config: config), logger: logger)
        let topics = PublicationTopics(pipeline: config)
        let last = try await EmbeddingPublisher.lastPublishedVersion(
            configuration: provisioning.kafka, versionsTopic: topics.versions, logger: logger)
        guard let last else { return 0 }
        guard last < VersionManifest.maxVersion else {
            throw PublicationError.invalidVersion(
                version: last, reason: "\(topics.versions) already holds the last version number; publish to a new versions topic")
        }
        logger.notice("newest published version in \(topics.versions): \(last); continuing after it")
        return last
    }

    /// A producer for publication: idempotent, and with `publish.transactions` transactional
    /// under the pipeline's fixed `transactional.id` (initialised, which fences an earlier
    /// producer of the same id on brokers with transactions).
    public static func producer(config: PipelineConfig, kafka: KafkaConfiguration, logger: Logger) async throws -> KafkaProducer {
        var properties = kafka.propertiesWithoutBootstrap
        if config.publish.transactions, properties["transactional.id"] == nil {
            properties["transactional.id"] = "m2grl-\(config.name)-publisher"
        }
        if config.publish.transactions {
            // librdkafka requires message.timeout.ms <= transaction.timeout.ms.
            let txn = properties["transaction.timeout.ms"] ?? "120000"
            properties["transaction.timeout.ms"] = txn
            if properties["message.timeout.ms"] == nil { properties["message.timeout.ms"] = txn }
        }
        let producer = try KafkaProducer(
            configuration: .producer(bootstrapServers: kafka.bootstrapServers, properties: properties), logger: logger)
        if config.publish.transactions { try await producer.initTransactions() }
        return producer
    }

    /// A publisher (its own producer) whose first version must be `after + 1`; `term`: the
    /// scale-out leader term its manifests carry (0: a single instance).
    public static func sink(config: PipelineConfig, kafka: KafkaConfiguration, continuingAfter after: UInt64,
                            term: UInt64 = 0, logger: Logger) async throws -> any VersionSink {
        let producer = try await producer(config: config, kafka: kafka, logger: logger)
        // The topics' metadata now rather than at the first version, which would wait for it.
        let topics = PublicationTopics(pipeline: config)
        for topic in [topics.embeddings, topics.versions] { _ = try? await producer.partitionCount(topic: topic) }
        let publisher = EmbeddingPublisher(
            producer: producer, topics: topics,
            format: config.publish.format == .json ? .json : .protobuf,
            continuingAfter: after == 0 ? nil : after, transactional: config.publish.transactions, term: term, logger: logger)
        return PublisherSink(publisher: publisher)
    }
}

/// `EmbeddingPublisher` as the trainer's `VersionSink`.
public struct PublisherSink: VersionSink {
    public let publisher: EmbeddingPublisher

    public init(publisher: EmbeddingPublisher) { self.publisher = publisher }

    public func publish(_ version: EmbeddingVersion) async throws {
        _ = try await publisher.publish(version)
    }
}
