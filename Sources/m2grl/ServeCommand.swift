import ArgumentParser
import Foundation
import Kafka
import Logging
import Model
import ModelFiles
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

    @OptionGroup(title: "Walks and training")
    var online: OnlineOptions

    @Flag(name: .long, help: "fsync every batch (also survives power loss, slower).")
    var sync = false

    @Flag(name: .long, help: "Exit once every assigned partition is consumed to its end (catch-up run).")
    var stopAtEnd = false

    @Flag(name: .long, help: "Benchmark ceiling: consume and decode only; apply and store nothing.")
    var consumeOnly = false

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

    @OptionGroup(title: "Scale-out (docs/scale-out.md)")
    var scaleOut: ScaleOutOptions

    @OptionGroup var metrics: MetricsOptions

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if embedded && kafka.brokers != nil { throw ValidationError("--embedded and --brokers: give one, not both") }
        if !embedded && kafka.brokers == nil { throw ValidationError("--brokers: missing (or use --embedded)") }
        try requireRange(maxBatch, CommandLineLimits.maxBatch, option: "--max-batch")
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
            cluster = c
            bootstrap = c.bootstrapServers
            FileHandle.standardOutput.write(Data("embedded broker: \(c.bootstrapServers) (topic \(topics.events), \(topics.partitions) partitions)\n".utf8))
        }
        let kafkaConfig = try kafka.configuration(bootstrap: bootstrap)
        logger.info("kafka", metadata: ["config": "\(kafkaConfig)", "librdkafka": "\(Librdkafka.version)"])

        var setup = ServeSetup(config: config, pipelineHash: pipelineHash, stateDirectory: state, kafka: kafkaConfig)
        setup.embedded = cluster
        setup.ingest = online.ingestOptions()
        setup.ingest.syncWrites = sync
        setup.ingest.trackNewEdges = trackFreshness
        setup.maxBatch = maxBatch
        setup.stopAtEnd = stopAtEnd
        setup.consumeOnly = consumeOnly
        setup.statusInterval = .seconds(statusSeconds)
        setup.handlesSignals = true
        setup.scaleOut = scaleOut.settings()
        let metrics = self.metrics
        if metrics.metricsAddress != nil {
            let publishInterval = online.noTrain || noPublish || consumeOnly ? nil : config.publish.interval
            let statusInterval = Duration.seconds(statusSeconds)
            setup.metrics = { processor in
                try await metrics.start(stream: processor, statusInterval: statusInterval, publishInterval: publishInterval, logger: logger)
            }
        }
        if online.noTrain {
            setup.training = nil
        } else {
            var training = ServeSetup.Training()
            training.threads = online.trainThreads
            training.finalEpochs = online.finalEpochs
            training.publish = !noPublish
            if let evalEvents, let cut = try split.cut() {
                let (events, _) = try EventFileLoader(config: config, logger: logger).load(path: evalEvents)
                training.evaluation = HoldoutEvaluation(transitions: TemporalSplit(events: events, cut: cut, sessions: config.sessions).testTransitions)
            }
            setup.training = training
        }
        let runtime: ServeRuntime
        do { runtime = try await ServeRuntime.make(setup, logger: logger) } catch let error as ServeSetupError {
            throw CleanExit.message("error: \(error)")
        } catch ScaleOutError.refused(let reason) {
            // The instance does not fit the deployment: a configuration error (exit 64).
            printErr("error: \(reason)")
            throw ExitCode(64)
        }
        defer { runtime.close() }
        try await runtime.run()
        withExtendedLifetime(cluster) {}
    }
}

/// The pipeline's input topic names (`produce` uses them too).
typealias StreamTopics = Streaming.StreamTopics
