import ArgumentParser
import Foundation
import Kafka
import Logging
import Model
import ServiceLifecycle
import Store
import Streaming

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild sessions, graphs, walk buffers and embeddings from an event log (a topic or a file), in batch mode.",
        discussion: """
            The same pipeline as serve (same ingest processor, trainer and publisher) in batch mode: batches are cut by event counts per partition (never by fetch timing) and training rounds run in lockstep after them, so with --train-threads 1 two replays of one log give byte-identical graph state and identical embeddings (compare with m2grl status --state DIR --digest). The replay consumes with its own group id and commits nothing: the live group's offsets never move. Killed and restarted with the same arguments, it resumes from the offsets stored in the state directory.

            --from time: uses offsets-for-times where the broker answers it, otherwise reads from the earliest offset and skips events before the time (by event time); the log says which. Invalid events are counted and skipped, not dead-lettered again.

            With --then serve, the replay continues as the live service (the pipeline's consumer group) at exactly the offsets it reached: no gap, no duplicate.

            Examples:
              m2grl replay --pipeline p.yaml --brokers localhost:9092 --state state-new/
              m2grl replay --pipeline p.yaml --brokers localhost:9092 --state s/ --from time:2024-05-01T00:00:00Z --until time:2024-06-01T00:00:00Z
              m2grl replay --pipeline p.yaml --brokers localhost:9092 --state s/ --then serve --publish every
              m2grl replay --pipeline p.yaml --events events.jsonl --state s/ --publish none
            """
    )

    @OptionGroup var pipelineOptions: PipelineOptions
    @OptionGroup var kafka: KafkaOptions

    @Option(name: .long, help: "Replay this events file instead of a topic (no Kafka needed unless publishing).")
    var events: String?

    @Option(name: .long, help: "New state directory (RocksDB); an existing one resumes an interrupted replay.")
    var state: String

    @Option(name: .long, help: "Where to start: earliest, offsets:FILE (JSON {\"<partition>\": <offset>}) or time:ISO8601.")
    var from: String = "earliest"

    @Option(name: .long, help: "Where to stop: end (the high watermarks at start) or time:ISO8601.")
    var until: String = "end"

    @Option(name: .long, help: "After the replay: 'serve' continues as the live service; default: exit.")
    var then: String?

    @Option(name: .long, help: "Publication: none, final (one version at the end) or every (after every training round). Default: final with --brokers, none for a file without --brokers.")
    var publish: String?

    @Option(name: .long, help: "Events per partition per batch.")
    var batchEvents: Int = 5_000

    @Option(name: .long, help: "A training round after every N batches (0: only the final training). On MovieLens 100K, 1 over-trains on the rings (docs/results.md).")
    var trainEvery: Int = 4

    @OptionGroup(title: "Walks and training")
    var online: OnlineOptions

    @Option(name: .long, help: "Consumer group id of the replay (default: m2grl-<pipeline>-replay); it commits nothing.")
    var group: String?

    @OptionGroup var metrics: MetricsOptions

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if events == nil && kafka.brokers == nil { throw ValidationError("--brokers or --events: give the log to replay") }
        if events != nil && then != nil { throw ValidationError("--then serve: needs a topic (--brokers), not --events") }
        if let then, then != "serve" { throw ValidationError("--then: only 'serve' is supported, got '\(then)'") }
        if let publish, ReplayPlan.Publish(rawValue: publish) == nil { throw ValidationError("--publish: one of none, final, every (got '\(publish)')") }
        try requireRange(batchEvents, CommandLineLimits.batchEvents, option: "--batch-events")
        try requireRange(trainEvery, CommandLineLimits.trainEvery, option: "--train-every")
        do {
            _ = try ReplayPlan.parseStart(from)
            _ = try ReplayPlan.parseEnd(until)
        } catch { throw ValidationError("\(error)") }
    }

    func run() async throws {
        let logger = try global.bootstrapLogging()
        let (loaded, pipelineHash) = try pipelineOptions.load()
        guard let config = loaded else { throw ValidationError("--pipeline: missing") }
        let noTrain = online.noTrain
        var plan = ReplayPlan()
        plan.start = try ReplayPlan.parseStart(from)
        plan.end = try ReplayPlan.parseEnd(until)
        plan.eventsPerPartition = batchEvents
        plan.trainEveryBatches = noTrain ? 0 : trainEvery
        plan.finalEpochs = noTrain ? 0 : (online.finalEpochs ?? config.training.epochs)
        plan.publish = noTrain ? .none : publish.flatMap(ReplayPlan.Publish.init(rawValue:)) ?? (kafka.brokers == nil ? .none : .final)
        if plan.publish != .none && kafka.brokers == nil {
            throw ValidationError("--publish \(plan.publish.rawValue): publishing needs --brokers (or use --publish none)")
        }
        if let events, !FileManager.default.fileExists(atPath: events) { throw ValidationError("--events: no such file '\(events)'") }

        var setup = ReplaySetup(config: config, pipelineHash: pipelineHash, stateDirectory: state)
        setup.kafka = kafka.brokers == nil ? nil : try kafka.configuration()
        setup.eventsFile = events
        setup.plan = plan
        setup.ingest = online.ingestOptions()
        setup.trains = !noTrain
        setup.trainThreads = online.trainThreads ?? 1
        setup.group = group
        let publishInterval = plan.publish == .none ? nil : config.publish.interval
        let metrics = self.metrics
        if metrics.metricsAddress != nil {
            // Not ready while replaying; with --then serve, ready by serve's rules once live.
            setup.metrics = { processor in
                try await metrics.start(stream: processor, statusInterval: KafkaIngestService.Settings.defaultStatusInterval,
                                        publishInterval: publishInterval, replaying: true, logger: logger)
            }
        }
        let runtime: ReplayRuntime
        do { runtime = try await ReplayRuntime.make(setup, logger: logger) } catch let error as ServeSetupError {
            throw CleanExit.message("error: \(error)")
        }
        defer { runtime.close() }
        let (s, report) = try await runtime.run()
        if let report, report.malformedCount > 0 { printErr(report.description) }
        let status = runtime.processor.status
        print("replayed \(s.events) events in \(s.batches) batches, \(String(format: "%.1f", s.seconds)) s (\(formatRate(Double(s.events) / max(s.seconds, 1e-9)))/s); invalid \(s.invalid), skipped before start \(s.skippedBeforeStart); training rounds \(s.trainingRounds); last published version \(s.lastPublishedVersion == 0 ? "none" : String(s.lastPublishedVersion))")
        print(status.views.map { "  \($0.name): \($0.nodes) nodes, \($0.edges) edges, \($0.walksInRing) walks in ring" }.joined(separator: "\n"))

        guard then == "serve", setup.kafka != nil else {
            await runtime.closeMetrics()
            return
        }
        logger.notice("switching to live mode (group \(StreamTopics(config: config).group)) at the replayed offsets")
        try await runtime.continueLive()
    }
}
