import Kafka
import Logging

/// Creates the topics a service needs where the cluster does not know them: through the
/// mock API on the embedded cluster (librdkafka's mock has no CreateTopics), else through
/// the Admin API after a metadata probe (CreateTopics needs rights a client may not have).
/// A failure is logged, not thrown: the topics may exist after all, or be created by hand.
/// The probe never asks the broker to auto-create a topic (a producer's metadata request
/// does by default, and brokers that allow it, such as Tansu or Kafka with
/// `auto.create.topics.enable`, would create it with their default partitions and settings).
public struct TopicProvisioning: Sendable {
    public let kafka: KafkaConfiguration
    /// The embedded cluster `kafka` points to, if any.
    public let embedded: EmbeddedKafkaCluster?

    public init(kafka: KafkaConfiguration, embedded: EmbeddedKafkaCluster? = nil) {
        self.kafka = kafka
        self.embedded = embedded
    }

    public func ensure(_ specs: [TopicSpec], createTimeout: Duration = .seconds(10), logger: Logger) async throws {
        if let embedded {
            for s in specs { try? embedded.createTopic(s.name, partitions: s.partitions) }
            return
        }
        let probe = try KafkaProducer(
            configuration: kafka.producerConfiguration().merging(["allow.auto.create.topics": "false"]),
            logger: logger)
        var missing: [TopicSpec] = []
        for spec in specs where (try? await probe.partitionCount(topic: spec.name, timeout: .seconds(5))) == nil { missing.append(spec) }
        guard !missing.isEmpty else { return }
        do {
            try await KafkaAdmin(configuration: kafka, logger: logger).createTopics(missing, timeout: createTimeout)
        } catch {
            logger.warning("could not create the topics \(missing.map(\.name)) (create them by hand if they are missing): \(error)")
        }
    }
}
