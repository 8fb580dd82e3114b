import Foundation
import Kafka
import Model
import Store
@testable import Streaming
import Testing

/// One `m2grl serve --instance-id` child process of a scale-out test; restarted on the same
/// state directory after a kill.
final class ScaleOutChild: @unchecked Sendable {
    let id: String
    let state: String
    let arguments: [String]
    private(set) var process: ChildProcess
    /// Output of earlier incarnations (before a kill).
    private var earlierLogs = ""

    init(id: String, pipeline: String, brokers: String, state: String, extra: [String] = []) throws {
        self.id = id
        self.state = state
        arguments = [
            "serve", "--pipeline", pipeline, "--brokers", brokers, "--state", state, "--instance-id", id,
            "--max-batch", "400", "--status-seconds", "1", "--train-threads", "1", "--log-level", ProcessInfo.processInfo.environment["M2GRL_TEST_LOG"] ?? "notice",
            "--kafka-property", "session.timeout.ms=6000", "--kafka-property", "heartbeat.interval.ms=500",
        ] + extra
        process = try ChildProcess(executable: try m2grlExecutable(), arguments: arguments)
    }

    func restart() throws {
        earlierLogs += process.log
        process = try ChildProcess(executable: try m2grlExecutable(), arguments: arguments)
    }

    var log: String { earlierLogs + process.log }

