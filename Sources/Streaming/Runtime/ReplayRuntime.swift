import Foundation
import Kafka
import Logging
import Model
import ModelFiles
import ServiceLifecycle
import Store
import Telemetry

/// What one `replay` runs, as values (the CLI fills it from its flags, tests in-process).
public struct ReplaySetup: Sendable {
    public var config: PipelineConfig
    public var pipelineHash: String
    public var stateDirectory: String
    /// The cluster to read the events topic from and to publish to (nil: a file, no publication).
    public var kafka: KafkaConfiguration?
    /// Replay this events file instead of the topic.
    public var eventsFile: String?
    public var plan = ReplayPlan()
    /// Walks and ring (`pipelinedCommits` is always on).
    public var ingest = IngestOptions()
    /// Train at all (false: graphs and walks only, `--no-train`).
    public var trains = true
    public var trainThreads = 1
    /// Consumer group id of the replay (default `m2grl-<name>-replay`); it commits nothing.
    public var group: String?
    /// The metrics endpoint (`--metrics-address`), not ready while replaying.
    public var metrics: MetricsStart?

    public init(config: PipelineConfig, pipelineHash: String, stateDirectory: String) {
        self.config = config
        self.pipelineHash = pipelineHash
        self.stateDirectory = stateDirectory
    }
}

/// A wired `replay`: the state, the processor, the lockstep scheduler (`ReplayDriver`) with
/// its trainer and publisher; `run` replays the log, `continueLive` goes on as `serve`.
public final class ReplayRuntime: Sendable {
    public let setup: ReplaySetup
    public let store: Store
    public let processor: IngestProcessor
    public let trainer: ContinuousTrainer?
    public let driver: ReplayDriver
    let sink: (any VersionSink)?
    let history: HistoryLog
    /// Serves from `make` on; `continueLive` runs it in its group, `close` stops it otherwise.
    let metricsServer: MetricsHTTPServer?
    let logger: Logger

    init(setup: ReplaySetup, store: Store, processor: IngestProcessor, trainer: ContinuousTrainer?, driver: ReplayDriver,
         sink: (any VersionSink)?, history: HistoryLog, metricsServer: MetricsHTTPServer?, logger: Logger) {
        self.setup = setup
        self.store = store
        self.processor = processor
        self.trainer = trainer
        self.driver = driver
        self.sink = sink
        self.history = history
        self.metricsServer = metricsServer
        self.logger = logger
    }

    public static func make(_ setup: ReplaySetup, logger: Logger) async throws -> ReplayRuntime {
        let config = setup.config
        if setup.plan.publish != .none && setup.kafka == nil {
            throw ReplayError.invalidOption("--publish \(setup.plan.publish.rawValue): publishing needs --brokers (or use --publish none)")
        }
        let store: Store
        do { store = try IngestSchema.openStore(path: setup.stateDirectory) } catch {
            throw ServeSetupError.stateDirectory("\(error)")
        }
        var metricsServer: MetricsHTTPServer?
        do {
            var options = setup.ingest
            options.pipelinedCommits = true
            let processor = try IngestProcessor(store: store, config: config, options: options, logger: logger)
            metricsServer = try await setup.metrics?(processor)
            let history = HistoryLog(stateDirectory: setup.stateDirectory)
            var lastPublished: UInt64 = 0
            if setup.plan.publish != .none, let kafka = setup.kafka {
                lastPublished = try await PublicationSetup.prepare(config: config, topics: TopicProvisioning(kafka: kafka), logger: logger)
            }
            let trainer = setup.trains ? try OnlineRuntime.trainer(
                config: config, pipelineHash: setup.pipelineHash, processor: processor, state: setup.stateDirectory,
                threads: setup.trainThreads, firstVersion: lastPublished + 1, logger: logger) : nil
            var sink: (any VersionSink)?
            if setup.plan.publish != .none, let kafka = setup.kafka, let trainer {
                sink = try await PublicationSetup.sink(config: config, kafka: kafka, continuingAfter: trainer.firstVersion - 1, logger: logger)
            }
            let driver = ReplayDriver(processor: processor, trainer: trainer, sink: sink, plan: setup.plan,
                                      stateDirectory: setup.stateDirectory, history: history, logger: logger)
            return ReplayRuntime(setup: setup, store: store, processor: processor, trainer: trainer, driver: driver,
                                 sink: sink, history: history, metricsServer: metricsServer, logger: logger)
        } catch {
            await metricsServer?.close()
            store.close()
            throw error
        }
    }

    /// Replays the file or the topic to its end, then the final training, version and
    /// checkpoint. Returns the summary and, for a file, its load report (malformed lines).
    public func run() async throws -> (summary: ReplayDriver.Summary, fileReport: EventLoadReport?) {
        var report: EventLoadReport?
        if let file = setup.eventsFile {
            guard FileManager.default.fileExists(atPath: file) else { throw ReplayError.invalidOption("--events: no such file '\(file)'") }
            report = try await FileReplaySource(path: file, config: setup.config, logger: logger).run(into: driver, plan: setup.plan)
        } else if let kafka = setup.kafka {
            let source = KafkaReplaySource(kafka: kafka, topic: StreamTopics(config: setup.config).events,
                                           group: setup.group ?? "m2grl-\(setup.config.name)-replay", logger: logger)
            _ = try await source.run(into: driver, decoder: EventDecoder(mapping: EventFieldMapping(config: setup.config)), plan: setup.plan)
        }
        return (try await driver.finish(), report)
    }

    /// Continues as the live service (the pipeline's consumer group) at exactly the offsets
    /// the replay reached, with the same trainer and publisher, until SIGTERM or SIGINT.
    public func continueLive() async throws {
        guard let kafka = setup.kafka else { return }
        let topics = StreamTopics(config: setup.config)
        let history = self.history
        var settings = KafkaIngestService.Settings(topic: topics.events, group: topics.group, deadLetterTopic: topics.deadLetters)
        settings.onStatus = { status, rate, lag in history.append(HistoryRecord(ingest: status, eventsPerSecond: rate, lag: lag)) }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: KafkaIngestService(processor: processor, kafka: kafka, settings: settings, logger: logger),
                  successTerminationBehavior: .gracefullyShutdownGroup)
        ]
        if let trainer {
            services.append(.init(service: OnlineRuntime.trainingService(
                trainer: trainer, sink: sink, history: history, config: setup.config, state: setup.stateDirectory,
                finalEpochs: 0, logger: logger)))
        }
        // Ready by serve's rules from now on.
        StreamTelemetry.shared.readiness.continueLive()
        if let metricsServer { services.insert(.init(service: metricsServer), at: 0) }   // stops last
        try await ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
    }

    /// Stops the metrics endpoint when the replay does not continue live.
    public func closeMetrics() async {
        await metricsServer?.close()
    }

    /// Closes the state directory; call after `run` (and `continueLive`) returned.
    public func close() {
        try? processor.flush()
        store.close()
    }
}
