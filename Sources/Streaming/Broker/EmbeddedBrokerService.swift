import Foundation
import Kafka
import Logging
import ServiceLifecycle

/// Runs librdkafka's mock cluster as a long-lived service: starts it, creates the
/// requested topics, publishes the bootstrap servers (log line and optional file), and
/// keeps it up until graceful shutdown (SIGINT/SIGTERM through the `ServiceGroup`).
public struct EmbeddedBrokerService: Service {
    public let cluster: EmbeddedKafkaCluster
    let topics: [TopicSpec]
    let bootstrapFile: String?
    let logger: Logger
    let onReady: @Sendable (String) -> Void

    public init(
        brokers: Int, topics: [TopicSpec] = [], bootstrapFile: String? = nil, logger: Logger,
        onReady: @escaping @Sendable (String) -> Void = { _ in }
    ) throws(KafkaError) {
        self.cluster = try EmbeddedKafkaCluster(brokers: brokers, logger: logger)
        self.topics = topics
        self.bootstrapFile = bootstrapFile
        self.logger = logger
        self.onReady = onReady
    }

    public func run() async throws {
        for t in topics {
            try cluster.createTopic(t.name, partitions: t.partitions, replicationFactor: t.replicationFactor)
            logger.info("topic created", metadata: ["topic": "\(t.name)", "partitions": "\(t.partitions)"])
        }
        if let bootstrapFile {
            try (cluster.bootstrapServers + "\n").write(toFile: bootstrapFile, atomically: true, encoding: .utf8)
        }
        onReady(cluster.bootstrapServers)
        logger.info("embedded Kafka broker up", metadata: [
            "bootstrap.servers": "\(cluster.bootstrapServers)", "brokers": "\(cluster.brokerCount)",
        ])
        // Stay up until SIGINT/SIGTERM (graceful shutdown) or cancellation.
        try? await gracefulShutdown()
        if let bootstrapFile { try? FileManager.default.removeItem(atPath: bootstrapFile) }
        logger.info("embedded Kafka broker stopped")
    }
}
