import Foundation
import Kafka
import Logging
import Model
import ServiceLifecycle

/// The replica role of a scale-out instance (docs/scale-out.md): reads the graph-deltas log
/// from the position stored in the state (manual assignment, no group), joins the parts of
/// each record, and applies every record whose start is its partition's mark, one RocksDB
/// write each (`IngestProcessor.applyDelta`), storing its position in the same write. Reports
/// the fate of this instance's own records to its cutter (`ReplicaProgress`).
final class DeltaReplicaService: Service, Sendable {
    let processor: IngestProcessor
    let kafka: KafkaConfiguration
    let log: TopicPartition
    let fingerprint: UInt64
    let writer: GraphDeltaRecord.Writer
    let progress: ReplicaProgress
    let statusInterval: Duration?
    let logger: Logger

    init(processor: IngestProcessor, kafka: KafkaConfiguration, log: TopicPartition, fingerprint: UInt64,
         writer: GraphDeltaRecord.Writer, progress: ReplicaProgress, statusInterval: Duration?, logger: Logger) {
        self.processor = processor
        self.kafka = kafka
        self.log = log
        self.fingerprint = fingerprint
        self.writer = writer
        self.progress = progress
        self.statusInterval = statusInterval
        self.logger = logger
    }

    func run() async throws {
        do {
            try await replicate()
        } catch {
            progress.stop(error)
            logger.error("replica stopped: \(error)")
            throw error
        }
    }

    private func replicate() async throws {
        let consumer = try KafkaConsumer(
            configuration: kafka.consumerConfiguration(groupID: "m2grl-replica-\(UUID().uuidString)"),
            logger: logger)
        let processor = self.processor, log = self.log, fingerprint = self.fingerprint
        let stored = try processor.replicaPosition(log) ?? 0
        let marks = try await consumer.watermarks(log)
        guard stored >= marks.low else {
            await consumer.close()
            throw ScaleOutError.logTruncated(log: "\(log)", start: marks.low, position: stored)
        }
        progress.setPosition(stored)
        progress.setLogEnd(marks.high)
        try consumer.assign([log: stored])
        logger.notice("replica: reading \(log) from \(stored) (log end \(marks.high))")
        var parts = GraphDeltaParts()
        let maxViews = processor.config.viewNames.count
        var lastStatus = ContinuousClock.now
        var bytesRead: Int64 = 0   // keys and values of the log read since start (bus traffic)
        await withGracefulShutdownHandler {
            do {
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    let polled = try await consumer.poll(maxMessages: 2_000, timeout: .milliseconds(100))
                    if let end = polled.reachedEnd[log] { progress.setLogEnd(end) }
                    if let w = consumer.cachedWatermarks(log) { progress.setLogEnd(w.high) }
                    for message in polled.messages where message.topicPartition == log {
                        progress.setLogEnd(message.offset + 1)
                        bytesRead &+= Int64((message.key?.count ?? 0) + (message.value?.count ?? 0))
                        switch parts.add(message) {
                        case nil:
                            break
                        case .malformed(let offset, let reason)?:
                            logger.warning("replica: skipping \(log)@\(offset): \(reason)")
                            progress.recordMalformed(report: ownReport(of: message))
                        case .record(let bytes, let first, let last)?:
                            let position = parts.holdOffset ?? last + 1
                            let record: GraphDeltaRecord
                            do { record = try GraphDeltaCodec.decode(bytes, maxViews: maxViews) } catch {
                                logger.error("replica: an undecodable graph-delta record at \(log)@\(first): \(error); skipped")
                                progress.recordMalformed(report: ownReport(of: message))
                                continue
                            }
                            let fate = try await BlockingExecutor.run {
                                try processor.applyDelta(record, fingerprint: fingerprint, log: log, position: position)
                            }
                            let mine = record.writer == writer
                            if case .skipped(let reason) = fate {
                                logger.log(level: mine ? .notice : .info, "replica: skipped the record of \(record.writer) for \(record.source) [\(record.start), \(record.end)): \(reason)")
                            }
                            let applied = if case .applied = fate { true } else { false }
                            progress.recordApplied(applied, report: mine ? .init(source: record.source, start: record.start, end: record.end, applied: applied) : nil)
                        }
                        progress.setPosition(message.offset + 1)
                    }
                    if let every = statusInterval, ContinuousClock.now - lastStatus >= every {
                        lastStatus = .now
                        logStatus(bytesRead: bytesRead)
                        // Readiness and the lag gauge of a scale-out instance: how far its
                        // replica is behind the deltas log (records, not events).
                        StreamTelemetry.shared.recordIngest(
                            status: processor.status, lag: [log: max(0, progress.logEnd - progress.position)], eventsPerSecond: nil)
                    }
                }
            } catch {
                progress.stop(error)
                logger.error("replica stopped: \(error)")
            }
        } onGracefulShutdown: {}
        try? await BlockingExecutor.run { try processor.flush() }
        await consumer.close()
        logStatus(bytesRead: bytesRead)
        if let error = progress.stopped { throw error }
    }

    /// This instance's record named by a message's headers (for one that cannot be decoded).
    private func ownReport(of message: KafkaMessage) -> ReplicaProgress.Report? {
        guard message.header(GraphDeltaFrames.writerHeader)?.stringValue == writer.description,
              let source = message.header(GraphDeltaFrames.sourceHeader)?.stringValue,
              let range = message.header(GraphDeltaFrames.rangeHeader)?.stringValue else { return nil }
        let s = source.split(separator: "/"), r = range.split(separator: "-")
        guard s.count == 2, let p = Int32(s[1]), r.count == 2, let a = Int64(r[0]), let b = Int64(r[1]) else { return nil }
        return .init(source: TopicPartition(String(s[0]), p), start: a, end: b, applied: false)
    }

    private func logStatus(bytesRead: Int64) {
        let s = processor.status
        let (applied, skipped, malformed) = progress.counts
        let views = s.views.map { "\($0.name) \($0.nodes)n/\($0.edges)e/\($0.walksInRing)w" }.joined(separator: " ")
        logger.notice("replica: position \(progress.position)/\(progress.logEnd) applied=\(applied) skipped=\(skipped) malformed=\(malformed) bytes=\(bytesRead) events=\(s.counters["events.applied"] ?? 0) | \(views)")
    }
}

/// Why a scale-out instance cannot go on.
public enum ScaleOutError: Error, CustomStringConvertible, Sendable {
    case logTruncated(log: String, start: Int64, position: Int64)
    case refused(String)

    public var description: String {
        switch self {
        case .logTruncated(let log, let start, let position):
            return "the graph-deltas log \(log) starts at offset \(start), past this replica's position \(position): records it needs are gone (retention); seed this state directory with a copy of another instance's (docs/scale-out.md, \"Joining\")"
        case .refused(let m): return m
        }
    }
}
