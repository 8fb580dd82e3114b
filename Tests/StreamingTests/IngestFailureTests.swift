import Foundation
import Kafka
import Model
import Store
import Streaming
import Testing

extension StreamingIngestTests {
    @Suite("Ingest failures", .serialized, .timeLimit(.minutes(1)))
    struct Failures {
        @Test("a batch that cannot be committed stops the service, is reported to the caller, and leaves the state untouched (also when written in the background)",
              arguments: [false, true])
        func commitFailureIsReported(pipelined: Bool) async throws {
            let config = try syntheticPipeline()
            let topics = TestTopics(config)
            let events = syntheticEvents(count: 500, seed: 17)
            let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: quietLogger)
            try cluster.createTopic(topics.events, partitions: 2)
            try cluster.createTopic(topics.deadLetters, partitions: 1)
            try await produce(events, topic: topics.events, producer: try makeProducer(cluster))

            let dir = try TemporaryDirectory()
            var options = IngestOptions()
            options.pipelinedCommits = pipelined
            let (store, processor) = try openProcessor(dir.sub("state"), config: config, options: options)
            store.close()  // every commit now fails
            let log = LogCapture()
            let service = ingestService(processor, cluster: cluster, settings: ingestSettings(config, stopAtEnd: true), logger: log.logger("fail"))
            var thrown: (any Error)?
            do {
                try await withDeadline(30, "the service to stop after a failed commit") { try await service.run() }
            } catch {
                thrown = error
            }
            #expect(!(thrown is TimedOut), "the service kept running after a failed commit")
            #expect(!log.errors.isEmpty, "the failure must be logged")
            #expect(thrown != nil, "run() returned normally after a failed commit")
            // The processor refuses further batches until reloaded, and nothing reached the disk.
            #expect(throws: IngestError.self) { try processor.apply(IngestBatchInput(records: [], nextOffsets: [:])) }
            let (store2, reopened) = try openProcessor(dir.sub("state"), config: config)
            defer { store2.close() }
            #expect(reopened.allOffsets.isEmpty)
            #expect((reopened.status.counters["events.applied"] ?? 0) == 0)
        }
    }
}
