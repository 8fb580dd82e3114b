import Dispatch
import Foundation
import Logging
import Model

/// The batch-mode step shared by every replay source: apply a batch (the same
/// `IngestProcessor` as live ingestion), then, in lockstep, a training round every
/// `plan.trainEveryBatches` batches and a version when `plan.publish == .every`; at the end
/// the final epochs, the final version and a checkpoint. Lockstep (no concurrent training)
/// is what makes a replay with one training thread and a fixed seed reproducible.
public final class ReplayDriver: @unchecked Sendable {
    public struct Summary: Sendable {
        public var batches = 0
        public var events = 0
        public var invalid = 0
        public var skippedBeforeStart = 0
        public var trainingRounds = 0
        public var lastPublishedVersion: UInt64 = 0
        public var seconds: Double = 0
        /// Why the final checkpoint failed (logged and counted; the previous checkpoint stays), nil when written.
        public var checkpointError: String?
    }

    let processor: IngestProcessor
    let trainer: ContinuousTrainer?
    let sink: (any VersionSink)?
    let plan: ReplayPlan
    let stateDirectory: String
    let history: HistoryLog?
    let logger: Logger
    private let queue = SerialWorkQueue(label: "m2grl.replay")
    private let checkpointFailures: CheckpointFailures
    private let started = ContinuousClock.now
    public private(set) var summary = Summary()

    public init(processor: IngestProcessor, trainer: ContinuousTrainer?, sink: (any VersionSink)?, plan: ReplayPlan,
                stateDirectory: String, history: HistoryLog?, logger: Logger) {
        self.processor = processor
        self.trainer = trainer
        self.sink = sink
        self.plan = plan
        self.stateDirectory = stateDirectory
        self.history = history
        self.logger = logger
        self.checkpointFailures = CheckpointFailures(logger: logger)
        if let trainer { summary.lastPublishedVersion = trainer.nextVersion - 1 }
    }

    private func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await queue.run(body)
    }

    /// Applies one batch and runs the training/publication due after it.
    public func apply(_ input: IngestBatchInput, invalid: Int = 0, skipped: Int = 0) async throws {
        let processor = self.processor
        let outcome = try await blocking { try processor.apply(input) }
        summary.batches += 1
        summary.events += outcome.events
        summary.invalid += invalid
        summary.skippedBeforeStart += skipped
        if let trainer, plan.trainEveryBatches > 0, summary.batches % plan.trainEveryBatches == 0 {
            if let report = try await blocking({ try trainer.round() }) {
                summary.trainingRounds += 1
                recordRound(report)
                if plan.publish == .every { try await publish() }
            }
        }
    }

    /// Final epochs, final version, checkpoint (a failed checkpoint does not throw: it is
    /// logged, counted and reported in `Summary.checkpointError`).
    public func finish() async throws -> Summary {
        let processor = self.processor
        try await blocking { try processor.flush() }
        if let trainer {
            if plan.trainEveryBatches > 0, let report = try await blocking({ try trainer.round() }) {
                summary.trainingRounds += 1
                recordRound(report)
            }
            let epochs = plan.finalEpochs
            if epochs > 0, let report = try await blocking({ try trainer.finalTraining(epochs: epochs) }) {
                logger.info("final training: \(epochs) epochs over fresh walks of the final graphs, \(report.tokens) tokens in \(String(format: "%.1f", report.seconds)) s")
                recordRound(report)
            }
            if plan.publish != .none { try await publish() }
            let state = stateDirectory, version = summary.lastPublishedVersion
            do {
                try await blocking { try trainer.checkpoint(stateDirectory: state, publishedVersion: version) }
                history?.append(HistoryRecord(checkpointOf: version, final: true))
            } catch {
                history?.append(HistoryRecord(checkpointOf: version, final: true, failure: error))
                // The replay's graphs and versions are done; only the model checkpoint is behind.
                checkpointFailures.record(error, publishedVersion: version, then: "the next run restores it")
                summary.checkpointError = "\(error)"
            }
        }
        summary.seconds = (ContinuousClock.now - started).seconds
        return summary
    }

    private func publish() async throws {
        guard let trainer, let sink else { return }
        guard let version = try await blocking({ trainer.makeVersion() }) else { return }
        do {
            try await sink.publish(version)
        } catch {
            // Same rule as live: the number is republished as a snapshot.
            try await blocking { trainer.rollBackFailedVersion() }
            throw error
        }
        summary.lastPublishedVersion = version.version
        var record = HistoryRecord(published: version)
        record.freshnessMs = nil   // a replay publishes past events: no freshness to report
        history?.append(record)
    }

    private func recordRound(_ report: ContinuousTrainer.RoundReport) {
        guard let trainer else { return }
        history?.append(HistoryRecord(round: report, tokens: trainer.tokensTrained))
    }
}
