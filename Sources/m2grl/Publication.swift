import Kafka
import Logging
import Model
import Streaming

/// Wiring of embedding publication for `serve` and `replay`: topics, the newest published
/// version, and the publisher behind the trainer's `VersionSink`.
enum Publication {
    /// The embeddings topic (compacted: key = view + node) and the versions topic (1 partition).
    static func topicSpecs(config: PipelineConfig) -> [TopicSpec] {
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
    static func prepare(config: PipelineConfig, kafka: KafkaConfiguration, cluster: EmbeddedKafkaCluster?,
                        logger: Logger) async throws -> UInt64 {
        let specs = topicSpecs(config: config)
        if let cluster {
            for s in specs { try? cluster.createTopic(s.name, partitions: s.partitions) }
        } else {
            try await ensureTopics(specs, kafka: kafka, createTimeout: .seconds(10), logger: logger)
        }
        let topics = PublicationTopics(pipeline: config)
        let last = try await EmbeddingPublisher.lastPublishedVersion(configuration: kafka, versionsTopic: topics.versions, logger: logger)
        guard let last else { return 0 }
        guard last < VersionManifest.maxVersion else {
            throw PublicationError.invalidVersion(
                version: last, reason: "\(topics.versions) already holds the last version number; publish to a new versions topic")
        }
        logger.notice("newest published version in \(topics.versions): \(last); continuing after it")
        return last
    }

    /// A publisher (its own producer) whose first version must be `after + 1`.
    static func sink(config: PipelineConfig, kafka: KafkaConfiguration, continuingAfter after: UInt64,
                     logger: Logger) async throws -> any VersionSink {
        var properties = kafka.properties.filter { $0.key != "bootstrap.servers" }
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
        // The topics' metadata now rather than at the first version, which would wait for it.
        let topics = PublicationTopics(pipeline: config)
        for topic in [topics.embeddings, topics.versions] { _ = try? await producer.partitionCount(topic: topic) }
        let publisher = EmbeddingPublisher(
            producer: producer, topics: topics,
            format: config.publish.format == .json ? .json : .protobuf,
            continuingAfter: after == 0 ? nil : after, transactional: config.publish.transactions, logger: logger)
        return PublisherSink(publisher: publisher)
    }
}

/// `EmbeddingPublisher` as the trainer's `VersionSink`.
struct PublisherSink: VersionSink {
    let publisher: EmbeddingPublisher

    func publish(_ version: EmbeddingVersion) async throws {
        _ = try await publisher.publish(version)
    }
}
