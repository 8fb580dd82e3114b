import Foundation
import Kafka
import Model
import Store
import Streaming
import Testing

/// Every entry of the graph, vocabulary, attribute and walk families, in key order.
func graphState(_ store: Store) throws -> [String: [[UInt8]]] {
    var out: [String: [[UInt8]]] = [:]
    for family in ["vocab", "edges", "attrs", "walks"] {
        var entries: [[UInt8]] = []
        try store.columnFamily(family).scan { key, value in
            entries.append(key + [0xFF] + value)
            return .continue
        }
        out[family] = entries
    }
    return out
}

/// Runs a Kafka replay of `topic` into a new processor on `path`.
func replayTopic(_ cluster: EmbeddedKafkaCluster, config: PipelineConfig, path: String, plan: ReplayPlan,
                 train: Bool = false) async throws -> (Store, IngestProcessor, ContinuousTrainer?) {
    let (store, processor) = try openProcessor(path, config: config)
    let trainer = train ? try onlineTrainer(processor) : nil
    let driver = ReplayDriver(processor: processor, trainer: trainer, sink: nil, plan: plan, stateDirectory: path,
                              history: nil, logger: quietLogger)
    let topics = TestTopics(config)
    let source = KafkaReplaySource(kafka: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers),
                                   topic: topics.events, group: uniqueName("replay"), logger: quietLogger)
    _ = try await source.run(into: driver, decoder: EventDecoder(mapping: EventFieldMapping(config: config)), plan: plan)
    _ = try await driver.finish()
    return (store, processor, trainer)
}

extension StreamingIngestTests {
    @Suite("Replay", .serialized, .timeLimit(.minutes(3)))
    struct Replay {
        @Test("deterministic batches: the same batches whatever the fetch sizes; ends and positions respected")
        func batcher() {
            let tps = (0..<3).map { TopicPartition("t", Int32($0)) }
            var messages: [KafkaMessage] = []
            for tp in tps { for o in 0..<Int64(10 + Int(tp.partition) * 3) { messages.append(KafkaMessage(topic: "t", partition: tp.partition, offset: o, key: nil, value: nil)) } }
            func batches(chunk: Int) -> [[String]] {
                var b = DeterministicBatcher(starts: Dictionary(uniqueKeysWithValues: tps.map { ($0, 0) }),
                                             ends: Dictionary(uniqueKeysWithValues: tps.map { ($0, Int64(10 + Int($0.partition) * 3)) }),
                                             eventsPerPartition: 4)
                var fetched: [TopicPartition: Int64] = [:]
                var out: [[String]] = []
                // Fetches arrive interleaved in chunks of `chunk`, partitions in rotation.
                var queues = tps.map { tp in messages.filter { $0.topicPartition == tp } }
                while queues.contains(where: { !$0.isEmpty }) {
                    for q in queues.indices where !queues[q].isEmpty {
                        let part = Array(queues[q].prefix(chunk))
                        queues[q].removeFirst(part.count)
                        b.add(part)
                        fetched[tps[q]] = (part.last?.offset ?? 0) + 1
                        while let batch = b.nextBatch(fetched: fetched) { out.append(batch.map { "\($0.partition)@\($0.offset)" }) }
                    }
                }
                #expect(b.isFinished)
                return out
            }
            let reference = batches(chunk: 1)
            #expect(reference.count == 4, "ceil(16/4) batches: \(reference.count)")
            #expect(reference.first == ["0@0", "0@1", "0@2", "0@3", "1@0", "1@1", "1@2", "1@3", "2@0", "2@1", "2@2", "2@3"])
            #expect(batches(chunk: 3) == reference)
            #expect(batches(chunk: 100) == reference)
        }

        @Test("replay of a topic equals the live state; two replays are byte-identical (graphs, vocabularies, walks, embeddings)")
        func equalsLiveAndDeterministic() async throws {
            let config = try syntheticPipeline()
            let topics = TestTopics(config)
            let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: quietLogger)
            try cluster.createTopic(topics.events, partitions: 4)
            try cluster.createTopic(topics.deadLetters, partitions: 1)
            let events = syntheticEvents(count: 5_000, seed: 21)
            try await produce(events, topic: topics.events, producer: try makeProducer(cluster))

