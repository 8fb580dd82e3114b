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

        @Test("the leader trains and publishes; when it stops, the other instance takes over with a higher term and continues the numbering from a snapshot, readers see versions 1...n")
        func leaderHandOver() async throws {
            var config = try syntheticPipeline()
            config.online.walksPerRound = 50
            config.online.checkpointInterval = .seconds(1)
            config.publish.interval = .milliseconds(300)
            config.publish.snapshotEvery = 4
            let events = syntheticEvents(count: 9_000, seed: 52)
            let cluster = try EmbeddedKafkaCluster(brokers: 3, logger: quietLogger)
            try createScaleOutTopics(cluster, config: config, partitions: 4)
            let producer = try makeProducer(cluster)
            let topic = StreamTopics(config: config).events
            let dir = try TemporaryDirectory()
            var training = ServeSetup.Training()
            training.threads = 1
            let a = try await InProcessInstance(id: "a", config: config, cluster: cluster, state: dir.sub("a"), training: training)
            try await produce(events[..<2_000], topic: topic, producer: producer)
            try await waitUntil(90, "a leads") { a.runtime.leaderTerm != nil }
            let b = try await InProcessInstance(id: "b", config: config, cluster: cluster, state: dir.sub("b"), training: training)
            let kafka = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
            let versions = PublicationTopics(pipeline: config)
            func newest() async throws -> UInt64 {
                try await EmbeddingPublisher.lastPublishedVersion(configuration: kafka, versionsTopic: versions.versions, logger: quietLogger) ?? 0
            }
            // Events keep coming, slowly: a version needs fresh walks, and b's join rebalances
            // the leader group for a while (no publication while revoked).
            var produced = 2_000
            func trickle() async throws {
                guard produced < events.count - 4_000 else { return }
                try await produce(events[produced..<(produced + 50)], topic: topic, producer: producer)
                produced += 50
            }
            // Two versions, the newest of the current leader's term. Usually a leads; b's join
            // may hand the coordination partition to b for good (b then publishes under a
            // higher term): the test stops whichever instance leads.
            func newestTerm() async throws -> UInt64? {
                let read = try await PublishedVersionReader(configuration: kafka, topics: versions, timeout: .seconds(10), logger: quietLogger).read()
                return read.completeVersions().last?.term
            }
            var leader: InProcessInstance?
            try await waitUntilAsync(120, "two versions of the leader's term") {
                try await trickle()
                guard (try? await newest()) ?? 0 >= 2, let term = try await newestTerm() else { return false }
                leader = [a, b].first { $0.runtime.leaderTerm == term }
                return leader != nil
            }
            let first = try #require(leader)
            let next = first === a ? b : a
            let firstTerm = try #require(first.runtime.leaderTerm)
            try await first.stop()   // graceful: it publishes its last version, then leaves the group
            let before = try await newest()
            try await waitUntil(120, "\(next.id) leads") { next.runtime.leaderTerm != nil }
            #expect(try #require(next.runtime.leaderTerm) > firstTerm)
            try await waitUntilAsync(120, "versions from \(next.id)") {
                if produced < events.count {
                    try await produce(events[produced..<min(events.count, produced + 100)], topic: topic, producer: producer)
                    produced += 100
                }
                return (try? await newest()) ?? 0 >= before + 2
            }
            if produced < events.count { try await produce(events[produced...], topic: topic, producer: producer) }
            try await waitUntil(120, "\(next.id) applies every event") { next.applied == UInt64(events.count) }
            try await next.stop()

            let reader = try await PublishedVersionReader(configuration: kafka, topics: versions, timeout: .seconds(30), logger: quietLogger).read()
            let complete = reader.completeVersions()
            #expect(complete.map(\.version) == Array(1...UInt64(complete.count)), "versions 1...n: \(complete.map(\.version))")
            #expect(reader.manifestCount == complete.count, "no version number twice")
            // The new leader's first version is a snapshot, after every version of a's term
            // (`before` may lag a's last version: the tail is read right after a stopped).
            let listed = complete.map { "\($0.version)/t\($0.term)/\($0.kind)" }
            let afterHandOver = try #require(complete.first { $0.term > firstTerm }, "\(listed)")
            #expect(afterHandOver.kind == .snapshot, "\(listed)")
            #expect(afterHandOver.version > before, "\(listed), newest before the hand-over \(before)")
            #expect(zip(complete, complete.dropFirst()).allSatisfy { $0.term <= $1.term }, "terms never go back: \(complete.map(\.term))")
            let last = try reader.assemble()
            #expect(last.manifest.version == complete.last?.version)
            #expect(last.manifest.term > firstTerm)
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