    /// Events applied by the replica of the running incarnation (its last status line).
    var applied: Int {
        guard let line = process.log.split(separator: "\n").last(where: { $0.contains("replica: position") }),
              let range = line.range(of: " events=") else { return 0 }
        return Int(line[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }

    /// The term the running incarnation leads under, if it leads (its last leadership line).
    var leaderTerm: UInt64? {
        let lines = process.log.split(separator: "\n").filter {
            $0.contains("leader: term ") || $0.contains("goes on)") || $0.contains("leader: leadership") || $0.contains("stops leading")
        }
        guard let last = lines.last, !last.contains("leader: leadership"), !last.contains("stops leading"),
              let range = last.range(of: "term ") else { return nil }
        return UInt64(last[range.upperBound...].prefix { $0.isNumber })
    }

    /// How often the running incarnation was given the coordination partition (each
    /// rebalance of the leader group revokes it and gives it again).
    var coordinationAssignments: Int {
        process.log.components(separatedBy: "this instance holds the coordination partition").count - 1
    }

    func kill(_ signal: Int32) async throws {
        process.kill(signal)
        try await process.waitForExit(90, "instance \(id) after signal \(signal)")
    }
}

/// With M2GRL_TEST_LOG_DIR set, writes every instance's whole log there (`<id>.log`).
func saveLogs(of instances: [ScaleOutChild]) {
    guard let dir = ProcessInfo.processInfo.environment["M2GRL_TEST_LOG_DIR"] else { return }
    for i in instances { try? i.log.write(toFile: "\(dir)/\(i.id).log", atomically: true, encoding: .utf8) }
}

/// Runs `body`; when it throws, prints the end of every instance's log first.
func dumpingLogs(of instances: [ScaleOutChild], _ body: () async throws -> Void) async throws {
    do { try await body() } catch {
        saveLogs(of: instances)
        for i in instances {
            let lines = i.log.split(separator: "\n").filter { !$0.contains("rdkafka") }
            let notable = lines.filter { $0.contains("leader") || $0.contains("error") || $0.contains("warning") || $0.contains("trainer:") || $0.contains("publish") }
            print("--- instance \(i.id):\n\(notable.suffix(40).joined(separator: "\n"))\n...\n\(lines.suffix(6).joined(separator: "\n"))")
        }
        throw error
    }
}

extension StreamingIngestTests {
    @Suite("Scale-out failover (m2grl serve processes, SIGKILL)", .serialized, .timeLimit(.minutes(8)))
    struct ScaleOutFailover {
        static func pipeline(in dir: TemporaryDirectory, base: String = syntheticPipelinePath, partitions: Int) throws -> String {
            let path = dir.sub("pipeline.yaml")
            let yaml = try String(contentsOfFile: base, encoding: .utf8) + """

                kafka:
                  topic: so.events
                  group: so
                  embeddings_topic: so.embeddings
                  partitions: \(partitions)
                online:
                  walks_per_round: 100
                  checkpoint_seconds: 1
                publish:
                  interval_seconds: 0.5
                  snapshot_every: 5

                """
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        @Test("three instances, one SIGKILLed mid-stream and restarted, one joining later, the leader SIGKILLed once: every replica ends byte-identical with the offline graphs, every event counted once, versions 1...n without gap or repeat")
        func threeInstancesSurviveKills() async throws {
            let dir = try TemporaryDirectory()
            let pipeline = try Self.pipeline(in: dir, partitions: 6)
            let config = try PipelineConfig.load(path: pipeline)
            let events = syntheticEvents(count: 16_000, seed: 61)
            let cluster = try EmbeddedKafkaCluster(brokers: 3, logger: quietLogger)
            try createScaleOutTopics(cluster, config: config, partitions: 6)
            let producer = try makeProducer(cluster)
            let topic = StreamTopics(config: config).events
            let brokers = cluster.bootstrapServers
            var produced = 0
            // Each phase of the test sees new events, up to its budget.
            var budget = 4_000
            func trickle(_ count: Int) async throws {
                let end = min(budget, events.count, produced + count)
                if end > produced { try await produce(events[produced..<end], topic: topic, producer: producer) }
                produced = end
            }

            try await trickle(3_000)
            let a = try ScaleOutChild(id: "a", pipeline: pipeline, brokers: brokers, state: dir.sub("a"))
            let b = try ScaleOutChild(id: "b", pipeline: pipeline, brokers: brokers, state: dir.sub("b"))
            var instances = [a, b]
            func leader() -> ScaleOutChild? { instances.filter { $0.leaderTerm != nil }.max { $0.leaderTerm! < $1.leaderTerm! } }
            try await waitUntilAsync(120, "a leader") {
                try await trickle(200)
                return leader() != nil && instances.allSatisfy { $0.applied > 0 }
            }

            // A standby SIGKILLed while events flow, then restarted on its state.
            budget = 7_000
            let standby = try #require(instances.first { $0 !== leader() })
            for _ in 0..<4 { try await trickle(300); try await Task.sleep(for: .milliseconds(200)) }
            try await standby.kill(SIGKILL)
            try await trickle(1_000)
            try standby.restart()

            // A third instance joins later, with an empty state.
            budget = 10_000
            let c = try ScaleOutChild(id: "c", pipeline: pipeline, brokers: brokers, state: dir.sub("c"))
            instances.append(c)
            try await waitUntilAsync(120, "c catches up") {
                try await trickle(200)
                return c.applied >= 3_000
            }

            // The leader SIGKILLed once (after it published twice); another member takes over
            // with a higher term. Events trickle slowly here: the joins above rebalance the
            // leader group for a while (no publication while revoked), and a version needs
            // events after the one before it.
            budget = 13_000
            let kafka = KafkaConfiguration(bootstrapServers: brokers)
            let versionsTopic = PublicationTopics(pipeline: config).versions
            try await dumpingLogs(of: instances) { try await waitUntilAsync(150, "a leader and versions") {
                try await trickle(30)
                let newest = try await EmbeddingPublisher.lastPublishedVersion(configuration: kafka, versionsTopic: versionsTopic,
                                                                              logger: quietLogger) ?? 0
                return leader() != nil && newest >= 2
            } }
            let deposed = try #require(leader())
            let term = try #require(deposed.leaderTerm)
            try await deposed.kill(SIGKILL)
            try await waitUntilAsync(180, "a new leader after the kill") {
                try await trickle(200)
                return instances.contains { $0 !== deposed && ($0.leaderTerm ?? 0) > term }
            }
            try deposed.restart()
            budget = events.count

            // The rest of the stream; every replica applies everything.
            while produced < events.count {
                try await trickle(500)
                try await Task.sleep(for: .milliseconds(100))
            }
            try await waitUntil(240, "every replica applies every event (\(instances.map(\.applied)))") {
                instances.allSatisfy { $0.applied == events.count }
            }
            // `status` shows the deployment: every member, one leader, every input partition owned once.
            try await waitUntilAsync(60, "status shows three members and a leader") {
                let (code, out) = try await m2grl(["status", "--state", a.state, "--brokers", brokers, "--json"])
                guard code == 0, let report = try? JSONDecoder().decode(StatusReport.self, from: Data(out.utf8)),
                      let deployment = report.deployment else { return false }
                let owned = deployment.members.flatMap(\.partitions).sorted()
                return deployment.members.map(\.instance) == ["a", "b", "c"] && deployment.members.filter(\.leader).count == 1
                    && owned == Array(0..<6) && report.scaleOut?.instance == "a"
            }
            let text = try await m2grl(["status", "--state", c.state, "--brokers", brokers]).output
            #expect(text.contains("scale-out instance c") && text.contains("leader (term") && text.contains("input partitions"), "\(text)")

            // Standbys first, the leader last (its final version then is the last one).
            try await dumpingLogs(of: instances) { try await waitUntil(120, "a leader at the end") { leader() != nil } }
            let last = try #require(leader())
            let assignmentsBefore = last.coordinationAssignments
            try await dumpingLogs(of: instances) { for i in instances where i !== last { try await i.kill(SIGTERM) } }
            // Their leaving rebalances the leader group (a revoked leader publishes nothing):
            // the leader stops once it holds the coordination partition again after that.
            try await dumpingLogs(of: instances) { try await waitUntil(60, "the leader holds its partition again") {
                last.coordinationAssignments > assignmentsBefore && last.leaderTerm != nil
            } }
            try await dumpingLogs(of: instances) { try await last.kill(SIGTERM) }
            for i in instances {
                #expect(i.process.process.terminationStatus == 0, "\(i.id): \(i.log.suffix(1_500))")
            }

            saveLogs(of: instances)
            var digests: Set<String> = []
            let offline = offlineGraphs(events, config: config)
            for i in instances {
                let (store, processor) = try openProcessor(i.state, config: config)
                defer { store.close() }
                digests.insert(try StateDigest.computeExact(store: store).digest)
                #expect(processor.status.counters["events.applied"] == UInt64(events.count), "\(i.id): every event counted once")
                try processor.closeAllSessions()
                let diff = try NamedGraphs(processor.graphs).differences(from: offline)
                #expect(diff.isEmpty, "\(i.id): \(diff)")
            }
            #expect(digests.count == 1, "the replicas differ")

            let reader = try await PublishedVersionReader(configuration: kafka, topics: PublicationTopics(pipeline: config),
                                                          timeout: .seconds(60), logger: quietLogger).read()
            let complete = reader.completeVersions()
            // At least two versions before the kill (waited for) and one after (the new term's).
            #expect(complete.count >= 3)
            #expect(complete.map(\.version) == Array(1...UInt64(complete.count)), "versions 1...n: \(complete.map(\.version))")
            #expect(reader.manifestCount == complete.count, "no version number twice")
            #expect(zip(complete, complete.dropFirst()).allSatisfy { $0.term <= $1.term })
            #expect((complete.last?.term ?? 0) > term, "the last versions are the new leader's")
            let newest = try reader.assemble()
            #expect(newest.manifest.version == complete.last?.version)
            if ProcessInfo.processInfo.environment["M2GRL_TEST_LOG"] != nil { try? await dumpingLogs(of: instances) { throw TimedOut(what: "logs") } }
            print("scale-out failover: versions \(complete.map { "\($0.version)/t\($0.term)" }), leader killed at term \(term)")
        }
    }
}
