import ArgumentParser
import Foundation
import Kafka
import Logging
import Model
import ServiceLifecycle
import Store
import Streaming

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Ingest the event stream into per-view graphs and walk buffers (RocksDB), exactly once.",
        discussion: """
            Consumes the pipeline's input topic with its consumer group. Every consumed batch is applied in one RocksDB write together with the consumed offsets, and consumption always resumes from the offsets stored in the state directory, so a crash at any instant loses nothing and counts nothing twice. Invalid events go to the dead-letter topic with the reason in headers. SIGINT/SIGTERM finishes the batch in hand and exits.

            Beside ingestion, a continuous trainer runs rounds over the walk rings (biased to fresh walks) and checkpoints the model into <state>/model/ (readable by m2grl eval). At shutdown it can finish with --final-epochs passes over fresh walks of the final graphs, drawn as the offline trainer draws them.

            Examples:
              m2grl serve --pipeline pipelines/synthetic.yaml --brokers localhost:9092 --state state/
              m2grl serve --pipeline pipelines/synthetic.yaml --embedded --state state/
            """
    )

    @OptionGroup var pipelineOptions: PipelineOptions
    @OptionGroup var kafka: KafkaOptions

    @Flag(name: .long, help: "Start an in-process embedded Kafka broker instead of connecting to --brokers (prints its address).")
    var embedded = false

    @Option(name: .long, help: "State directory (RocksDB); created when missing, locked while in use.")
    var state: String

    @Option(name: .long, help: "Most messages applied per batch.")
    var maxBatch: Int = 20000

    @Option(name: .long, help: "Fresh walks generated from each node whose out-edges changed.")
    var walksPerNode: Int = 2

    @Option(name: .long, help: "Walks kept per view; the oldest are evicted.")
    var walkRing: Int = 200_000

    @Flag(name: .long, help: "fsync every batch (also survives power loss, slower).")
    var sync = false

    @Flag(name: .long, help: "Exit once every assigned partition is consumed to its end (catch-up run).")
    var stopAtEnd = false

    @Flag(name: .long, help: "Benchmark ceiling: consume and decode only; apply and store nothing.")
    var consumeOnly = false

    @Flag(name: .long, help: "Ingest only: no continuous training, no publication.")
    var noTrain = false

    @Flag(name: .long, help: "Train and checkpoint, but publish no versions to Kafka.")
    var noPublish = false

    @Option(name: .long, help: "Events file to evaluate every published version on (HitRate@20 of the transitions after the split; needs --split-fraction or --split-time).")
    var evalEvents: String?

    @OptionGroup(title: "Evaluation split for --eval-events")
    var split: SplitOptions

    @Option(name: .long, help: "Seconds between status lines (and history records).")
    var statusSeconds: Double = 10

    @Flag(name: .long, help: "Measure freshness: for every new item edge, the delay from its event time to the first version carrying its trained source row (history.jsonl, publish records). Event times must be wall-clock times (produce --realtime).")
    var trackFreshness = false

    @Option(name: .long, help: "Training threads of the continuous trainer (default: the pipeline's training.threads).")
    var trainThreads: Int?

    @Option(name: .long, help: "Epochs over fresh walks of the final graphs (walks.per_node per node, as offline) at shutdown, before the last version (default: the pipeline's online.final_epochs with --stop-at-end, else 0).")
    var finalEpochs: Int?

    @OptionGroup var metrics: MetricsOptions

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if embedded && kafka.brokers != nil { throw ValidationError("--embedded and --brokers: give one, not both") }
        if !embedded && kafka.brokers == nil { throw ValidationError("--brokers: missing (or use --embedded)") }
        try requireRange(maxBatch, CommandLineLimits.maxBatch, option: "--max-batch")
        try CommandLineLimits.checkIngestOptions(walksPerNode: walksPerNode, walkRing: walkRing, trainThreads: trainThreads,
                                                 finalEpochs: finalEpochs)
        try requireRange(statusSeconds, ConfigLimits.intervalSeconds, option: "--status-seconds")
        if evalEvents != nil, try split.cut() == nil { throw ValidationError("--eval-events: needs --split-fraction or --split-time") }
    }

    func run() async throws {
        let logger = try global.bootstrapLogging()
        let (loaded, pipelineHash) = try pipelineOptions.load()
        guard let config = loaded else { throw ValidationError("--pipeline: missing") }
        let topics = StreamTopics(config: config)

        var cluster: EmbeddedKafkaCluster?
        var bootstrap = kafka.brokers
        if embedded {
            let c = try EmbeddedKafkaCluster(brokers: 1, logger: logger)
            try c.createTopic(topics.events, partitions: topics.partitions)
            try c.createTopic(topics.deadLetters, partitions: 1)
            cluster = c
            bootstrap = c.bootstrapServers
            FileHandle.standardOutput.write(Data("embedded broker: \(c.bootstrapServers) (topic \(topics.events), \(topics.partitions) partitions)\n".utf8))
        }
        let kafkaConfig = try kafka.configuration(bootstrap: bootstrap)
        logger.info("kafka", metadata: ["config": "\(kafkaConfig)", "librdkafka": "\(Librdkafka.version)"])
        if cluster == nil {
            try await ensureTopics([TopicSpec(name: topics.deadLetters, partitions: 1)], kafka: kafkaConfig,
                                   createTimeout: .seconds(5), logger: logger)
        }

        var storeOptions = StoreOptions()
        storeOptions.syncWrites = sync
        let store: Store
        do { store = try IngestSchema.openStore(path: state, options: storeOptions) } catch {
            throw CleanExit.message("error: \(error)")
        }
        defer { store.close() }
        var options = IngestOptions()
        options.walksPerTouchedNode = walksPerNode
        options.walkRingCapacity = walkRing
        options.syncWrites = sync
        options.trackNewEdges = trackFreshness
        options.pipelinedCommits = true
        let processor = try IngestProcessor(store: store, config: config, options: options, logger: logger)
        let metricsServer = try await metrics.start(
            stream: processor, statusInterval: .seconds(statusSeconds),
            publishInterval: noTrain || noPublish || consumeOnly ? nil : config.publish.interval, logger: logger)

        var settings = KafkaIngestService.Settings(topic: topics.events, group: topics.group, deadLetterTopic: topics.deadLetters)
        settings.maxBatch = maxBatch
        settings.stopAtEnd = stopAtEnd
        settings.consumeOnly = consumeOnly
        settings.statusInterval = .seconds(statusSeconds)
        let history = consumeOnly ? nil : HistoryLog(stateDirectory: state)
        if let history {
            settings.onStatus = { status, rate, lag in history.append(HistoryRecord(ingest: status, eventsPerSecond: rate, lag: lag)) }
        }
        let service = KafkaIngestService(processor: processor, kafka: kafkaConfig, settings: settings, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)
        ]
        if !noTrain && !consumeOnly {
            let lastPublished = noPublish ? 0 : try await Publication.prepare(config: config, kafka: kafkaConfig, cluster: cluster, logger: logger)
            let trainer = try OnlineRuntime.trainer(
                config: config, pipelineHash: pipelineHash, processor: processor, state: state,
                threads: trainThreads ?? config.training.threads, firstVersion: lastPublished + 1, logger: logger)
            let sink = noPublish ? nil : try await Publication.sink(config: config, kafka: kafkaConfig, continuingAfter: trainer.nextVersion - 1, logger: logger)
            var evaluation: HoldoutEvaluation?
            if let evalEvents, let cut = try split.cut() {
                let (events, _) = try EventFileLoader(config: config, logger: logger).load(path: evalEvents)
                evaluation = HoldoutEvaluation(transitions: TemporalSplit(events: events, cut: cut, sessions: config.sessions).testTransitions)
            }
            services.append(.init(service: OnlineRuntime.trainingService(
                trainer: trainer, sink: sink, history: history, config: config, state: state,
                finalEpochs: finalEpochs ?? (stopAtEnd ? config.online.finalEpochs : 0), evaluation: evaluation, logger: logger)))
        }
        if let metricsServer { services.insert(.init(service: metricsServer), at: 0) }   // stops last
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        withExtendedLifetime(cluster) {}
    }
}

/// Topic and group names of a pipeline, with defaults when its `kafka:` section omits them.
struct StreamTopics {
    var events: String
    var group: String
    var deadLetters: String
    var partitions: Int

    init(config: PipelineConfig) {
        events = config.kafka?.topic ?? "\(config.name).events"
        group = config.kafka?.group ?? "m2grl-\(config.name)"
        deadLetters = config.kafka?.deadLetterTopic ?? "\(events).dead-letters"
        partitions = config.kafka?.partitions ?? 8
    }
}
