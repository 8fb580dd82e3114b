import Foundation
import Kafka
import Logging
import Model
import ServiceLifecycle
import Store
import Telemetry

/// Starts the metrics endpoint for the processor, once it exists and before the services are
/// made (instruments made earlier go nowhere); nil: no endpoint.
public typealias MetricsStart = @Sendable (IngestProcessor) async throws -> MetricsHTTPServer?

/// What one `serve` process runs, as values: the CLI fills it from its flags, tests fill it
/// in-process. `ServeRuntime.make` wires it.
public struct ServeSetup: Sendable {
    /// Training and publication beside ingestion (nil: ingest only, `--no-train`).
    public struct Training: Sendable {
        /// Hogwild threads of a round (nil: the pipeline's `training.threads`).
        public var threads: Int?
        /// Epochs over fresh walks of the final graphs at shutdown (nil: the pipeline's
        /// `online.final_epochs` with `stopAtEnd`, else 0).
        public var finalEpochs: Int?
        /// Publish versions to Kafka (false: train and checkpoint only, `--no-publish`).
        public var publish = true
        public var evaluation: HoldoutEvaluation?

        public init() {}
    }

    public var config: PipelineConfig
    /// Fingerprint of the pipeline file, carried by every version.
    public var pipelineHash: String
    public var stateDirectory: String
    public var kafka: KafkaConfiguration
    /// The embedded cluster `kafka` points to, if any (topics through its mock API).
    public var embedded: EmbeddedKafkaCluster?
    /// Walks, ring, fsync, freshness tracking (`pipelinedCommits` is always on).
    public var ingest = IngestOptions()
    public var maxBatch = 20_000
    public var stopAtEnd = false
    public var consumeOnly = false
    public var statusInterval: Duration? = .seconds(10)
    public var training: Training? = Training()
    /// Several instances on one pipeline (docs/scale-out.md); nil: a single instance.
    public var scaleOut: ScaleOutSettings?
    /// SIGTERM and SIGINT shut the services down gracefully (a process; tests in-process: no).
    public var handlesSignals = false
    /// The metrics endpoint (`--metrics-address`); it runs first in the group and stops last.
    public var metrics: MetricsStart?

    public init(config: PipelineConfig, pipelineHash: String, stateDirectory: String, kafka: KafkaConfiguration) {
        self.config = config
        self.pipelineHash = pipelineHash
        self.stateDirectory = stateDirectory
        self.kafka = kafka
    }

    /// Final epochs at shutdown as the flags ask.
    var finalEpochs: Int { training?.finalEpochs ?? (stopAtEnd ? config.online.finalEpochs : 0) }
}

/// A wired `serve`: the state directory (open and locked), the ingest processor and the
/// services (ingestion, and training or the scale-out roles), run by one `ServiceGroup`.
public final class ServeRuntime: Sendable {
    public let store: Store
    public let processor: IngestProcessor
    let group: ServiceGroup
    let scaleOut: ScaleOutInstance?

    init(store: Store, processor: IngestProcessor, group: ServiceGroup, scaleOut: ScaleOutInstance?) {
        self.store = store
        self.processor = processor
        self.group = group
        self.scaleOut = scaleOut
    }

    /// The input partitions this scale-out instance cuts now (empty for a single instance).
    public var scaleOutOwnership: [TopicPartition] { scaleOut?.ownership.owned ?? [] }

    /// The leader term this scale-out instance publishes under (nil: it does not lead).
    public var leaderTerm: UInt64? { scaleOut?.leadership.publishingTerm }

