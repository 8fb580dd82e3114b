import Logging

/// The offline path: events + pipeline -> sessions -> view graphs -> walks -> ``TrainingData``.
/// Built on the same incremental ``SessionCutter`` and ``GraphBuilder`` the streaming
/// ingester uses.
public struct TrainingDataBuilder: Sendable {
    /// Graphs and counters from the graph-building stage.
    public struct Graphs: Sendable {
        public var builder: GraphBuilder
        public var sessions: SessionCutter.Statistics
    }

    public let config: PipelineConfig
    private let logger: Logger

    public init(config: PipelineConfig, logger: Logger = Logger(label: "m2grl.data")) {
        self.config = config
        self.logger = logger
    }

    /// Sessions (batch cut: time-sorted, bots removed) applied to fresh graphs.
    public func buildGraphs(events: [Event]) -> Graphs {
        let (sessions, statistics) = SessionCutter.cut(events, config: config.sessions)
        var builder = GraphBuilder(config: config)
        builder.apply(sessions)
        logger.info(
            "built view graphs",
            metadata: [
                "events": "\(events.count)", "sessions": "\(statistics.sessionsEmitted)",
                "views": "\(builder.views.map { "\($0.name):\($0.vocabulary.count)n/\($0.graph.edgeCount)e" })",
            ])
        return Graphs(builder: builder, sessions: statistics)
    }

    /// The full offline build from events in memory.
    public func build(events: [Event]) -> TrainingData {
        Self.trainingData(graphs: buildGraphs(events: events).builder, config: config)
    }

    /// The full offline build from an event file in the pipeline's format (see
    /// ``buildGraphs(eventFile:)``).
    public func build(eventFile path: String) throws -> (data: TrainingData, report: EventLoadReport) {
        let (graphs, report) = try buildGraphs(eventFile: path)
        return (Self.trainingData(graphs: graphs.builder, config: config), report)
    }

    /// Graphs from an event file, identical to ``buildGraphs(events:)`` on its events. A file
    /// in non-decreasing time order is streamed straight through the incremental cutter
    /// (events never sit in memory; with `max_events_per_user` a first pass counts events
    /// per user); any other file is loaded into memory and sorted.
    public func buildGraphs(eventFile path: String) throws -> (graphs: Graphs, report: EventLoadReport) {
        let loader = EventFileLoader(config: config, logger: logger)
        var cutter = SessionCutter(config: config.sessions)
        if let limit = config.sessions.maxEventsPerUser {
            var quiet = logger
            quiet.logLevel = .error
            var counts: [String: Int] = [:]
            try EventFileLoader(config: config, logger: quiet).forEachEvent(path: path) { counts[$0.user, default: 0] += 1 }
            cutter.markOverActive(counts.filter { $0.value > limit }.keys.sorted())
        }
        struct NotTimeSorted: Error {}
        var builder = GraphBuilder(config: config)
        var latest = Int64.min
        do {
            let report = try loader.forEachEvent(path: path) { event in
                if event.timestampMillis < latest { throw NotTimeSorted() }
                latest = event.timestampMillis
                if let session = cutter.add(event) { builder.apply(session) }
            }
            builder.apply(cutter.finish())
            logger.info(
                "built view graphs from a time-sorted file, streaming",
                metadata: [
                    "events": "\(report.eventsAccepted)", "sessions": "\(cutter.statistics.sessionsEmitted)",
                    "views": "\(builder.views.map { "\($0.name):\($0.vocabulary.count)n/\($0.graph.edgeCount)e" })",
                ])
            return (Graphs(builder: builder, sessions: cutter.statistics), report)
        } catch is NotTimeSorted {
            logger.info("event file is not sorted by time; loading it into memory", metadata: ["path": "\(path)"])
            let (events, report) = try loader.load(path: path)
            return (buildGraphs(events: events), report)
        }
    }

    /// Walks every view of `graphs` (seed per view derived from `walks.seed`) and collects
    /// the configured alignments.
    public static func trainingData(graphs: GraphBuilder, config: PipelineConfig) -> TrainingData {
        let views = graphs.views.enumerated().map { index, view in
            let generator = WalkGenerator(graph: view.graph)
            var corpus = generator.generate(
                perNode: config.walks.perNode, length: config.walks.length,
                seed: walkSeed(config.walks.seed, view: index))
            corpus.nodeCount = view.vocabulary.count
            return ViewTrainingData(name: view.name, nodeNames: view.vocabulary.names, corpus: corpus)
        }
        let alignments = config.alignments.compactMap { graphs.alignmentPairs(to: $0.to) }
        return TrainingData(views: views, alignments: alignments)
    }

    /// The walk seed of view `view` for pipeline seed `seed`.
    public static func walkSeed(_ seed: UInt64, view: Int) -> UInt64 {
        SplitMix64.mix(seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(view + 1))
    }
}
