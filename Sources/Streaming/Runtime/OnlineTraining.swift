import Foundation
import Logging
import Model
import Synchronization

/// The online runtime's core, shared by its two schedulers (`ContinuousTrainingService`,
/// timed, for `serve`; `ReplayDriver`, lockstep, for `replay`): a training round, a version
/// published (one in flight at most; a failed one rolled back so that its number is
/// republished as a snapshot), the final epochs, and a checkpoint whose failure stops
/// nothing. Every round, version and checkpoint attempt goes to `history.jsonl`.
///
/// Blocking work (rounds, version building, checkpoints) runs on the trainer's own serial
/// queue (`ContinuousTrainer` is an actor on a `BlockingExecutor`), never on the cooperative
/// pool. An actor: one scheduler drives it, and its state is read nowhere else.
actor OnlineTraining {
    struct Settings: Sendable {
        var stateDirectory: String
        /// HitRate@20 of every version on held-out transitions (history `hitRate20`).
        var evaluation: HoldoutEvaluation?
        /// `publish` history records carry the freshness of the version (live data), or not
        /// (a replay publishes past events).
        var reportsFreshness = true
    }

    let trainer: ContinuousTrainer
    let sink: (any VersionSink)?
    let history: HistoryLog?
    let settings: Settings
    let logger: Logger
    let failures: CheckpointFailures

    /// The newest version complete for readers (or made, without a sink).
    private(set) var publishedVersion: UInt64
    /// Something was trained since the last version was made.
    private(set) var trainedSinceVersion = false
    private var inFlight: (task: Task<Result<UInt64, any Error>, Never>, finished: CompletionFlag)?

    init(trainer: ContinuousTrainer, sink: (any VersionSink)?, history: HistoryLog?, settings: Settings, logger: Logger) {
        self.trainer = trainer
        self.sink = sink
        self.history = history
        self.settings = settings
        self.logger = logger
        self.failures = CheckpointFailures(logger: logger)
        self.publishedVersion = trainer.firstVersion - 1
    }

    // MARK: Training

    /// One round on the fresh walks (nil: nothing fresh); recorded in the history.
    @discardableResult
    func round() async throws -> ContinuousTrainer.RoundReport? {
        guard let report = try await trainer.round() else { return nil }
        await record(report)
        return report
    }

    /// `epochs` passes over fresh walks of the final graphs (0: nothing).
    func finalTraining(epochs: Int) async throws {
        guard epochs > 0 else { return }
        guard let report = try await trainer.finalTraining(epochs: epochs) else { return }
        logger.info("final training: \(epochs) epochs over fresh walks of the final graphs, \(report.tokens) tokens in \(String(format: "%.1f", report.seconds)) s")
        await record(report)
    }

    private func record(_ report: ContinuousTrainer.RoundReport) async {
        trainedSinceVersion = true
        history?.append(HistoryRecord(round: report, tokens: await trainer.tokensTrained))
        logger.debug("round", metadata: [
            "tokens": "\(report.tokens)", "fresh_walks": "\(report.freshWalks)",
            "rehearsed_walks": "\(report.rehearsedWalks)", "seconds": "\(String(format: "%.3f", report.seconds))",
        ])
    }

    // MARK: Publication

    /// No version is being published.
    var publicationSlotFree: Bool { inFlight.map { $0.finished.isSet } ?? true }

    /// Waits for the version in flight (if any) and returns its failure (nil: published, or
    /// nothing was in flight). A failed version is rolled back: the trainer makes the same
    /// number again, as a snapshot.
    @discardableResult
    func settle() async throws -> (any Error)? {
        guard let (task, _) = inFlight else { return nil }
        inFlight = nil
        switch await task.value {
        case .success(let v):
            publishedVersion = max(publishedVersion, v)
            return nil
        case .failure(let error):
            await trainer.rollBackFailedVersion()
            return error
        }
    }

    /// Settles the version in flight, then makes the next version (if something was trained)
    /// and starts publishing it without waiting. A failure is logged when the version settles.
    func beginPublication() async throws {
        try await settle()
        trainedSinceVersion = false
        let trainer = self.trainer, evaluation = settings.evaluation
        guard let (version, hitRate) = await trainer.exclusively({ trainer -> (EmbeddingVersion, Double?)? in
            guard let version = trainer.makeVersion() else { return nil }
            let hitRate = evaluation.flatMap { e in trainer.itemEmbeddings().flatMap { e.hitRate20(names: $0.names, embeddings: $0.embeddings) } }
            return (version, hitRate)
        }) else { return }
        guard let sink else {
            publishedVersion = version.version
            return
        }
        let history = self.history, logger = self.logger, freshness = settings.reportsFreshness
        let finished = CompletionFlag()
        let task = Task { () -> Result<UInt64, any Error> in
            defer { finished.set() }
            do {
                let started = ContinuousClock.now
                try await sink.publish(version)
                let number = version.version
                let probeTimes = freshness ? await trainer.takeProbeTimes(version: number) : []
                var record = HistoryRecord(published: version, probeEventTimes: probeTimes, hitRate20: hitRate)
                if !freshness { record.freshnessMs = nil }
                history?.append(record)
                logger.info("published version \(number) (\(version.kind.rawValue), \(version.rowCount) rows) in \(String(format: "%.2f", (ContinuousClock.now - started).seconds)) s")
                return .success(number)
            } catch {
                logger.error("publishing version \(version.version) failed: \(error); it will be republished as a snapshot")
                return .failure(error)
            }
        }
        inFlight = (task, finished)
    }

    /// Publishes the next version and waits for it; throws its failure (after the roll-back).
    func publishAndWait() async throws {
        try await beginPublication()
        if let failure = try await settle() { throw failure }
    }

    // MARK: Checkpoints

    /// Settles the version in flight, then checkpoints the model with the newest published
    /// version. A failure is logged, counted (`CheckpointFailures`) and recorded in the
    /// history, and returned: it stops nothing. `then` says what happens next after a failure
    /// (logged with it).
    @discardableResult
    func checkpoint(final: Bool, then: String) async throws -> (any Error)? {
        try await settle()
        let state = settings.stateDirectory, version = publishedVersion
        do {
            try await trainer.checkpoint(stateDirectory: state, publishedVersion: version)
            history?.append(HistoryRecord(checkpointOf: version, final: final))
            return nil
        } catch {
            history?.append(HistoryRecord(checkpointOf: version, final: final, failure: error))
            failures.record(error, publishedVersion: version, then: then)
            return error
        }
    }
}

/// Set once when a version's publication has finished (read without waiting for it).
final class CompletionFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }
}
