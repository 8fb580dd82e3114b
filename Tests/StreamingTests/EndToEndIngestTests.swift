import Foundation
import Kafka
import Model
import Store
import Streaming
import Testing

/// All streaming ingestion suites, one after another: they start brokers, child processes
/// and RocksDB stores, and time-sensitive group rebalances suffer when run side by side
/// on a 2-core machine.
@Suite("Streaming ingestion", .serialized)
enum StreamingIngestTests {}

extension StreamingIngestTests {
    @Suite("End to end on the embedded broker", .serialized, .timeLimit(.minutes(2)))
    struct EndToEnd {
        @Test("ingested graphs equal the offline builder's, by node name, and survive a reopen")
        func ingestEqualsOffline() async throws {
            let config = try syntheticPipeline()
            let topics = TestTopics(config)
            let events = syntheticEvents(count: 20_000, seed: 41)
            let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: quietLogger)
            try cluster.createTopic(topics.events, partitions: 6)
            try cluster.createTopic(topics.deadLetters, partitions: 1)
            let producer = try makeProducer(cluster)
            try await produce(events, topic: topics.events, producer: producer)
            #expect(producer.deliveryCounts.delivered == events.count)

            let dir = try TemporaryDirectory()
            let state = dir.sub("state")
            let (store, processor) = try openProcessor(state, config: config)
            let service = ingestService(processor, cluster: cluster, settings: ingestSettings(config, stopAtEnd: true))
            try await withDeadline(90, "ingesting to the end of the topic") { try await service.run() }

            let ends = try await endOffsets(cluster, topic: topics.events, partitions: 6)
            #expect(processor.allOffsets == ends, "stored offsets must be the end of every partition")
            #expect(processor.status.counters["events.applied"] == UInt64(events.count))
            #expect((processor.status.counters["events.dead_lettered"] ?? 0) == 0)
            #expect(processor.status.views.allSatisfy { $0.walksInRing > 0 }, "walk rings must be filled")

            try processor.closeAllSessions()
            #expect(processor.status.openSessions == 0)
            let streamed = try processor.graphs
            let streamedNamed = NamedGraphs(streamed)
            let offline = offlineGraphs(events, config: config)
            #expect(offline.totalWeight > 10_000, "the synthetic stream must build non-trivial graphs")
            #expect(Set(streamedNamed.views.keys) == Set(config.viewNames))
            let diff = streamedNamed.differences(from: offline)
            #expect(diff.isEmpty, "\(diff)")
            #expect(streamedNamed == offline)

            // Restore path: a new processor on the same directory loads the same graphs, ids included.
            let before = IdGraphs(streamed)
            let statusBefore = processor.status
            store.close()
            let (store2, reopened) = try openProcessor(state, config: config)
            defer { store2.close() }
            #expect(try IdGraphs(reopened.graphs) == before)
            #expect(try NamedGraphs(reopened.graphs) == offline)
            #expect(reopened.allOffsets == ends)
            #expect(reopened.status.counters == statusBefore.counters)
            #expect(reopened.status.openSessions == 0)
        }

        @Test("a state directory built with other views is refused on reopen")
        func reopenWithOtherViewsIsRefused() throws {
            let config = try syntheticPipeline()
            let dir = try TemporaryDirectory()
            let (store, _) = try openProcessor(dir.sub("state"), config: config)
            store.close()
            var other = config
            other.views.removeLast()
            #expect(throws: IngestError.self) { _ = try openProcessor(dir.sub("state"), config: other) }
        }
    }
}