            let dir = try TemporaryDirectory()
            let (liveStore, live) = try openProcessor(dir.sub("live"), config: config)
            defer { liveStore.close() }
            try await withDeadline(60, "live ingest") {
                try await ingestService(live, cluster: cluster, settings: ingestSettings(config, stopAtEnd: true)).run()
            }
            var plan = ReplayPlan()
            plan.eventsPerPartition = 400
            let (s1, r1, t1) = try await replayTopic(cluster, config: config, path: dir.sub("r1"), plan: plan, train: true)
            defer { s1.close() }
            let (s2, r2, t2) = try await replayTopic(cluster, config: config, path: dir.sub("r2"), plan: plan, train: true)
            defer { s2.close() }

            #expect(try NamedGraphs(r1.graphs) == NamedGraphs(live.graphs), "replayed graphs equal the live graphs (by node names)")
            #expect(try StateDigest.namedGraphDigest(store: s1) == StateDigest.namedGraphDigest(store: liveStore), "status --digest: same graph digest by node names")
            #expect(try StateDigest.compute(store: s1).digest == StateDigest.compute(store: s2).digest, "status --digest: replays agree on the exact digest")
            #expect(r1.status.counters["events.applied"] == UInt64(events.count))
            let g1 = try graphState(s1), g2 = try graphState(s2)
            #expect(g1 == g2, "two replays: identical RocksDB graph and walk state; differing: \(g1.keys.sorted().filter { g1[$0] != g2[$0] })")
            let m1 = try await #require(t1).currentModel(), m2 = try await #require(t2).currentModel()
            #expect(m1.views == m2.views && m1.alignments == m2.alignments, "two replays: identical embeddings")
        }

        @Test("a replay process killed with SIGKILL and restarted with the same arguments resumes and reaches the same state")
        func killAndResume() async throws {
            let config = try syntheticPipeline()
            let topics = TestTopics(config)
            let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: quietLogger)
            try cluster.createTopic(topics.events, partitions: 3)
            let total = 20_000
            try await produce(syntheticEvents(count: total, seed: 22), topic: topics.events, producer: try makeProducer(cluster))
            var plan = ReplayPlan()
            plan.eventsPerPartition = 100
            let dir = try TemporaryDirectory()
            let (sFull, _, _) = try await replayTopic(cluster, config: config, path: dir.sub("full"), plan: plan)
            let full = try graphState(sFull)
            sFull.close()

