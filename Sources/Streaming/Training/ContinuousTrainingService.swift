import Dispatch
import Foundation
import Logging
import Model
import ServiceLifecycle
import Synchronization

/// Runs a `ContinuousTrainer` beside ingestion inside `m2grl serve`: rounds whenever the
/// walk rings have fresh walks (else it polls every `idlePoll`), and a checkpoint every
/// `checkpointInterval`. Training runs on its own serial queue (never the cooperative pool).
///
/// Publication, the fast lane: a version goes out as soon as a round finishes and no
/// version is in flight (so rows touched by fresh transitions reach readers one round and
/// one publication after their walks were written); while a version is in flight, rounds
/// go on and the next version carries all they changed. `publishInterval` is an upper
/// bound: once it has passed since the last version, the next one waits for the one in
/// flight rather than for a round. Nothing is published when nothing was trained, and at
/// most one version is in flight.
///
/// On graceful shutdown: one last round on what ingestion applied, optionally
/// `finalEpochs` passes over fresh walks of the final graphs (end of a finite run), a last version, a
/// checkpoint, then it returns.
///
/// A failed checkpoint stops nothing (`CheckpointFailures`): it is logged and counted, the
/// previous checkpoint stays in place, training and publication go on, and the next attempt
/// waits `checkpointInterval`, doubled per consecutive failure up to
/// `checkpointMaximumBackoff` (`CheckpointSchedule`). A failed final checkpoint at shutdown
/// is logged and counted too: the next start restores the previous checkpoint.
public final class ContinuousTrainingService: Service, Sendable {
    public struct Settings: Sendable {
        public var stateDirectory: String
        public var publishInterval: Duration
        public var checkpointInterval: Duration
        /// Epochs over fresh walks of the final graphs at shutdown (0: none).
        public var finalEpochs: Int = 0
        public var idlePoll: Duration = .milliseconds(20)
        /// Longest wait between checkpoint attempts while they keep failing.
        public var checkpointMaximumBackoff: Duration = CheckpointSchedule.defaultMaximumBackoff
        /// HitRate@20 of every version on held-out transitions (history `hitRate20`).
        public var evaluation: HoldoutEvaluation?

        public init(stateDirectory: String, publishInterval: Duration, checkpointInterval: Duration) {
            self.stateDirectory = stateDirectory
            self.publishInterval = publishInterval
            self.checkpointInterval = checkpointInterval
        }
    }

    let trainer: ContinuousTrainer
    let sink: (any VersionSink)?
    let history: HistoryLog?
    let settings: Settings
    let logger: Logger
    private let queue = SerialWorkQueue(label: "m2grl.trainer.online")
    private let failures: CheckpointFailures

    /// Checkpoints that failed so far (also `m2grl_checkpoint_failures_total`).
    public var checkpointFailures: Int { failures.total }

    public init(trainer: ContinuousTrainer, sink: (any VersionSink)?, history: HistoryLog?,
                settings: Settings, logger: Logger) {
        self.trainer = trainer
        self.sink = sink
        self.history = history
        self.settings = settings
        self.logger = logger
        self.failures = CheckpointFailures(logger: logger)
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await queue.run(body)
    }

