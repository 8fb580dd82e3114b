import Foundation
import Kafka
import Model
import Store
import Streaming
import Testing

extension StreamingIngestTests {
    @Suite("Rebalance between two ingesters of one group", .serialized, .timeLimit(.minutes(2)))
    struct Rebalance {
        static let partitions = 6

        @Test("one of two consumers leaves mid-stream; the other takes over its partitions; state identical to offline (writes inline and pipelined)",
              arguments: [false, true])
        func consumerLeavesMidStream(pipelined: Bool) async throws {
            let config = try syntheticPipeline()
            let topics = TestTopics(config)
            let events = syntheticEvents(count: 20_000, seed: 99)
            let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: quietLogger)
            try cluster.createTopic(topics.events, partitions: Self.partitions)
            try cluster.createTopic(topics.deadLetters, partitions: 1)
            let producer = try makeProducer(cluster)
            let firstCut = events.count * 4 / 10, secondCut = events.count * 7 / 10
            try await produce(events[..<firstCut], topic: topics.events, producer: producer)

            let dir = try TemporaryDirectory()
            var options = IngestOptions()
            options.pipelinedCommits = pipelined
            let (store, processor) = try openProcessor(dir.sub("state"), config: config, options: options)
            defer { store.close() }
            let group = uniqueName("rebalance")
            let logA = LogCapture(), logB = LogCapture()
            let a = RunningService(ingestService(processor, cluster: cluster,
                                                 settings: ingestSettings(config, group: group, maxBatch: 300), logger: logA.logger("a")))
            let b = RunningService(ingestService(processor, cluster: cluster,
                                                 settings: ingestSettings(config, group: group, maxBatch: 300), logger: logB.logger("b")))
            defer { a.task.cancel(); b.task.cancel() }

            let all = Set((0..<Int32(Self.partitions)))
            try await waitUntil(40, "both consumers to hold partitions of the topic between them") {
                let pa = logA.currentPartitions, pb = logB.currentPartitions
                return !pa.isEmpty && !pb.isEmpty && pa.isDisjoint(with: pb) && pa.union(pb) == all
            }
            try await waitUntil(40, "ingestion to start") { (processor.status.counters["events.applied"] ?? 0) > 0 }
            try await produce(events[firstCut..<secondCut], topic: topics.events, producer: producer)

            // Stop A mid-stream: it finishes its batch in hand and leaves the group.
            let partitionsOfA = logA.currentPartitions
            #expect(!a.finished.isSet, "consumer A stopped by itself: \(logA.errors)")
            try await a.stop()
            let atStop = processor.allOffsets
            try await produce(events[secondCut...], topic: topics.events, producer: producer)

            try await waitUntil(40, "consumer B to take over every partition") { logB.currentPartitions == all }
            let ends = try await endOffsets(cluster, topic: topics.events, partitions: Self.partitions)
            try await waitUntil(60, "consumer B to reach the end of every partition") { processor.allOffsets == ends }
            #expect(!b.finished.isSet, "consumer B stopped by itself: \(logB.errors)")
            try await b.stop()

            // B continued where A left off on A's partitions (A's revoked partitions grew after the stop).
            for p in partitionsOfA {
                let tp = TopicPartition(topics.events, p)
                #expect((atStop[tp] ?? 0) < (ends[tp] ?? 0), "partition \(p) had nothing left after A stopped")
            }
            #expect(logA.errors.isEmpty && logB.errors.isEmpty, "\(logA.errors) \(logB.errors)")
            #expect(processor.status.counters["events.applied"] == UInt64(events.count), "nothing lost, nothing counted twice")
            try processor.closeAllSessions()
            let diff = try NamedGraphs(processor.graphs).differences(from: offlineGraphs(events, config: config))
            #expect(diff.isEmpty, "\(diff)")
        }

        @Test("a second consumer joins while the first is busy; the partitions it takes are not applied twice (writes inline and pipelined)",
              arguments: [false, true])
        func consumerJoinsMidStream(pipelined: Bool) async throws {
            let config = try syntheticPipeline()
            let topics = TestTopics(config)
            let events = syntheticEvents(count: 20_000, seed: 123)
            let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: quietLogger)
            try cluster.createTopic(topics.events, partitions: Self.partitions)
            try cluster.createTopic(topics.deadLetters, partitions: 1)
            let producer = try makeProducer(cluster)
            let cut = events.count * 6 / 10
            try await produce(events[..<cut], topic: topics.events, producer: producer)

            let dir = try TemporaryDirectory()
            var options = IngestOptions()
            options.pipelinedCommits = pipelined
            let (store, processor) = try openProcessor(dir.sub("state"), config: config, options: options)
            defer { store.close() }
            let group = uniqueName("join")
            let logA = LogCapture(), logB = LogCapture()
            // Large batches: A holds many fetched, not yet applied records when B's join revokes its partitions.
            let a = RunningService(ingestService(processor, cluster: cluster,
                                                 settings: ingestSettings(config, group: group, maxBatch: 5_000), logger: logA.logger("a")))
            defer { a.task.cancel() }
            try await waitUntil(40, "A to start ingesting") { (processor.status.counters["events.applied"] ?? 0) > 0 }
            let b = RunningService(ingestService(processor, cluster: cluster,
                                                 settings: ingestSettings(config, group: group, maxBatch: 5_000), logger: logB.logger("b")))
            defer { b.task.cancel() }
            let all = Set((0..<Int32(Self.partitions)))
            try await waitUntil(40, "A and B to split the partitions") {
                let pa = logA.currentPartitions, pb = logB.currentPartitions
                return !pa.isEmpty && !pb.isEmpty && pa.union(pb) == all
            }
            // More events after the split, so B certainly ingests some of its own.
            try await produce(events[cut...], topic: topics.events, producer: producer)
            let ends = try await endOffsets(cluster, topic: topics.events, partitions: Self.partitions)
            try await waitUntil(60, "the end of every partition") { processor.allOffsets == ends }
            try await a.stop()
            try await b.stop()

            #expect(processor.status.counters["events.applied"] == UInt64(events.count), "nothing lost, nothing counted twice")
            try processor.closeAllSessions()
            let diff = try NamedGraphs(processor.graphs).differences(from: offlineGraphs(events, config: config))
            #expect(diff.isEmpty, "\(diff)")
        }
    }
}
