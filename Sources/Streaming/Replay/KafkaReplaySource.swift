import Foundation
import Kafka
import Logging
import Model

/// Replays the input topic into a `ReplayDriver`: its own consumer (manually assigned, under
/// its own group id, committing nothing, so the live group's offsets never move), batches
/// cut by `DeterministicBatcher`, positions resumed from the state directory's stored
/// offsets. Invalid events are counted, not re-sent (live ingestion dead-lettered them
/// already).
public struct KafkaReplaySource: Sendable {
    public let configuration: KafkaConfiguration
    public let topic: String
    public let group: String
    public let logger: Logger
    public var progressInterval: Duration = .seconds(5)
    /// Upper bound for finding where each partition ends at the start.
    public var endSearchTimeout: Duration = .seconds(60)

    public init(kafka: KafkaConfiguration, topic: String, group: String, logger: Logger) {
        self.configuration = kafka.consumerConfiguration(groupID: group).readingToEnd()  // the end of `--until end` (`endOffsets`)
        self.topic = topic
        self.group = group
        self.logger = logger
    }

    /// Runs the replay to its end; returns the final next offset of every partition.
    public func run(into driver: ReplayDriver, decoder eventDecoder: EventDecoder, plan: ReplayPlan) async throws -> [TopicPartition: Int64] {
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        let partitionCount = try await consumer.partitionCount(topic: topic)
        let partitions = (0..<partitionCount).map { TopicPartition(topic, Int32($0)) }
        var low: [TopicPartition: Int64] = [:]
        for tp in partitions { low[tp] = try await consumer.watermarks(tp).low }
        // `--until end`: each partition's end when the replay starts, as the fetch finds it
        // (the broker's high watermark may lag it).
        let high = try await consumer.endOffsets(partitions, timeout: endSearchTimeout)

        // Where to start: the state's own offsets (a resumed replay), else the plan.
        var starts: [TopicPartition: Int64] = [:]
        var skipBefore: Int64?
        let stored = driver.processor.storedOffsets(for: partitions)
        switch plan.start {
        case .earliest:
            for tp in partitions { starts[tp] = low[tp] }
        case .offsets(let given):
            for tp in partitions { starts[tp] = max(low[tp] ?? 0, given[tp.partition] ?? low[tp] ?? 0) }
        case .time(let t):
            skipBefore = t
            do {
                let found = try await consumer.offsetsForTimes(partitions, timestampMs: t, timeout: .seconds(5))
                // -1 ("no message that recent") is also what librdkafka's mock answers for
                // everything: such partitions are read from the earliest offset instead
                // (events before the time are skipped by event time either way).
                var answered = 0
                for tp in partitions {
                    if let o = found[tp], o >= 0 { starts[tp] = max(o, low[tp] ?? 0); answered += 1 } else { starts[tp] = low[tp] }
                }
                if answered == 0 {
                    logger.notice("replay start by time: the broker answered no offset by time (librdkafka's mock never does); reading from the earliest offsets and skipping events before the time by event time")
                } else {
                    logger.notice("replay start by time: offsets-for-times answered for \(answered) of \(partitions.count) partitions (message timestamps; events before the time are also skipped by event time)")
                }
            } catch {
                for tp in partitions { starts[tp] = low[tp] }
                logger.notice("replay start by time: the broker does not answer offsets-for-times (\(error)); reading from the earliest offsets and skipping events before the time by event time")
            }
        }
        for (tp, offset) in stored { starts[tp] = offset }
        if !stored.isEmpty { logger.notice("resuming the replay from the offsets stored in the state directory (\(stored.count) partitions)") }

        let decoder = MessageBatchDecoder(decoder: eventDecoder, skipBefore: skipBefore)
        var batcher = DeterministicBatcher(starts: starts, ends: high, eventsPerPartition: plan.eventsPerPartition)
        if !batcher.isFinished {
            try consumer.assign(Dictionary(uniqueKeysWithValues: batcher.unfinished.map { ($0, starts[$0] ?? 0) }))
        }
        let total = batcher.remaining
        logger.notice("replay of \(topic): \(total) messages in \(partitionCount) partitions, \(plan.eventsPerPartition) per partition per batch")
        let begin = ContinuousClock.now
        var lastProgress = begin
        // Decoding (and polling) of the next batch overlaps the apply of the previous one;
        // applies stay strictly in order (one in flight).
        var inFlight: Task<Void, Error>?
        defer { inFlight?.cancel() }
        while !batcher.isFinished {
            if Task.isCancelled { break }
            let polled = try await consumer.poll(maxMessages: 20_000, timeout: .milliseconds(200))
            var messages = polled.messages
            let nowMillis = WallClock.nowMillis()  // once per poll: future_timestamp
            if case .time(let until) = plan.end {
                // A partition ends before its first event at or after the time.
                var stops: [TopicPartition: Int64] = [:]
                for m in messages where stops[m.topicPartition] == nil {
                    if let e = decoder.event(of: m, nowMillis: nowMillis), e.timestampMillis >= until {
                        stops[m.topicPartition] = m.offset
                    }
                }
                for (tp, offset) in stops { batcher.stop(tp, at: offset) }
                messages.removeAll { m in stops[m.topicPartition].map { m.offset >= $0 } ?? false }
            }
            batcher.add(messages)
            let fetched = consumer.position(batcher.unfinished)
            while let batch = batcher.nextBatch(fetched: fetched) {
                let decoded = decoder.decode(batch, nowMillis: nowMillis)
                let invalid = decoded.rejected.count, skipped = decoded.skippedBeforeStart
                var next: [TopicPartition: Int64] = [:]
                for tp in Set(batch.map(\.topicPartition)) { next[tp] = batcher.positions[tp] }
                for tp in partitions where batcher.positions[tp] == batcher.ends[tp] { next[tp] = batcher.ends[tp] }
                let input = IngestBatchInput(records: decoded.records, nextOffsets: next, deadLetters: invalid)
                try await inFlight?.value
                inFlight = Task { try await driver.apply(input, invalid: invalid, skipped: skipped) }
            }
            if ContinuousClock.now - lastProgress >= progressInterval {
                lastProgress = .now
                let done = total - batcher.remaining
                let rate = Double(done) / max((ContinuousClock.now - begin).seconds, 1e-9)
                let eta = rate > 0 ? Double(batcher.remaining) / rate : .infinity
                let parts = partitions.map { "\($0.partition):\(batcher.positions[$0] ?? 0)/\(batcher.ends[$0] ?? 0)" }.joined(separator: " ")
                logger.notice("replay: \(done)/\(total) messages (\(String(format: "%.0f", rate)) msg/s, ETA \(eta.isFinite ? String(format: "%.0f s", eta) : "?")) | \(parts)")
            }
        }
        try await inFlight?.value
        inFlight = nil
        await consumer.close()
        return batcher.positions
    }
}
