import Logging

/// The offline path: events + pipeline -> sessions -> view graphs -> walks -> ``TrainingData``.
/// Built on the same incremental ``SessionCutter`` and ``GraphBuilder`` the streaming
/// ingester uses.
public struct TrainingDataBuilder: Sendable {
    /// Graphs and counters from the graph-building stage.
    public struct Graphs: Sendable {
        public var builder: GraphBuilder
        public var sessions: SessionCutter.Statistics

        public init(builder: GraphBuilder, sessions: SessionCutter.Statistics) {
            self.builder = builder
            self.sessions = sessions
        }
    }

    public let config: PipelineConfig
    public let logger: Logger

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
