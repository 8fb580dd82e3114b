import Foundation
import Kafka
import Logging
import Model
import Store
@testable import Streaming
import Synchronization

/// A logger that only lets errors through (librdkafka warns on every fault the tests cause).
let quietLogger: Logger = {
    var l = Logger(label: "m2grl.streaming-test")
    l.logLevel = .error
    return l
}()

/// A logger for clients that a test disconnects on purpose (connection-refused errors).
let silentLogger: Logger = {
    var l = Logger(label: "m2grl.streaming-test")
    l.logLevel = .critical
    return l
}()

/// Group settings for tests. The session timeout must stay well above 3 s: librdkafka
/// 2.0.2's mock holds the first JoinGroup of an empty group for 3 s, and a member whose
/// session expires during that wait leaves the group stuck (observed with 2 s and, under
/// load after a broker outage, with 3 s).
let fastGroupProperties: [String: String] = [
    "session.timeout.ms": "6000",
    "heartbeat.interval.ms": "500",
    "topic.metadata.refresh.interval.ms": "1000",
]

/// The repository root, found from this file's location (Tests/StreamingTests/<file>).
let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// `pipelines/synthetic.yaml`, the pipeline every test ingests with.
let syntheticPipelinePath = repositoryRoot.appendingPathComponent("pipelines/synthetic.yaml").path

func syntheticPipeline() throws -> PipelineConfig {
    try PipelineConfig.load(path: syntheticPipelinePath)
}

/// A temporary directory removed when the value goes away.
final class TemporaryDirectory: Sendable {
    let path: String

    init(_ prefix: String = "m2grl-streaming-test") throws {
        path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func sub(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

func uniqueName(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8))" }

/// A synthetic event stream (time-ordered, whole seconds) small enough for debug builds.
func syntheticEvents(count: Int, seed: UInt64) -> [Event] {
    var p = SyntheticEventGenerator.Parameters()
    p.users = 600
    p.items = 3_000
    p.categories = 30
    p.shops = 120
    p.events = count
    p.concurrentSessions = 120
    p.seed = seed
    return Array(SyntheticEventGenerator(parameters: p))
}

/// The bytes of one event as the pipeline's JSON (the generator's line, without newline).
func jsonBytes(_ event: Event) -> [UInt8] {
    var line = Array(SyntheticEventGenerator.jsonLine(event).utf8)
    if line.last == 0x0A { line.removeLast() }
    return line
}

/// Produces events keyed by user (one user's events stay in order on one partition).
func produce(_ events: some Sequence<Event>, topic: String, producer: KafkaProducer) async throws {
    for event in events {
        try producer.enqueue(KafkaProducerRecord(topic: topic, key: Array(event.user.utf8), value: jsonBytes(event)))
    }
    try await producer.flush(timeout: .seconds(60))
}

func makeProducer(_ cluster: EmbeddedKafkaCluster, logger: Logger = quietLogger) throws -> KafkaProducer {
    try KafkaProducer(configuration: .producer(bootstrapServers: cluster.bootstrapServers), logger: logger)
}

/// High watermark (end offset) of every partition of `topic`.
func endOffsets(_ cluster: EmbeddedKafkaCluster, topic: String, partitions: Int) async throws -> [TopicPartition: Int64] {
    let consumer = try KafkaConsumer(
        configuration: .consumer(bootstrapServers: cluster.bootstrapServers, groupID: uniqueName("watermarks")),
        logger: quietLogger)
    var out: [TopicPartition: Int64] = [:]
    for p in 0..<partitions {
        let tp = TopicPartition(topic, Int32(p))
        out[tp] = try await consumer.watermarks(tp).high
    }
    await consumer.close()
    return out
}

/// Opens an ingest state directory with a processor on it.
func openProcessor(_ path: String, config: PipelineConfig, options: IngestOptions = IngestOptions(),
                   writeDelay: WriteDelay? = nil) throws -> (Store, IngestProcessor) {
    let store = try IngestSchema.openStore(path: path)
    do {
        let commits = writeDelay.map { $0.commitPipeline(writingTo: store) } ?? CommitPipeline(store: store)
        return (store, try IngestProcessor(store: store, config: config, options: options, logger: quietLogger, commits: commits))
    } catch {
        store.close()
        throw error
    }
}

/// Holds every background write of a processor (`openProcessor(writeDelay:)`) back by
/// `seconds`, which the test may change at any time: the next batch is then surely applied
/// while the previous one is still being written.
final class WriteDelay: Sendable {
    private let delay = Mutex<Double>(0)

    var seconds: Double {
        get { delay.withLock { $0 } }
        set { delay.withLock { $0 = newValue } }
    }

    func commitPipeline(writingTo store: Store) -> CommitPipeline {
        CommitPipeline { [self] batch, sync in
            let seconds = self.seconds
            if seconds > 0 { Thread.sleep(forTimeInterval: seconds) }
            try store.write(batch, sync: sync)
        }
    }
}

/// Kafka ingest settings for the pipeline's default topic names, with quick status off.
func ingestSettings(_ config: PipelineConfig, group: String? = nil, stopAtEnd: Bool = false, maxBatch: Int = 2_000) -> KafkaIngestService.Settings {
    let topics = TestTopics(config)
    var s = KafkaIngestService.Settings(topic: topics.events, group: group ?? topics.group, deadLetterTopic: topics.deadLetters)
    s.stopAtEnd = stopAtEnd
    s.maxBatch = maxBatch
    s.statusInterval = nil
    return s
}

func ingestService(_ processor: IngestProcessor, cluster: EmbeddedKafkaCluster, settings: KafkaIngestService.Settings,
                   logger: Logger = quietLogger) -> KafkaIngestService {
    KafkaIngestService(
        processor: processor,
        kafka: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers, properties: fastGroupProperties),
        settings: settings, logger: logger)
}

/// The CLI's default names for a pipeline without a `kafka:` section (see `StreamTopics`).
struct TestTopics {
    var events: String
    var group: String
    var deadLetters: String

    init(_ config: PipelineConfig) {
        events = config.kafka?.topic ?? "\(config.name).events"
        group = config.kafka?.group ?? "m2grl-\(config.name)"
        deadLetters = config.kafka?.deadLetterTopic ?? "\(events).dead-letters"
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out: \(what)" }
}

/// Runs `body` and fails with `TimedOut` if it has not finished after `seconds`.
func withDeadline<T: Sendable>(_ seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimedOut(what: what) }
        return value
    }
}

/// Polls `condition` every 50 ms until it holds; throws `TimedOut` after `seconds`.
func waitUntil(_ seconds: Double, _ what: String, _ condition: () throws -> Bool) async throws {
    let end = ContinuousClock.now + .seconds(seconds)
    while try !condition() {
        if ContinuousClock.now > end { throw TimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(50))
    }
}

/// A flag set once from any thread.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// Runs an ingest service in a task; `finished` tells whether `run()` has returned.
final class RunningService: Sendable {
    let task: Task<Void, Error>
    let finished = Flag()

    init(_ service: KafkaIngestService) {
        let finished = self.finished
        task = Task {
            defer { finished.set() }
            try await service.run()
        }
    }

    /// Cancels the task (the service finishes its batch, leaves the group) and waits.
    func stop() async throws {
        task.cancel()
        try await withDeadline(30, "ingest service to stop") { [task] in try await task.value }
    }
}
