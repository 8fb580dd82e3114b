import Foundation
import Kafka
import Model
import Store
@testable import Streaming
import Testing

extension StreamingIngestTests {
    @Suite("Scale-out serve instances (in-process, embedded multi-broker cluster)", .serialized, .timeLimit(.minutes(5)))
    struct ScaleOutServe {
        @Test("two instances, one joining while events flow: both replicas end byte-identical, with the offline graphs, every event counted once")
        func twoInstancesConverge() async throws {
            let config = try syntheticPipeline()
            let events = syntheticEvents(count: 8_000, seed: 51)
            let cluster = try EmbeddedKafkaCluster(brokers: 3, logger: quietLogger)
            try createScaleOutTopics(cluster, config: config, partitions: 4)
            let producer = try makeProducer(cluster)
            let topic = StreamTopics(config: config).events
            let dir = try TemporaryDirectory()

            try await produce(events[..<3_000], topic: topic, producer: producer)
            let a = try await InProcessInstance(id: "a", config: config, cluster: cluster, state: dir.sub("a"))
            try await waitUntil(60, "instance a applies events") { a.applied > 0 }
            let b = try await InProcessInstance(id: "b", config: config, cluster: cluster, state: dir.sub("b"))
            try await produce(events[3_000...], topic: topic, producer: producer)
            try await waitUntil(120, "both replicas apply every event (a \(a.applied), b \(b.applied))") {
                a.applied == UInt64(events.count) && b.applied == UInt64(events.count)
            }
            #expect(!a.runtime.scaleOutOwnership.isEmpty || !b.runtime.scaleOutOwnership.isEmpty)
            try await a.stop()
            try await b.stop()

            var digests: [String] = []
            for state in [dir.sub("a"), dir.sub("b")] {
                let (store, processor) = try openProcessor(state, config: config)
                defer { store.close() }
                digests.append(try StateDigest.computeExact(store: store).digest)
                #expect(processor.status.counters["events.applied"] == UInt64(events.count))
                try processor.closeAllSessions()
                let diff = try NamedGraphs(processor.graphs).differences(from: offlineGraphs(events, config: config))
                #expect(diff.isEmpty, "\(state): \(diff)")
            }
            #expect(digests[0] == digests[1], "replicas differ")
        }

        @Test("an instance whose pipeline differs from the deployment's is refused, naming the difference")
        func differentPipelineIsRefused() async throws {
            let config = try syntheticPipeline()
            let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: quietLogger)
            try createScaleOutTopics(cluster, config: config, partitions: 2)
            let dir = try TemporaryDirectory()
            let a = try await InProcessInstance(id: "a", config: config, cluster: cluster, state: dir.sub("a"))
            var other = config
            other.training.dim += 8
            do {
                let b = try await InProcessInstance(id: "b", config: other, cluster: cluster, state: dir.sub("b"))
                try await b.stop()
                Issue.record("an instance with another dim joined")
            } catch ScaleOutError.refused(let reason) {
                #expect(reason.contains("training.dim"), "\(reason)")
            }
            try await a.stop()
        }
    }
}
