import Foundation
import Kafka
import Model
import Streaming

/// What a test that runs `m2grl serve` needs: the synthetic pipeline plus `extraYAML`
/// written into the test's directory, and an embedded cluster with the pipeline's events
/// (2 partitions), dead-letter, embeddings and versions topics.
struct ServeFixture {
    let pipeline: String
    let config: PipelineConfig
    let topics: TestTopics
    let publication: PublicationTopics
    let cluster: EmbeddedKafkaCluster

    init(in dir: TemporaryDirectory, extraYAML: String) throws {
        pipeline = dir.sub("pipeline.yaml")
        try (try String(contentsOfFile: syntheticPipelinePath, encoding: .utf8) + extraYAML)
            .write(toFile: pipeline, atomically: true, encoding: .utf8)
        config = try PipelineConfig.load(path: pipeline)
        topics = TestTopics(config)
        publication = PublicationTopics(pipeline: config)
        cluster = try EmbeddedKafkaCluster(brokers: 1, logger: quietLogger)
        try cluster.createTopic(topics.events, partitions: 2)
        try cluster.createTopic(topics.deadLetters, partitions: 1)
        try cluster.createTopic(publication.embeddings, partitions: 2)
        try cluster.createTopic(publication.versions, partitions: 1)
    }
}
