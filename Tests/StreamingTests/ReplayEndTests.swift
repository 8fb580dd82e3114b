import Foundation
import Kafka
import Model
import Streaming
import Testing

/// Where a replay from Kafka ends (`--until end`): the end of each partition as the fetch
/// finds it when the replay starts, not the broker's separately reported high watermark.
@Suite("Replay: where --until end ends", .timeLimit(.minutes(2)))
struct ReplayEndTests {
    @Test("a broker whose ListOffsets under-reports the high watermarks (as Tansu 0.6): the replay still applies every event")
    func underReportedWatermarks() async throws {
        let config = try syntheticPipeline()
        let topics = TestTopics(config)
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: quietLogger)
        try cluster.createTopic(topics.events, partitions: 4)
        let events = syntheticEvents(count: 2_000, seed: 33)
        try await produce(events, topic: topics.events, producer: try makeProducer(cluster))
        cluster.underReportHighWatermarks(by: 50)

        let dir = try TemporaryDirectory()
        var plan = ReplayPlan()
        plan.eventsPerPartition = 300
        let (store, replayed, _) = try await replayTopic(cluster, config: config, path: dir.sub("replay"), plan: plan)
        defer { store.close() }
        #expect(replayed.status.counters["events.applied"] == UInt64(events.count))
    }
}
