import Foundation
import Kafka
import Logging
import Model
import ServiceLifecycle

/// Consumes the events topic into an `IngestProcessor`, exactly once.
///
/// Loop: poll a batch -> decode each message (invalid ones go to the dead-letter topic with
/// the reason, and are counted; see `DeadLetterSender` for truncation and for letters that
/// cannot be delivered) -> wait for the dead letters to be acknowledged -> apply the
/// batch to the processor, which commits state and next offsets in one RocksDB write (with
/// `IngestOptions.pipelinedCommits`, written while the next batch is applied) -> (once that
/// write is done, for lag tools only) commit the same offsets to the consumer group.
/// Start offsets always come from RocksDB: on every assignment the rebalance handler returns
/// the stored offsets, so the group's committed offsets are never what resumes a partition.
/// Dead letters are at-least-once: a batch's letters are acknowledged before its state is
/// written (and, with pipelined commits, before the previous batch's write is known to have
/// succeeded), so a crash or a failed write re-sends them after restart; their
/// `m2grl.source` header (`topic/partition/offset`) is the key to deduplicate them by.
///
/// Runs until graceful shutdown (SIGTERM/SIGINT through the `ServiceGroup`): finishes the
/// batch in hand, waits for its write, closes the consumer and returns.
public final class KafkaIngestService: Service, Sendable {
    public struct Settings: Sendable {
        public var topic: String
        public var group: String
        public var deadLetterTopic: String
        public var maxBatch: Int = 20000
        public static let defaultStatusInterval: Duration = .seconds(10)
        public var statusInterval: Duration? = defaultStatusInterval
        /// Stop once every assigned partition has reached its end (a bounded catch-up run).
        public var stopAtEnd: Bool = false
        /// Benchmark ceiling: consume and decode, apply nothing, store nothing.
        public var consumeOnly: Bool = false
        /// Called with every status (each `statusInterval` and at the end): the processor's
        /// status, events/s since the previous one (nil for the final one), lag per partition.
        public var onStatus: (@Sendable (IngestStatus, Double?, [TopicPartition: Int64]) -> Void)?
        /// Where statuses, lag and batch times go as metrics (and readiness).
        public var telemetry: StreamTelemetry = .shared

        public init(topic: String, group: String, deadLetterTopic: String) {
            self.topic = topic
            self.group = group
            self.deadLetterTopic = deadLetterTopic
        }
    }

    let processor: IngestProcessor
    let consumerConfig: KafkaConfiguration
    let producerConfig: KafkaConfiguration
    let settings: Settings
    let decoder: MessageBatchDecoder
    let logger: Logger

    public init(processor: IngestProcessor, kafka: KafkaConfiguration, settings: Settings, logger: Logger) {
        self.processor = processor
        self.consumerConfig = kafka.consumerConfiguration(groupID: settings.group)
        self.producerConfig = kafka.producerConfiguration()
        self.settings = settings
        self.decoder = MessageBatchDecoder(config: processor.config)
        self.logger = logger
    }

