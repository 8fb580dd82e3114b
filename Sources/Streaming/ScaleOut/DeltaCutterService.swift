import Dispatch
import Foundation
import Kafka
import Logging
import Model
import ServiceLifecycle
import Synchronization

/// The cutter role of a scale-out instance (docs/scale-out.md, "Cutting"): a member of the
/// pipeline's consumer group on the events topic. For every input partition it is assigned
/// it waits until its replica has read the deltas log to the end it had at the assignment,
/// loads the partition's user states and clock from the replica and seeks to the
/// partition's mark; then it cuts every consumed batch of the partition into one graph-delta
/// record (dead letters as a single instance sends them) and produces it to the log, at most
/// `inFlightPerPartition` records ahead of its replica. When the replica skips one of its
/// records (another writer was first), it drops what it computed ahead and re-syncs the
/// partition the same way.
final class DeltaCutterService: Service, Sendable {
    struct Settings: Sendable {
        var ingest: KafkaIngestService.Settings
        var scaleOut: ScaleOutSettings
        var topics: ScaleOutTopics
        var fingerprint: UInt64
        var writer: GraphDeltaRecord.Writer
        var tracksItemEdgeTimes: Bool
    }

    let processor: IngestProcessor
    let kafka: KafkaConfiguration
    let settings: Settings
    let progress: ReplicaProgress
    let ownership: Ownership
    let logger: Logger

    init(processor: IngestProcessor, kafka: KafkaConfiguration, settings: Settings, progress: ReplicaProgress,
         ownership: Ownership, logger: Logger) {
        self.processor = processor
        self.kafka = kafka
        self.settings = settings
        self.progress = progress
        self.ownership = ownership
        self.logger = logger
    }

    /// The input partitions this instance owns (for heartbeats and status), and the
    /// rebalance events the loop has not handled yet.
    final class Ownership: Sendable {
        private struct State {
            var owned: Set<TopicPartition> = []
            var assigned: [TopicPartition] = []
            var revoked: [TopicPartition] = []
        }

        private let state = Mutex(State())

        var owned: [TopicPartition] { state.withLock { $0.owned.sorted() } }

        func assign(_ parts: [TopicPartition]) {
            state.withLock { s in
                s.owned.formUnion(parts)
                s.assigned += parts
                s.revoked.removeAll { parts.contains($0) }
            }
        }

        func revoke(_ parts: [TopicPartition]) {
            state.withLock { s in
                s.owned.subtract(parts)
                s.revoked += parts
                s.assigned.removeAll { parts.contains($0) }
            }
        }

        func takeChanges() -> (assigned: [TopicPartition], revoked: [TopicPartition]) {
            state.withLock { s in
                defer { s.assigned = []; s.revoked = [] }
                return (s.assigned, s.revoked)
            }
        }
    }

    /// A partition waiting for its replica before it can be cut.
    private struct Syncing {
        var target: Int64
        var since: ContinuousClock.Instant
    }

