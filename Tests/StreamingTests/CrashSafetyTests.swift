import Foundation
import Kafka
import Model
import Store
import Streaming
import Testing

extension StreamingIngestTests {
    @Suite("Crash safety of m2grl serve (SIGKILL, restart)", .serialized, .timeLimit(.minutes(3)))
    struct CrashSafety {
        static let kills = 10
        static let partitions = 6

        /// A copy of the synthetic pipeline whose consumer group is `group`. Every run joins
        /// a fresh group: the librdkafka mock keeps a SIGKILLed member for the whole session
        /// timeout, and a fresh group also proves resumption never reads the group's offsets.
        static func pipeline(group: String, topics: TestTopics, in dir: TemporaryDirectory) throws -> String {
            let path = dir.sub("\(group).yaml")
            let yaml = try String(contentsOfFile: syntheticPipelinePath, encoding: .utf8) + """

                kafka:
                  topic: \(topics.events)
                  group: \(group)
                  dead_letter_topic: \(topics.deadLetters)

                """
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        static func serveArguments(pipeline: String, brokers: String, state: String, stopAtEnd: Bool) -> [String] {
            var args = [
                "serve", "--pipeline", pipeline, "--brokers", brokers, "--state", state,
                "--max-batch", "400", "--no-train", "--log-level", "info",
            ]
            if stopAtEnd { args.append("--stop-at-end") }
            return args
        }

        @Test("killed at random points at least 10 times while events flow, the restarted ingester ends identical to offline, nothing counted twice")
        func sigkillAndRestart() async throws {
            let binary = try m2grlExecutable()
            let config = try syntheticPipeline()
            let topics = TestTopics(config)
            let events = syntheticEvents(count: 40_000, seed: 7)
            let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: quietLogger)
            try cluster.createTopic(topics.events, partitions: Self.partitions)
            try cluster.createTopic(topics.deadLetters, partitions: 1)
            let producer = try makeProducer(cluster)
            let dir = try TemporaryDirectory()
            let state = dir.sub("state")

            // Per round, a backlog before the child starts (larger than a debug build ingests
            // before the kill, so most kills land mid-stream) and more events while it ingests.
            let perRound = events.count / Self.kills
            var chunks: ArraySlice<ArraySlice<Event>> = []
            for start in stride(from: 0, to: events.count, by: perRound) {
                let end = min(start + perRound, events.count)
                let split = start + (end - start) * 3 / 4
                chunks.append(events[start..<split])
                chunks.append(events[split..<end])
            }
            var rng = Xoshiro256StarStar(seed: 2026)
            var appliedAfterKill: [UInt64] = []
            var killsMidStream = 0

            for round in 0..<Self.kills {
                if let chunk = chunks.popFirst() { try await produce(chunk, topic: topics.events, producer: producer) }
                let pipeline = try Self.pipeline(group: "crash-\(round)", topics: topics, in: dir)
                let child = try ChildProcess(executable: binary, arguments: Self.serveArguments(
                    pipeline: pipeline, brokers: cluster.bootstrapServers, state: state, stopAtEnd: false))
                try await child.waitForOutput("resuming from stored offsets", 20)
                // Events keep flowing while the child ingests: the second chunk trickles in
                // over about 1.5 s, so the kill lands while the stream is moving.
                let flowing = chunks.popFirst() ?? []
                let trickle = Task {
                    var start = flowing.startIndex
                    while start < flowing.endIndex {
                        let end = min(start + max(flowing.count / 30, 1), flowing.endIndex)
                        try await produce(flowing[start..<end], topic: topics.events, producer: producer)
                        start = end
                        try await Task.sleep(for: .milliseconds(50))
                    }
                }
                let delay = 0.2 + 1.3 * rng.nextUnit()
                try await Task.sleep(for: .seconds(delay))
                #expect(child.process.isRunning, "round \(round): the ingester exited by itself: \(child.log.suffix(2_000))")
                child.kill(SIGKILL)
                try await child.waitForExit(10, "killed child to exit")
                try await trickle.value
                #expect(child.process.terminationReason == .uncaughtSignal && child.process.terminationStatus == SIGKILL,
                        "round \(round): expected death by SIGKILL, got \(child.process.terminationReason) \(child.process.terminationStatus)")

                // The state directory must open cleanly after every kill (lock released, nothing torn).
                let (store, processor) = try openProcessor(state, config: config)
                let applied = processor.status.counters["events.applied"] ?? 0
                let ends = try await endOffsets(cluster, topic: topics.events, partitions: Self.partitions)
                let consumed = processor.allOffsets.values.reduce(0, +)
                if consumed < ends.values.reduce(0, +) { killsMidStream += 1 }
                // Applied counts exactly the events below the stored offsets (no dead letters here).
                #expect(applied == UInt64(consumed), "round \(round): events.applied \(applied) vs stored offsets \(consumed)")
                store.close()
                if let last = appliedAfterKill.last { #expect(applied >= last, "applied went backwards") }
                appliedAfterKill.append(applied)
            }
            #expect(chunks.isEmpty)
            #expect(killsMidStream > 0, "no kill landed before the end of the stream: \(appliedAfterKill)")
            #expect((appliedAfterKill.last ?? 0) > 0, "the killed ingesters never applied anything: \(appliedAfterKill)")

            // Catch up to the end (in a fresh group, so no dead member holds partitions).
            let finalPipeline = try Self.pipeline(group: "crash-final", topics: topics, in: dir)
            let final = try ChildProcess(executable: binary, arguments: Self.serveArguments(
                pipeline: finalPipeline, brokers: cluster.bootstrapServers, state: state, stopAtEnd: true))
            try await final.waitForExit(60, "the final --stop-at-end run")
            #expect(final.process.terminationStatus == 0, "final run failed: \(final.log.suffix(2_000))")

            let ends = try await endOffsets(cluster, topic: topics.events, partitions: Self.partitions)
            let (store, processor) = try openProcessor(state, config: config)
            defer { store.close() }
            #expect(processor.allOffsets == ends, "the final run must consume every partition to its end")
            #expect(processor.status.counters["events.applied"] == UInt64(events.count), "nothing lost, nothing counted twice")
            try processor.closeAllSessions()
            let diff = try NamedGraphs(processor.graphs).differences(from: offlineGraphs(events, config: config))
            #expect(diff.isEmpty, "\(diff)")
            print("crash safety: events.applied after each kill: \(appliedAfterKill)")
        }
    }
}
