import Foundation
import Kafka
import Logging
import Model

/// The lockstep scheduler of the online runtime (`OnlineTraining`), shared by every replay
/// source: apply a batch (the same `IngestProcessor` as live ingestion), then a training
/// round every `plan.trainEveryBatches` batches and a version when `plan.publish == .every`;
/// at the end the final epochs, the final version and a checkpoint. Lockstep (no concurrent
/// training) is what makes a replay with one training thread and a fixed seed reproducible.
/// An actor: the summary is only touched by its own methods.
public actor ReplayDriver {
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

    nonisolated let processor: IngestProcessor
    let core: OnlineTraining?
    let plan: ReplayPlan
    let logger: Logger
    /// Batches are applied here, in the order they came.
    private let applies = BlockingExecutor(serial: "m2grl.replay")
    private let started = ContinuousClock.now
    public private(set) var summary: Summary

    public init(processor: IngestProcessor, trainer: ContinuousTrainer?, sink: (any VersionSink)?, plan: ReplayPlan,
                stateDirectory: String, history: HistoryLog?, logger: Logger) {
        self.processor = processor
        self.plan = plan
        self.logger = logger
        self.core = trainer.map {
            OnlineTraining(trainer: $0, sink: sink, history: history,
                           settings: .init(stateDirectory: stateDirectory, reportsFreshness: false), logger: logger)
        }
        var summary = Summary()
        if let trainer { summary.lastPublishedVersion = trainer.firstVersion - 1 }
        self.summary = summary
    }

    /// Applies one batch and runs the training/publication due after it.
    public func apply(_ input: IngestBatchInput, invalid: Int = 0, skipped: Int = 0) async throws {
        let processor = self.processor
        let outcome = try await applies.run { try processor.apply(input) }
        summary.batches += 1
        summary.events += outcome.events
        summary.invalid += invalid
        summary.skippedBeforeStart += skipped
        if let core, plan.trainEveryBatches > 0, summary.batches % plan.trainEveryBatches == 0,
           try await core.round() != nil {
            summary.trainingRounds += 1
            if plan.publish == .every { try await publish(core) }
        }
    }

    /// Final epochs, final version, checkpoint (a failed checkpoint does not throw: it is
    /// logged, counted and reported in `Summary.checkpointError`).
    public func finish() async throws -> Summary {
        let processor = self.processor
        try await applies.run { try processor.flush() }
        if let core {
            if plan.trainEveryBatches > 0, try await core.round() != nil { summary.trainingRounds += 1 }
            try await core.finalTraining(epochs: plan.finalEpochs)
            if plan.publish != .none { try await publish(core) }
            // The replay's graphs and versions are done; only the model checkpoint can be behind.
            if let error = try await core.checkpoint(final: true, then: "the next run restores it") {
                summary.checkpointError = "\(error)"
            }
        }
        summary.seconds = (ContinuousClock.now - started).seconds
        return summary
    }

    /// Same rule as live: a failed version is republished as a snapshot (here: the error stops the replay).
    private func publish(_ core: OnlineTraining) async throws {
        guard core.sink != nil else { return }
        try await core.publishAndWait()
        summary.lastPublishedVersion = await core.publishedVersion
    }
}