    public func run() async throws {
        let processor = self.processor
        let logger = self.logger
        let inflight = InflightApplies()
        let handler = RebalanceHandler(
            onAssign: { parts in
                let stored = processor.storedOffsets(for: parts)
                logger.info("resuming from stored offsets", metadata: [
                    "offsets": "\(parts.sorted().map { "\($0)=\(stored[$0].map(String.init) ?? "start")" })",
                ])
                // Partitions never consumed start at the beginning of the log.
                return Dictionary(uniqueKeysWithValues: parts.map { ($0, stored[$0] ?? KafkaOffset.beginning) })
            },
            onRevoke: { parts, lost in
                // The next owner resumes from the offsets in the store: let the batch being
                // applied commit first (and reach the disk), so nothing is applied twice.
                inflight.waitUntilIdle()
                do { try processor.flush() } catch {
                    logger.error("could not finish writing the last batch: \(error)")
                }
                logger.info("partitions revoked", metadata: ["partitions": "\(parts.sorted())", "lost": "\(lost)"])
            })
        let consumer = try KafkaConsumer(configuration: consumerConfig, rebalance: handler, logger: logger)
        let deadLetterProducer = try KafkaProducer(configuration: producerConfig, logger: logger)
        let deadLetters = DeadLetterSender(
            producer: deadLetterProducer, topic: settings.deadLetterTopic, producerConfiguration: producerConfig, logger: logger)
        try consumer.subscribe([settings.topic])

        let telemetry = settings.telemetry
        var lastStatus = ContinuousClock.now
        var eventsSinceStatus = 0
        var previousStatus = (loads: 0, applied: UInt64(0))
        var reachedEnd: [TopicPartition: Int64] = [:]
        var consumedOnly = 0
        var consumeOnlyPositions: [TopicPartition: Int64] = [:]
        var firstMessageAt: ContinuousClock.Instant?
        var messagesSeen = 0
        // The batch being applied while the next one is polled and decoded (two cores busy).
        var pending: (task: Task<(IngestBatchOutcome, Int), any Error>, nextOffsets: [TopicPartition: Int64])?
        // Offsets of the last applied batch, whose RocksDB write may still be in flight
        // (pipelined commits): they go to the group only once the next apply has waited for it.
        var notYetOnDisk: [TopicPartition: Int64]?
        var failure: (any Error)?

        // Courtesy commit for lag tools, never ahead of RocksDB; resumption never reads it.
        // Only partitions still assigned: a revoked one belongs to its next owner now.
        func commitToGroup(_ offsets: [TopicPartition: Int64]?) {
            guard let offsets else { return }
            try? consumer.commitInBackground(offsets.filter { consumer.assignment.contains($0.key) })
        }

        func settle() async throws {
            guard let p = pending else { return }
            pending = nil
            let (outcome, deadLetters) = try await p.task.value
            eventsSinceStatus += outcome.events + deadLetters
            commitToGroup(notYetOnDisk)   // the previous batch: this apply waited for its write
            notYetOnDisk = p.nextOffsets
        }

        await withGracefulShutdownHandler {
            do {
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    let polled = try await consumer.poll(maxMessages: settings.maxBatch, timeout: .milliseconds(100))
                    for (tp, end) in polled.reachedEnd { reachedEnd[tp] = end }
                    if !polled.messages.isEmpty {
                        if firstMessageAt == nil { firstMessageAt = .now }
                        messagesSeen += polled.messages.count
                        // Drop what belongs to partitions revoked during this poll: their next
                        // owner resumes from the stored offsets.
                        let assigned = consumer.assignment
                        let messages = polled.messages.filter { assigned.contains($0.topicPartition) }
                        let nextOffsets = Self.nextOffsets(of: messages)
                        if settings.consumeOnly {
                            _ = try await decode(messages, deadLetters: deadLetters)
                            consumedOnly += messages.count
                            eventsSinceStatus += messages.count
                            for (tp, next) in nextOffsets { consumeOnlyPositions[tp] = next }
                        } else {
                            // Decoding (and dead letters) of this batch overlaps the apply of the
                            // previous one; the next poll overlaps this batch's apply.
                            let polledAt = ContinuousClock.now
                            let decoded = Task { [self] in try await decode(messages, deadLetters: deadLetters) }
                            try await settle()
                            inflight.begin()
                            let task = Task { () throws -> (IngestBatchOutcome, Int) in
                                defer { inflight.end() }
                                let input = try await decoded.value
                                let outcome = try await BlockingExecutor.run { try processor.apply(input) }
                                telemetry.recordBatch(ContinuousClock.now - polledAt)
                                return (outcome, input.deadLetters)
                            }
                            pending = (task, nextOffsets)
                        }
                        for (tp, next) in nextOffsets where (reachedEnd[tp] ?? .max) > next { reachedEnd[tp] = nil }
                    } else {
                        try await settle()
                    }
                    if let every = settings.statusInterval, ContinuousClock.now - lastStatus >= every {
                        // Lag per partition: the high watermark of the last fetch minus the stored
                        // offset (no broker round trips in the loop).
                        var lag: [TopicPartition: Int64] = [:]
                        for tp in consumer.assignment {
                            if let marks = consumer.cachedWatermarks(tp) {
                                lag[tp] = max(0, marks.high - (processor.storedOffsets(for: [tp])[tp] ?? marks.low))
                            }
                        }
                        logStatus(eventsPerSecond: Double(eventsSinceStatus) / max(0.001, (ContinuousClock.now - lastStatus).seconds), lag: lag,
                                  previous: &previousStatus)
                        lastStatus = .now
                        eventsSinceStatus = 0
                    }
                    if settings.stopAtEnd && pending == nil && !consumer.assignment.isEmpty {
                        // Every partition of the topic must be ours (a member that died may
                        // still hold some until its session times out) and at its end.
                        let assignment = consumer.assignment
                        var done = assignment.allSatisfy { tp in
                            let position = self.settings.consumeOnly
                                ? (consumeOnlyPositions[tp] ?? 0) : (processor.storedOffsets(for: [tp])[tp] ?? 0)
                            return reachedEnd[tp].map { $0 <= position } ?? false
                        }
                        if done {
                            let total = (try? await consumer.partitionCount(topic: settings.topic, timeout: .seconds(5))) ?? Int.max
                            done = assignment.count >= total
                        }
                        if done {
                            logger.info("all assigned partitions consumed to their end")
                            break
                        }
                    }
                }
                try await settle()
            } catch {
                logger.error("ingest stopped: \(error)")
                failure = error
            }
        } onGracefulShutdown: {
            logger.info("graceful shutdown: finishing the batch in hand")
        }
        if let p = pending { _ = try? await p.task.value }
        do {
            try await BlockingExecutor.run { try processor.flush() }
            commitToGroup(notYetOnDisk)
        } catch where failure == nil {
            logger.error("the last batch did not reach the disk (a restart consumes it again): \(error)")
            failure = error
        } catch {
            // Already failed (and logged): the processor refuses to flush after a failed batch.
        }
        let elapsed = firstMessageAt.map { (ContinuousClock.now - $0).seconds } ?? 0
        await consumer.close()
        try? await deadLetterProducer.flush(timeout: .seconds(10))
        if settings.consumeOnly {
            logger.notice("consume-only: \(consumedOnly) messages in \(String(format: "%.2f", elapsed)) s from the first message (\(String(format: "%.0f", Double(consumedOnly) / max(elapsed, 1e-9))) msg/s)")
        } else {
            logStatus(eventsPerSecond: nil, previous: &previousStatus)
            logger.notice("ingested \(messagesSeen) messages in \(String(format: "%.2f", elapsed)) s from the first message (\(String(format: "%.0f", Double(messagesSeen) / max(elapsed, 1e-9))) msg/s)")
        }
        // A failure ends the service with the error (the process exits non-zero); the state
        // on disk is consistent, and a restart resumes from it.
        if let failure { throw failure }
    }

    static func nextOffsets(of messages: [KafkaMessage]) -> [TopicPartition: Int64] {
        var next: [TopicPartition: Int64] = [:]
        for m in messages { next[m.topicPartition] = max(next[m.topicPartition] ?? 0, m.offset + 1) }
        return next
    }

    private func decode(_ messages: [KafkaMessage], deadLetters: DeadLetterSender) async throws -> IngestBatchInput {
        let decoder = self.decoder
        let decoded = await BlockingExecutor.run { decoder.decode(messages) }
        // Lost letters (logged by the sender, counted in the state) do not stop the stream.
        let lost = decoded.rejected.isEmpty ? 0 : await deadLetters.send(decoded.rejected)
        return IngestBatchInput(records: decoded.records, nextOffsets: decoded.nextOffsets, deadLetters: decoded.rejected.count,
                                deadLettersLost: lost)
    }

    /// Logs and publishes the status; warns when the adjacency cache read back more nodes
    /// than events were applied since `previous` (the bound is far below the hot set).
    private func logStatus(eventsPerSecond: Double?, lag: [TopicPartition: Int64] = [:], previous: inout (loads: Int, applied: UInt64)) {
        let s = processor.status
        let applied = s.counters["events.applied"] ?? 0
        let loads = s.adjacencyLoads - previous.loads
        if loads > 10_000 && UInt64(loads) > applied - min(previous.applied, applied) {
            logger.warning("the adjacency cache read \(loads) nodes back from RocksDB for \(applied - min(previous.applied, applied)) events: ingest.adjacency_cache_mb (\(s.adjacencyBound / 1_048_576) MiB) is far below the nodes the walks reach; raise it")
        }
        previous = (s.adjacencyLoads, applied)
        settings.telemetry.recordIngest(status: s, lag: lag, eventsPerSecond: eventsPerSecond)
        settings.onStatus?(s, eventsPerSecond, lag)
        let views = s.views.map { "\($0.name) \($0.nodes)n/\($0.edges)e/\($0.walksInRing)w" }.joined(separator: " ")
        let rate = eventsPerSecond.map { String(format: "%.0f ev/s", $0) } ?? "final"
        let lagText = lag.isEmpty ? "" : " lag=\(lag.values.reduce(0, +))"
        logger.notice("ingest: \(rate)\(lagText) applied=\(s.counters["events.applied"] ?? 0) dead=\(s.counters["events.dead_lettered"] ?? 0)\(s.counters["events.dead_letters_lost"].map { " dead_lost=\($0)" } ?? "") late=\(s.counters["events.late"] ?? 0) sessions_open=\(s.openSessions) adjacency=\(String(format: "%.1f/%.0fMiB", Double(s.adjacencyBytes) / 1_048_576, Double(s.adjacencyBound) / 1_048_576)) loads=\(s.adjacencyLoads) | \(views)")
    }
}

/// Counts batches handed to the processor and not yet committed; a revocation waits for zero.
/// `@unchecked Sendable`: `count` is only read and written while holding `condition` (a
/// blocking wait, which `Mutex` does not offer).
final class InflightApplies: @unchecked Sendable {
    private let condition = NSCondition()
    private var count = 0

    func begin() { condition.withLock { count += 1 } }

    func end() {
        condition.withLock {
            count -= 1
            if count == 0 { condition.broadcast() }
        }
    }

    func waitUntilIdle() {
        condition.lock()
        while count > 0 { condition.wait() }
        condition.unlock()
    }
}
