import Foundation
import Kafka
import Model
import Store
import Streaming
import Testing

extension StreamingIngestTests {
    @Suite("Broker faults during ingestion", .serialized, .timeLimit(.minutes(2)))
    struct BrokerFaults {
        static let partitions = 4

        /// Kafka protocol error codes the mock returns for the injected requests.
        static let notLeaderForPartition = KafkaError.Code(rawValue: 6)
        static let requestTimedOut = KafkaError.Code(rawValue: 7)
        static let notCoordinator = KafkaError.Code(rawValue: 16)

        @Test("broker down for a second, then failing fetches and commits: the ingester recovers without a restart, state identical")
        func recoversFromBrokerDownAndFetchErrors() async throws {
            let config = try syntheticPipeline()
            let topics = TestTopics(config)
            let events = syntheticEvents(count: 18_000, seed: 5)
            let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: quietLogger)
            try cluster.createTopic(topics.events, partitions: Self.partitions)
            try cluster.createTopic(topics.deadLetters, partitions: 1)
            let producer = try makeProducer(cluster, logger: silentLogger)
            let cuts = [0, events.count * 3 / 10, events.count * 6 / 10, events.count]
            try await produce(events[cuts[0]..<cuts[1]], topic: topics.events, producer: producer)

            let dir = try TemporaryDirectory()
            let (store, processor) = try openProcessor(dir.sub("state"), config: config)
            defer { store.close() }
            let log = LogCapture()
            let service = RunningService(ingestService(processor, cluster: cluster,
                                                       settings: ingestSettings(config, group: uniqueName("faults"), maxBatch: 300),
                                                       logger: log.logger("faults")))
            defer { service.task.cancel() }
            try await waitUntil(40, "ingestion to start") { (processor.status.counters["events.applied"] ?? 0) > 0 }

            // The only broker goes away for about a second while more events are produced.
            try cluster.brokerDown(1)
            for event in events[cuts[1]..<cuts[2]] {
                try producer.enqueue(KafkaProducerRecord(topic: topics.events, key: Array(event.user.utf8), value: jsonBytes(event)))
            }
            try await Task.sleep(for: .seconds(1))
            try cluster.brokerUp(1)
            try await producer.flush(timeout: .seconds(60))

            // Then fetches and offset commits fail for a while.
            cluster.injectRequestErrors(apiKey: KafkaAPIKey.fetch,
                                        errors: [Self.notLeaderForPartition, Self.requestTimedOut, Self.notLeaderForPartition, Self.requestTimedOut])
            cluster.injectRequestErrors(apiKey: KafkaAPIKey.offsetCommit, errors: [Self.notCoordinator, Self.requestTimedOut])
            try await produce(events[cuts[2]...], topic: topics.events, producer: producer)

            let ends = try await endOffsets(cluster, topic: topics.events, partitions: Self.partitions)
            #expect(ends.values.reduce(0, +) == Int64(events.count), "the producer must not lose or duplicate events across the outage")
            do {
                try await waitUntil(45, "the ingester to reach the end of every partition after the faults") { processor.allOffsets == ends }
            } catch {
                Issue.record("\(error): stored \(processor.allOffsets.sorted { $0.key < $1.key }), ends \(ends.sorted { $0.key < $1.key }), service finished: \(service.finished.isSet); log: \(log.all.suffix(30).map { "\($0.level) \($0.message) \($0.metadata)" })")
                throw error
            }
            #expect(!service.finished.isSet, "the ingester stopped by itself: \(log.errors)")
            try await service.stop()

            #expect(processor.status.counters["events.applied"] == UInt64(events.count), "nothing lost, nothing counted twice")
            try processor.closeAllSessions()
            let diff = try NamedGraphs(processor.graphs).differences(from: offlineGraphs(events, config: config))
            #expect(diff.isEmpty, "\(diff)")
        }
    }
}
