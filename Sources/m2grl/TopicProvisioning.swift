import Kafka
import Logging

/// Creates the topics of `specs` that the cluster does not know (a metadata probe first:
/// CreateTopics needs rights a client may not have, and some brokers, such as librdkafka's
/// mock, lack it). A failure is logged, not thrown: the topics may exist after all, or be
/// created by hand. The probe never asks the broker to auto-create a topic (a producer's
/// metadata request does by default, and brokers that allow it, such as Tansu or Kafka with
/// `auto.create.topics.enable`, would create it with their default partitions and settings).
func ensureTopics(_ specs: [TopicSpec], kafka: KafkaConfiguration, createTimeout: Duration, logger: Logger) async throws {
    let probe = try KafkaProducer(
        configuration: .producer(bootstrapServers: kafka.bootstrapServers,
                                 properties: kafka.properties.filter { $0.key != "bootstrap.servers" })
            .merging(["allow.auto.create.topics": "false"]),
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