    /// Opens the state, creates missing topics, restores the trainer and wires the services.
    /// Throws `ServeSetupError` for what the operator must fix (the CLI exits with it).
    public static func make(_ setup: ServeSetup, logger: Logger) async throws -> ServeRuntime {
        let config = setup.config
        let topics = StreamTopics(config: config)
        let provisioning = TopicProvisioning(kafka: setup.kafka, embedded: setup.embedded)
        try await provisioning.ensure([TopicSpec(name: topics.deadLetters, partitions: 1)], createTimeout: .seconds(5), logger: logger)

        var storeOptions = StoreOptions()
        storeOptions.syncWrites = setup.ingest.syncWrites
        let store: Store
        do { store = try IngestSchema.openStore(path: setup.stateDirectory, options: storeOptions) } catch {
            throw ServeSetupError.stateDirectory("\(error)")
        }
        var metricsServer: MetricsHTTPServer?
        do {
            var options = setup.ingest
            options.pipelinedCommits = true
            options.replica = setup.scaleOut != nil
            let processor = try IngestProcessor(store: store, config: config, options: options, logger: logger)
            metricsServer = try await setup.metrics?(processor)
            let history = setup.consumeOnly ? nil : HistoryLog(stateDirectory: setup.stateDirectory)
            var settings = KafkaIngestService.Settings(topic: topics.events, group: topics.group, deadLetterTopic: topics.deadLetters)
            settings.maxBatch = setup.maxBatch
            settings.stopAtEnd = setup.stopAtEnd
            settings.consumeOnly = setup.consumeOnly
            settings.statusInterval = setup.statusInterval
            if let history {
                settings.onStatus = { status, rate, lag in history.append(HistoryRecord(ingest: status, eventsPerSecond: rate, lag: lag)) }
            }
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
            var instance: ScaleOutInstance?
            if let scaleOut = setup.scaleOut {
                instance = try await ScaleOutInstance.make(
                    setup: setup, settings: scaleOut, ingest: settings, processor: processor, history: history,
                    provisioning: provisioning, logger: logger)
                services = instance?.services ?? []
            } else {
                services.append(.init(
                    service: KafkaIngestService(processor: processor, kafka: setup.kafka, settings: settings, logger: logger),
                    successTerminationBehavior: .gracefullyShutdownGroup))
            }
            if let training = setup.training, !setup.consumeOnly, setup.scaleOut == nil {
                services.append(.init(service: try await trainingService(
                    setup: setup, training: training, processor: processor, history: history,
                    provisioning: provisioning, logger: logger)))
            }
            if let metricsServer { services.insert(.init(service: metricsServer), at: 0) }   // stops last
            let group = ServiceGroup(configuration: .init(
                services: services, gracefulShutdownSignals: setup.handlesSignals ? [.sigterm, .sigint] : [], logger: logger))
            return ServeRuntime(store: store, processor: processor, group: group, scaleOut: instance)
        } catch {
            await metricsServer?.close()
            store.close()
            throw error
        }
    }

    /// The single-instance trainer service: numbering after the newest published version,
    /// the trainer restored from the state's checkpoint, the publisher.
    static func trainingService(setup: ServeSetup, training: ServeSetup.Training, processor: IngestProcessor,
                                history: HistoryLog?, provisioning: TopicProvisioning,
                                logger: Logger) async throws -> ContinuousTrainingService {
        let config = setup.config
        let lastPublished = training.publish
            ? try await PublicationSetup.prepare(config: config, topics: provisioning, logger: logger) : 0
        let trainer = try OnlineRuntime.trainer(
            config: config, pipelineHash: setup.pipelineHash, processor: processor, state: setup.stateDirectory,
            threads: training.threads ?? config.training.threads, firstVersion: lastPublished + 1, logger: logger)
        let sink = training.publish
            ? try await PublicationSetup.sink(config: config, kafka: setup.kafka, continuingAfter: trainer.firstVersion - 1, logger: logger)
            : nil
        return OnlineRuntime.trainingService(
            trainer: trainer, sink: sink, history: history, config: config, state: setup.stateDirectory,
            finalEpochs: setup.finalEpochs, evaluation: training.evaluation, logger: logger)
    }

    /// Runs the services until they end (`stopAtEnd`), a signal, or `shutdown()`.
    public func run() async throws {
        try await group.run()
    }

    /// Asks the services to stop gracefully (as SIGTERM does).
    public func shutdown() async {
        await group.triggerGracefulShutdown()
    }

    /// Closes the state directory; call after `run` returned.
    public func close() {
        try? processor.flush()
        store.close()
    }
}

/// What keeps a `serve` from starting that the operator must fix.
public enum ServeSetupError: Error, CustomStringConvertible, Sendable {
    case stateDirectory(String)

    public var description: String {
        switch self {
        case .stateDirectory(let m): return m
        }
    }
}
