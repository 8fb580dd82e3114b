import Foundation
import Kafka
import Model
import Streaming
import Testing

extension StreamingIngestTests {
    @Suite("m2grl serve: publication across a SIGKILL and a restart", .serialized, .timeLimit(.minutes(5)))
    struct ServeRestartPublish {
        @Test("versions continue without gaps or repeats after SIGKILL and restart from the checkpoint; every complete version rebuilds")
        func restartContinuesVersions() async throws {
            let dir = try TemporaryDirectory()
            let fixture = try ServeFixture(
                in: dir, extraYAML: "\nonline:\n  walks_per_round: 50\n  checkpoint_seconds: 1\npublish:\n  interval_seconds: 0.3\n  snapshot_every: 4\n")
            let (pipeline, topics, publication, cluster) = (fixture.pipeline, fixture.topics, fixture.publication, fixture.cluster)
            let producer = try makeProducer(cluster)
            let events = syntheticEvents(count: 9_000, seed: 31)
            let arguments = ["serve", "--pipeline", pipeline, "--brokers", cluster.bootstrapServers, "--state", dir.sub("state"),
                             "--max-batch", "500", "--log-level", "notice"]
            let configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
            func last() async throws -> UInt64 {
                try await EmbeddingPublisher.lastPublishedVersion(configuration: configuration, versionsTopic: publication.versions,
                                                                  timeout: .seconds(20), logger: quietLogger) ?? 0
            }

            let first = try ChildProcess(executable: try m2grlExecutable(), arguments: arguments)
            // The first 4,000 events arrive in chunks while versions are awaited: a version needs
            // fresh walks, so events that were all applied before the trainer's second round
            // would leave a single version.
            var before: UInt64 = 0, produced = 0
            let deadline = ContinuousClock.now + .seconds(120)
            while before < 2 && ContinuousClock.now < deadline {
                if produced < 4_000 {
                    try await produce(events[produced..<(produced + 500)], topic: topics.events, producer: producer)
                    produced += 500
                }
                try await Task.sleep(for: .milliseconds(300))
                before = try await last()
            }
            if produced < 4_000 { try await produce(events[produced..<4_000], topic: topics.events, producer: producer) }
            #expect(before >= 2, "versions before the kill; log: \(first.log.suffix(800))")
            // A checkpoint of those versions first, then the kill mid-flight.
            let state = dir.sub("state")
            try await waitUntil(60, "a checkpoint of version \(before); log: \(first.log.suffix(800))") {
                ((try? CheckpointInfo.read(stateDirectory: state))?.publishedVersion ?? 0) >= before
            }
            first.kill()
            try await first.waitForExit(30, "killed serve")

            let second = try ChildProcess(executable: try m2grlExecutable(), arguments: arguments)
            try await produce(events[4_000...], topic: topics.events, producer: producer)
            let killedAt = try await last()
            var after = killedAt
            let deadline2 = ContinuousClock.now + .seconds(120)
            while after < killedAt + 2 && ContinuousClock.now < deadline2 {
                try await Task.sleep(for: .milliseconds(300))
                after = try await last()
            }
            second.kill(SIGTERM)
            try await second.waitForExit(60, "serve after SIGTERM")
            #expect(second.log.contains("continuing after it"), "the restarted serve read the newest version: \(second.log.suffix(800))")

            let reader = try await PublishedVersionReader(configuration: configuration, topics: publication, timeout: .seconds(30), logger: quietLogger).read()
            let complete = reader.completeVersions().map(\.version)
            #expect(complete.count >= 4)
            #expect(complete == Array(1...UInt64(complete.count)), "complete versions are 1...n without gaps: \(complete)")
            #expect(reader.manifestCount == complete.count, "no version number has two manifests (no repeats)")
            for v in complete { _ = try reader.assemble(version: v) }   // every complete version rebuilds
            let attempts = Set(reader.completeVersions().map(\.attempt))
            #expect(attempts.count == 2, "two publisher runs, two attempts")
        }
    }
}
