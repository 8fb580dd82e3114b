import Kafka
import Logging
import Model
import Streaming

/// The pieces `serve` and `replay` share: the continuous trainer (restored from the state's
/// checkpoint), its service, and the version sink.
enum OnlineRuntime {
    static func trainer(config: PipelineConfig, pipelineHash: String, processor: IngestProcessor, state: String,
                        threads: Int, firstVersion: UInt64, logger: Logger) throws -> ContinuousTrainer {
        var settings = ContinuousTrainer.Settings(
            walksPerRound: config.online.walksPerRound,
            learningRate: Float(config.online.learningRate ?? config.training.learningRate),
            threads: threads, snapshotEvery: config.publish.snapshotEvery)
        settings.pipelineHash = pipelineHash
        return try ContinuousTrainer(
            processor: processor, settings: settings, firstVersion: firstVersion,
            restoring: try ModelCheckpoint.load(stateDirectory: state), logger: logger)
    }

    static func trainingService(trainer: ContinuousTrainer, sink: (any VersionSink)?, history: HistoryLog?,
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