    func run() async throws {
        let ingest = settings.ingest
        let producerConfig = KafkaConfiguration.producer(
            bootstrapServers: kafka.bootstrapServers,
            properties: ["compression.type": "lz4"].merging(kafka.propertiesWithoutBootstrap) { $1 })
        let producer = try KafkaProducer(configuration: producerConfig, logger: logger)
        let deadLetterProducer = try KafkaProducer(configuration: producerConfig, logger: logger)
        let deadLetters = DeadLetterSender(producer: deadLetterProducer, topic: ingest.deadLetterTopic,
                                           producerConfiguration: producerConfig, logger: logger)
        let ownership = self.ownership, processor = self.processor, logger = self.logger
        let handler = RebalanceHandler(
            onAssign: { parts in
                ownership.assign(parts)
                // Fetching starts at the mark as applied now; the loop seeks again once synced.
                return Dictionary(uniqueKeysWithValues: parts.map { ($0, processor.mark(of: $0)) })
            },
            onRevoke: { parts, lost in
                ownership.revoke(parts)
                // Our records out before the next owner looks at the log's end.
                let flushed = DispatchSemaphore(value: 0)
                Task {
                    try? await producer.flush(timeout: .seconds(10))
                    flushed.signal()
                }
                _ = flushed.wait(timeout: .now() + 12)
                logger.info("cutter: partitions revoked", metadata: ["partitions": "\(parts.sorted())", "lost": "\(lost)"])
            })
        let consumer = try KafkaConsumer(
            configuration: kafka.consumerConfiguration(groupID: ingest.group),
            rebalance: handler, logger: logger)
        // Finds partition ends from the fetch (`endOffsets`), never a queried watermark,
        // which some brokers under-report (docs/consuming.md, "Where a read ends").
        let logWatch = try KafkaConsumer(
            configuration: kafka.consumerConfiguration(groupID: "m2grl-watch-\(UUID().uuidString)").readingToEnd(),
            logger: logger)
        let decoder = MessageBatchDecoder(config: processor.config)
        try consumer.subscribe([ingest.topic])

        var cutters: [TopicPartition: PartitionCutter] = [:]
        var syncing: [TopicPartition: Syncing] = [:]
        var held: [TopicPartition: [KafkaMessage]] = [:]
        var paused = Set<TopicPartition>()
        var failedBefore = producer.deliveryCounts.failed
        var produced = 0, eventsCut = 0, resyncs = 0
        var lastStatus = ContinuousClock.now, lastEndCheck = ContinuousClock.now
        var failure: (any Error)?
        let context = PartitionCutter.Context(
            fingerprint: settings.fingerprint, writer: settings.writer, viewNames: processor.config.viewNames,
            tracksItemEdgeTimes: settings.tracksItemEdgeTimes, knownAttributes: { processor.attributeNames(of: $0) })

        func logEnd() async -> Int64 {
            let log = settings.topics.deltasLog
            return (try? await logWatch.endOffsets([log], timeout: .seconds(5)))?[log] ?? progress.logEnd
        }
        func resync(_ tp: TopicPartition, target: Int64) {
            cutters[tp] = nil
            held[tp] = nil
            syncing[tp] = Syncing(target: target, since: .now)
            resyncs += 1
        }
        /// Cuts and produces one batch of an active partition; false when it must wait.
        func cut(_ tp: TopicPartition, _ messages: [KafkaMessage]) async throws {
            guard var cutter = cutters[tp] else { return }
            let fresh = messages.filter { $0.offset >= cutter.position }
            guard let last = fresh.last else { return }
            let decoded = await BlockingExecutor.run { decoder.decode(fresh) }
            let lost = decoded.rejected.isEmpty ? 0 : await deadLetters.send(decoded.rejected)
            let before = cutter
            let record = await BlockingExecutor.run { () -> (PartitionCutter, GraphDeltaRecord?) in
                var c = before
                let r = c.cut(decoded.records, end: last.offset + 1, deadLetters: decoded.rejected.count, deadLettersLost: lost,
                              context: context)
                return (c, r)
            }
            cutter = record.0
            cutters[tp] = cutter
            guard let delta = record.1 else { return }
            let encoded = GraphDeltaCodec.encode(delta)
            for part in GraphDeltaFrames.records(delta, encoded: encoded, topic: settings.topics.deltas,
                                                 partBytes: settings.scaleOut.recordPartBytes) {
                try producer.enqueue(part)
            }
            produced += 1
            eventsCut += Int(delta.counters.events)
        }

        await withGracefulShutdownHandler {
            do {
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    if let stopped = progress.stopped { throw stopped }
                    let polled = try await consumer.poll(maxMessages: ingest.maxBatch, timeout: .milliseconds(100))
                    // Rebalances happened inside the poll.
                    let changes = ownership.takeChanges()
                    for tp in changes.revoked {
                        cutters[tp] = nil
                        syncing[tp] = nil
                        held[tp] = nil
                        paused.remove(tp)
                    }
                    if !changes.assigned.isEmpty {
                        let target = await logEnd()
                        for tp in changes.assigned { syncing[tp] = Syncing(target: target, since: .now) }
                        logger.info("cutter: partitions assigned, syncing with the replica", metadata: [
                            "partitions": "\(changes.assigned.sorted())", "log_end": "\(target)",
                        ])
                    }
                    // Fates of our records.
                    for report in progress.takeReports() {
                        guard var cutter = cutters[report.source] else { continue }
                        switch cutter.take(report) {
                        case .applied, .unrelated: cutters[report.source] = cutter
                        case .fenced:
                            logger.notice("cutter: re-syncing partition \(report.source): our record [\(report.start), \(report.end)) was not applied")
                            resync(report.source, target: await logEnd())
                        }
                    }
                    // A delivery failure: what is in flight may be missing from the log.
                    let failedNow = producer.deliveryCounts.failed
                    if failedNow > failedBefore {
                        failedBefore = failedNow
                        let target = await logEnd()
                        for (tp, c) in cutters where !c.inFlight.isEmpty {
                            logger.warning("cutter: re-syncing partition \(tp) after a failed delivery to the deltas log")
                            resync(tp, target: target)
                        }
                    }
                    // Partitions whose replica has caught up start (again) from its state.
                    for (tp, s) in syncing where progress.position >= s.target {
                        let sessions = try await BlockingExecutor.run { try processor.partitionSessions(tp) }
                        let mark = processor.mark(of: tp)
                        cutters[tp] = PartitionCutter(source: tp, sessions: sessions, mark: mark)
                        syncing[tp] = nil
                        try await consumer.seek([tp: mark])
                        if paused.remove(tp) != nil { try consumer.resume([tp]) }
                        logger.info("cutter: cutting \(tp) from offset \(mark)")
                    }
                    for (tp, s) in syncing where ContinuousClock.now - s.since > settings.scaleOut.syncTimeout {
                        logger.warning("cutter: partition \(tp) still waits for the replica (position \(progress.position), target \(s.target))")
                        syncing[tp] = Syncing(target: s.target, since: .now)
                    }
                    // The batch: per partition, held messages first.
                    let assignment = consumer.assignment
                    var byPartition: [TopicPartition: [KafkaMessage]] = held
                    held = [:]
                    for m in polled.messages where assignment.contains(m.topicPartition) && cutters[m.topicPartition] != nil {
                        byPartition[m.topicPartition, default: []].append(m)
                    }
                    for tp in byPartition.keys.sorted() {
                        guard let messages = byPartition[tp], let cutter = cutters[tp] else { continue }
                        if cutter.inFlight.count >= settings.scaleOut.inFlightPerPartition {
                            held[tp] = messages
                            if paused.insert(tp).inserted { try consumer.pause([tp]) }
                            continue
                        }
                        try await cut(tp, messages)
                    }
                    for tp in paused where held[tp] == nil && (cutters[tp]?.inFlight.count ?? 0) < settings.scaleOut.inFlightPerPartition {
                        paused.remove(tp)
                        try consumer.resume([tp])
                    }
                    if let every = ingest.statusInterval, ContinuousClock.now - lastStatus >= every {
                        let rate = Double(eventsCut) / max(0.001, (ContinuousClock.now - lastStatus).seconds)
                        logger.notice("cutter: \(String(format: "%.0f", rate)) ev/s, owned \(cutters.keys.sorted().map(\.partition)) syncing \(syncing.keys.sorted().map(\.partition)) records=\(produced) in_flight=\(cutters.values.reduce(0) { $0 + $1.inFlight.count }) resyncs=\(resyncs)")
                        ingest.onStatus?(processor.status, rate, [:])
                        lastStatus = .now
                        eventsCut = 0
                    }
                    if ingest.stopAtEnd, polled.messages.isEmpty, syncing.isEmpty, ContinuousClock.now - lastEndCheck >= .seconds(1) {
                        lastEndCheck = .now
                        if cutters.values.allSatisfy(\.inFlight.isEmpty), try await inputCovered(consumer: consumer, ends: logWatch) {
                            logger.info("cutter: every input partition is covered by applied records up to its end")
                            break
                        }
                    }
                }
            } catch {
                logger.error("cutter stopped: \(error)")
                failure = error
            }
        } onGracefulShutdown: {
            logger.info("graceful shutdown: the cutter stops")
        }
        try? await producer.flush(timeout: .seconds(10))
        await consumer.close()
        await logWatch.close()
        try? await producer.flush(timeout: .seconds(10))
        try? await deadLetterProducer.flush(timeout: .seconds(10))
        if let failure { throw failure }
    }

    /// Every partition of the events topic has applied records up to its end (as `ends`, a
    /// consumer reading to the end, finds it) and the replica has read the deltas log to its end.
    private func inputCovered(consumer: KafkaConsumer, ends: KafkaConsumer) async throws -> Bool {
        guard progress.position >= progress.logEnd else { return false }
        let topic = settings.ingest.topic
        let count = try await consumer.partitionCount(topic: topic, timeout: .seconds(5))
        let partitions = (0..<count).map { TopicPartition(topic, Int32($0)) }
        let found = try await ends.endOffsets(partitions, timeout: .seconds(10))
        return partitions.allSatisfy { tp in found[tp].map { processor.mark(of: tp) >= $0 } ?? false }
    }
}