    public func run() async throws {
        let trainer = self.trainer
        var publishedVersion = trainer.nextVersion - 1
        var inFlight: (task: Task<UInt64?, Never>, finished: CompletionFlag)?
        var trainedSinceVersion = false
        var lastPublish = ContinuousClock.now
        var lastCheckpoint = ContinuousClock.now
        var schedule = CheckpointSchedule(interval: settings.checkpointInterval, maximumBackoff: settings.checkpointMaximumBackoff)
        var failure: Error?

        /// Waits for the version in flight; after a failure the trainer republishes the same
        /// number as a snapshot.
        func settle() async throws {
            guard let (task, _) = inFlight else { return }
            inFlight = nil
            if let v = await task.value {
                publishedVersion = max(publishedVersion, v)
            } else {
                try await onQueue { trainer.rollBackFailedVersion() }
            }
        }
        func publish() async throws {
            try await settle()
            trainedSinceVersion = false
            lastPublish = .now
            let evaluation = settings.evaluation
            guard let (version, hitRate) = try await onQueue({ () -> (EmbeddingVersion, Double?)? in
                guard let version = trainer.makeVersion() else { return nil }
                let hitRate = evaluation.flatMap { e in trainer.itemEmbeddings().flatMap { e.hitRate20(names: $0.names, embeddings: $0.embeddings) } }
                return (version, hitRate)
            }) else { return }
            guard let sink else {
                publishedVersion = version.version
                return
            }
            let history = self.history, logger = self.logger
            let finished = CompletionFlag()
            let task = Task { () -> UInt64? in
                defer { finished.set() }
                do {
                    let started = ContinuousClock.now
                    try await sink.publish(version)
                    let number = version.version
                    let probeTimes = (try? await self.onQueue { trainer.takeProbeTimes(version: number) }) ?? []
                    history?.append(HistoryRecord(published: version, probeEventTimes: probeTimes, hitRate20: hitRate))
                    logger.info("published version \(version.version) (\(version.kind.rawValue), \(version.rowCount) rows) in \(String(format: "%.2f", (ContinuousClock.now - started).seconds)) s")
                    return version.version
                } catch {
                    logger.error("publishing version \(version.version) failed: \(error); it will be republished as a snapshot")
                    return nil
                }
            }
            inFlight = (task, finished)
        }
        func checkpoint(final: Bool = false) async throws {
            try await settle()
            let state = settings.stateDirectory, version = publishedVersion
            do {
                try await onQueue { try trainer.checkpoint(stateDirectory: state, publishedVersion: version) }
                schedule.recordSuccess()
                history?.append(HistoryRecord(checkpointOf: version, final: final))
            } catch {
                schedule.recordFailure()
                history?.append(HistoryRecord(checkpointOf: version, final: final, failure: error))
                failures.record(error, publishedVersion: version, then: final
                    ? "the next start restores it"
                    : "training goes on; next attempt in \(String(format: "%.0f", schedule.delay.seconds)) s")
            }
            lastCheckpoint = .now
        }

        do {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                if let report = try await onQueue({ try trainer.round() }) {
                    record(report)
                    trainedSinceVersion = true
                } else {
                    try? await Task.sleep(for: settings.idlePoll)
                }
                let slotFree = inFlight.map { $0.finished.isSet } ?? true
                if trainedSinceVersion && (slotFree || ContinuousClock.now - lastPublish >= settings.publishInterval) {
                    try await publish()
                }
                if ContinuousClock.now - lastCheckpoint >= schedule.delay { try await checkpoint() }
            }
            // Shutdown: train on what ingestion applied last, optionally the final epochs,
            // publish and checkpoint.
            // One last round (ingestion may still be running: services stop in reverse order,
            // so looping until nothing is fresh could go on forever).
            if let report = try await onQueue({ try trainer.round() }) { record(report) }
            if settings.finalEpochs > 0, let report = try await onQueue({ try trainer.finalTraining(epochs: self.settings.finalEpochs) }) {
                logger.info("final training: \(settings.finalEpochs) epochs over fresh walks of the final graphs, \(report.tokens) tokens in \(String(format: "%.1f", report.seconds)) s")
                record(report)
            }
            try await publish()
            try await settle()
            if trainer.dirty {
                // The last version failed: one more try (as a snapshot).
                try await publish()
                try await settle()
            }
            try await checkpoint(final: true)
        } catch {
            failure = error
        }
        try? await settle()
        logger.notice("trainer: \(trainer.rounds) rounds, \(trainer.tokensTrained) tokens, last published version \(publishedVersion), \(failures.total) failed checkpoints")
        if let failure { throw failure }
    }

    /// Set once when a version's publication has finished (read without waiting for it).
    private final class CompletionFlag: Sendable {
        private let flag = Atomic<Bool>(false)
        func set() { flag.store(true, ordering: .releasing) }
        var isSet: Bool { flag.load(ordering: .acquiring) }
    }

    private func record(_ report: ContinuousTrainer.RoundReport) {
        history?.append(HistoryRecord(round: report, tokens: trainer.tokensTrained))
        logger.debug("round", metadata: [
            "tokens": "\(report.tokens)", "fresh_walks": "\(report.freshWalks)",
            "rehearsed_walks": "\(report.rehearsedWalks)", "seconds": "\(String(format: "%.3f", report.seconds))",
        ])
    }
}
