import Testing
@testable import Kafka

@Suite("Topic creation", .serialized, .timeLimit(.minutes(1)))
struct TopicCreationTests {
    @Test("TopicCreator uses the mock API on the embedded cluster; the cluster reports the partitions")
    func embeddedCreation() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3, logger: testLogger)
        let name = uniqueName("created")
        try await TopicCreator.embedded(cluster).create(
            [TopicSpec(name: name, partitions: 7, replicationFactor: 3)], logger: testLogger)
        // Creating it again is not an error.
        try cluster.createTopic(name, partitions: 7)
        let producer = try makeProducer(cluster)
        #expect(try await producer.partitionCount(topic: name) == 7)
    }

    @Test("the Admin API against the mock (which lacks CreateTopics) fails with an error, not a hang")
    func adminAgainstMockFailsClearly() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers), logger: testLogger)
        await #expect(throws: KafkaError.self) {
            try await admin.createTopics([TopicSpec(name: uniqueName("x"), partitions: 2)], timeout: .seconds(5))
        }
    }
}
