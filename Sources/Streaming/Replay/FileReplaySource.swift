import Foundation
import EventSource
import Logging
import Model
import ModelFiles

/// Replays an events file through the same `ReplayDriver` as a topic: the file is one
/// partition (`file:<name>`, offset = event number in the file), cut into batches of
/// `plan.eventsPerPartition` events; a resumed replay skips the events the state already
/// has (stored offsets). `--from time:`/`--until time:` filter by event time.
public struct FileReplaySource: Sendable {
    public let path: String
    public let config: PipelineConfig
    public let logger: Logger

    public init(path: String, config: PipelineConfig, logger: Logger) {
        self.path = path
        self.config = config
        self.logger = logger
    }

    /// The pseudo-partition a file's events are recorded under.
    public var partition: SourcePartition { SourcePartition("file:\(URL(fileURLWithPath: path).lastPathComponent)", 0) }

    public func run(into driver: ReplayDriver, plan: ReplayPlan) async throws -> EventLoadReport {
        let tp = partition
        let resumeAt = driver.processor.storedOffsets(for: [tp])[tp] ?? 0
        if resumeAt > 0 { logger.notice("resuming the file replay at event \(resumeAt)") }
        var from: Int64?, until: Int64?
        if case .time(let t) = plan.start { from = t }
        if case .time(let t) = plan.end { until = t }
        if case .offsets = plan.start { throw ReplayError.invalidOption("--from offsets:FILE applies to topics; a file replay starts at its first event (or time:)") }
        let batchSize = plan.eventsPerPartition
        // The file is loaded whole (events in memory), then applied batch by batch.
        var records: [IngestRecord] = []
        var index: Int64 = 0, skipped = 0
        let (events, report) = try EventFileLoader(config: config, logger: logger).load(path: path)
        var batches: [(IngestBatchInput, Int)] = []
        for event in events {
            defer { index += 1 }
            if index < resumeAt { continue }
            if let until, event.timestampMillis >= until { break }
            if let from, event.timestampMillis < from { skipped += 1 } else {
                records.append(IngestRecord(event: event, source: tp, offset: index))
            }
            if (index + 1 - resumeAt) % Int64(batchSize) == 0 {
                batches.append((IngestBatchInput(records: records, nextOffsets: [tp: index + 1]), skipped))
                records = []
                skipped = 0
            }
        }
        if !records.isEmpty || skipped > 0 || (batches.last?.0.nextOffsets[tp] ?? resumeAt) < index {
            batches.append((IngestBatchInput(records: records, nextOffsets: [tp: index]), skipped))
        }
        logger.notice("replay of \(path): \(max(0, index - resumeAt)) events in \(batches.count) batches")
        for (input, skippedInBatch) in batches {
            if Task.isCancelled { break }
            try await driver.apply(input, skipped: skippedInBatch)
        }
        return report
    }
}