            let arguments = ["replay", "--pipeline", syntheticPipelinePath, "--brokers", cluster.bootstrapServers,
                             "--state", dir.sub("killed"), "--no-train", "--batch-events", "100", "--log-level", "warning"]
            var rng = Xoshiro256StarStar(seed: 5)
            var interrupted = 0
            for _ in 0..<10 {
                let child = try ChildProcess(executable: try m2grlExecutable(), arguments: arguments)
                try await Task.sleep(for: .milliseconds(150 + rng.nextInt(below: 700)))
                child.kill()
                try await child.waitForExit(30, "killed replay")
                let (store, processor) = try openProcessor(dir.sub("killed"), config: config)
                let applied = processor.status.counters["events.applied"] ?? 0
                store.close()
                if applied > 0 && applied < UInt64(total) { interrupted += 1 }
                if applied == UInt64(total) { break }
            }
            #expect(interrupted >= 1, "at least one kill landed mid-replay")
            let last = try ChildProcess(executable: try m2grlExecutable(), arguments: arguments)
            try await last.waitForExit(120, "final replay")
            #expect(last.process.terminationStatus == 0, "\(last.log.suffix(1_000))")
            let store = try IngestSchema.openStore(path: dir.sub("killed"))
            defer { store.close() }
            let resumed = try graphState(store)
            let differing = full.keys.sorted().filter { full[$0] != resumed[$0] }
            #expect(differing.isEmpty, "resumed replay equals an uninterrupted one; differing families: \(differing)")
        }

        @Test("replay --then serve with events still arriving: every event applied exactly once")
        func thenServe() async throws {
            let config = try syntheticPipeline()
            let topics = TestTopics(config)
            let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: quietLogger)
            try cluster.createTopic(topics.events, partitions: 3)
            try cluster.createTopic(topics.deadLetters, partitions: 1)
            let events = syntheticEvents(count: 6_000, seed: 24)
            let producer = try makeProducer(cluster)
            try await produce(events[..<3_000], topic: topics.events, producer: producer)
            let dir = try TemporaryDirectory()
            let child = try ChildProcess(executable: try m2grlExecutable(), arguments: [
                "replay", "--pipeline", syntheticPipelinePath, "--brokers", cluster.bootstrapServers, "--state", dir.sub("s"),
                "--no-train", "--batch-events", "200", "--then", "serve", "--log-level", "notice",
            ])
            // The rest arrives while the replay runs and after it has switched to live mode.
            try await produce(events[3_000..<4_500], topic: topics.events, producer: producer)
            try await waitUntil(60, "live mode") { child.log.contains("switching to live mode") }
            try await produce(events[4_500...], topic: topics.events, producer: producer)
            let ends = try await endOffsets(cluster, topic: topics.events, partitions: 3)
            func applied() throws -> (UInt64, [TopicPartition: Int64]) {
                let store = try Store(readOnlyPath: dir.sub("s"))
                defer { store.close() }
                let status = try StateInspector(store: store).status()
                let offsets = Dictionary(uniqueKeysWithValues: status.partitions.map { (TopicPartition($0.topic, $0.partition), $0.nextOffset) })
                return (status.counters["events.applied"] ?? 0, offsets)
            }
            try await waitUntil(60, "all events applied; log: \(child.log.suffix(500))") { try applied().1 == ends }
            child.kill(SIGTERM)
            try await child.waitForExit(30, "serve after SIGTERM")
            let (count, offsets) = try applied()
            #expect(count == UInt64(events.count), "applied \(count) of \(events.count)")
            #expect(offsets == ends)
        }

        @Test("time: start on the embedded broker (no offsets-for-times) starts at the first event at or after the time")
        func timeStart() async throws {
            let config = try syntheticPipeline()
            let topics = TestTopics(config)
            let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: quietLogger)
            try cluster.createTopic(topics.events, partitions: 2)
            let events = syntheticEvents(count: 3_000, seed: 23)
            let producer = try makeProducer(cluster)
            for e in events {
                try producer.enqueue(KafkaProducerRecord(
                    topic: topics.events, partition: partition(ofUser: e.user, topic: topics.events, partitions: 2).partition,
                    key: Array(e.user.utf8), value: jsonBytes(e)))
            }
            try await producer.flush(timeout: .seconds(60))
            let times = events.map(\.timestampMillis).sorted()
            let t = times[times.count / 2]
            let until = times[times.count * 3 / 4]
            var plan = ReplayPlan()
            plan.start = .time(t)
            plan.end = .time(until)
            plan.eventsPerPartition = 250
            let dir = try TemporaryDirectory()
            let (store, processor, _) = try await replayTopic(cluster, config: config, path: dir.sub("s"), plan: plan)
            defer { store.close() }
            // Expected: per user partition order, events at or after t and before the first event >= until of that partition.
            var expected = 0
            var byPartition: [Int32: [Event]] = [:]
            for e in events { byPartition[partition(ofUser: e.user, topic: topics.events, partitions: 2).partition, default: []].append(e) }
            for (_, list) in byPartition {
                for e in list {
                    if e.timestampMillis >= until { break }
                    if e.timestampMillis >= t { expected += 1 }
                }
            }
            #expect(processor.status.counters["events.applied"] == UInt64(expected))
        }
    }
}
