import Kafka
import Logging
import Model

/// The pieces of the online runtime every wiring shares: the continuous trainer (restored
/// from the state's checkpoint, or from what the caller loaded) and its timed scheduler.
public enum OnlineRuntime {
    /// A trainer on `processor`, restored from the checkpoint in `state` if there is one.
    /// `firstVersion` is the number its first version gets at least.
    public static func trainer(config: PipelineConfig, pipelineHash: String, processor: IngestProcessor, state: String,
                               threads: Int, firstVersion: UInt64, logger: Logger) throws -> ContinuousTrainer {
        try trainer(config: config, pipelineHash: pipelineHash, processor: processor, threads: threads,
                    firstVersion: firstVersion, restoring: try ModelCheckpoint.load(stateDirectory: state), logger: logger)
    }

    /// A trainer on `processor`, restored from `restoring` (nil: a new model).
    public static func trainer(config: PipelineConfig, pipelineHash: String, processor: IngestProcessor,
                               threads: Int, firstVersion: UInt64, restoring: ModelCheckpoint.Loaded?,
                               logger: Logger) throws -> ContinuousTrainer {
        var settings = ContinuousTrainer.Settings(
            walksPerRound: config.online.walksPerRound,
            learningRate: Float(config.online.learningRate ?? config.training.learningRate),
            threads: threads, snapshotEvery: config.publish.snapshotEvery)
        settings.pipelineHash = pipelineHash
        return try ContinuousTrainer(processor: processor, settings: settings, firstVersion: firstVersion,
                                     restoring: restoring, logger: logger)
    }

    /// The timed scheduler (`serve`) for `trainer`.
    public static func trainingService(trainer: ContinuousTrainer, sink: (any VersionSink)?, history: HistoryLog?,
                                       config: PipelineConfig, state: String, finalEpochs: Int,
                                       evaluation: HoldoutEvaluation? = nil, logger: Logger) -> ContinuousTrainingService {
        var settings = ContinuousTrainingService.Settings(
            stateDirectory: state, publishInterval: config.publish.interval,
            checkpointInterval: config.online.checkpointInterval)
        settings.finalEpochs = finalEpochs
        settings.evaluation = evaluation
        return ContinuousTrainingService(trainer: trainer, sink: sink, history: history, settings: settings, logger: logger)
    }
}
