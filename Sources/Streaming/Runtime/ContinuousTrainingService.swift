import Foundation
import Logging
import Model
import ServiceLifecycle

/// The timed scheduler of the online runtime (`OnlineTraining`), for `m2grl serve`: rounds
/// beside ingestion whenever the walk rings have fresh walks (else it polls every
/// `idlePoll`), and a checkpoint every `checkpointInterval`.
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
/// `finalEpochs` passes over fresh walks of the final graphs (end of a finite run), a last
/// version, a checkpoint, then it returns. Abandoned (`run(abandonWhen:)`, a scale-out leader
/// that lost its leadership): it stops without another round or version, waits for the
/// version in flight, and checkpoints locally.
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

    let core: OnlineTraining
    let settings: Settings
    let logger: Logger

    /// Checkpoints that failed so far (also `m2grl_checkpoint_failures_total`).
    public var checkpointFailures: Int { core.failures.total }

    public var trainer: ContinuousTrainer { core.trainer }

    public init(trainer: ContinuousTrainer, sink: (any VersionSink)?, history: HistoryLog?,
                settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        self.core = OnlineTraining(
            trainer: trainer, sink: sink, history: history,
            settings: .init(stateDirectory: settings.stateDirectory, evaluation: settings.evaluation), logger: logger)
    }

    public func run() async throws {
        try await run(abandonWhen: { false }, publishWhen: { true })
    }

    /// Runs until graceful shutdown (or cancellation), or until `abandoned()` turns true:
    /// then it stops without a final round or version (see the type's documentation). A
    /// version starts only while `mayPublish()` holds (a scale-out leader whose partition is
    /// revoked for a moment trains on and publishes again once it is back).
    public func run(abandonWhen abandoned: @escaping @Sendable () -> Bool,
                    publishWhen mayPublish: @escaping @Sendable () -> Bool) async throws {
        let core = self.core, trainer = core.trainer
        var lastPublish = ContinuousClock.now
        var lastCheckpoint = ContinuousClock.now
        var schedule = CheckpointSchedule(interval: settings.checkpointInterval, maximumBackoff: settings.checkpointMaximumBackoff)
        var failure: Error?

        func checkpoint(final: Bool) async throws {
            var afterFailure = schedule
            afterFailure.recordFailure()
            let then = final ? "the next start restores it"
                : "training goes on; next attempt in \(String(format: "%.0f", afterFailure.delay.seconds)) s"
            if try await core.checkpoint(final: final, then: then) == nil {
                schedule.recordSuccess()
            } else {
                schedule = afterFailure
            }
            lastCheckpoint = .now
        }

        do {
            while !Task.isShuttingDownGracefully && !Task.isCancelled && !abandoned() {
                if try await core.round() == nil {
                    try? await Task.sleep(for: settings.idlePoll)
                }
                if abandoned() { break }
                let slotFree = await core.publicationSlotFree
                if await core.trainedSinceVersion && mayPublish()
                    && (slotFree || ContinuousClock.now - lastPublish >= settings.publishInterval) {
                    try await core.beginPublication()
                    lastPublish = .now
                }
                if ContinuousClock.now - lastCheckpoint >= schedule.delay { try await checkpoint(final: false) }
            }
            if abandoned() {
                try await core.settle()
                try await checkpoint(final: true)
            } else {
                // Shutdown: train on what ingestion applied last (one round: ingestion may
                // still be running, services stop in reverse order, so looping until nothing
                // is fresh could go on forever), optionally the final epochs, publish and
                // checkpoint.
                try await core.round()
                try await core.finalTraining(epochs: settings.finalEpochs)
                if mayPublish() {
                    try await core.beginPublication()
                    try await core.settle()
                }
                if await trainer.dirty && mayPublish() {
                    // The last version failed: one more try (as a snapshot).
                    try await core.beginPublication()
                    try await core.settle()
                }
                try await checkpoint(final: true)
            }
        } catch {
            failure = error
        }
        _ = try? await core.settle()
        let (rounds, tokens, published) = await (trainer.rounds, trainer.tokensTrained, core.publishedVersion)
        logger.notice("trainer: \(rounds) rounds, \(tokens) tokens, last published version \(published), \(core.failures.total) failed checkpoints")
        if let failure { throw failure }
    }
}
