import Yams

extension PipelineConfig {
    /// `online:` — the continuous trainer inside `m2grl serve`.
    public struct Online: Sendable, Equatable {
        /// Walks per view per round: every walk added to the ring since the previous round
        /// (newest first, at most 4x this number), and, when those are fewer, walks drawn
        /// uniformly from the rest of the ring up to this number (`WalkSampler`).
        public var walksPerRound: Int
        /// Learning rate of the rounds (constant; nil: `training.learning_rate`).
        public var learningRate: Double?
        /// Epochs over fresh walks of the final graphs (drawn as offline) when a finite run (`--stop-at-end`) reaches the
        /// end of its input, with the learning rate decaying as offline (0: none).
        public var finalEpochs: Int
        /// Time between model checkpoints into the state directory (also on shutdown);
        /// `checkpoint_seconds` in the file, within ``ConfigLimits/intervalSeconds``.
        public var checkpointInterval: Duration
        /// After each round, the rows of nodes without new out-edges (no fresh walk started
        /// from them) since the last published version move back toward their published value by this fraction
        /// (`StabilityPull`; 0: off, 1: such rows stay as published), in ``ConfigLimits/stabilityPull``.
        public var stabilityPull: Double

        public init(walksPerRound: Int = 10_000, learningRate: Double? = nil, finalEpochs: Int = 0,
                    checkpointInterval: Duration = .seconds(60), stabilityPull: Double = 0) {
            self.walksPerRound = walksPerRound
            self.learningRate = learningRate
            self.finalEpochs = finalEpochs
            self.checkpointInterval = checkpointInterval
            self.stabilityPull = stabilityPull
        }
    }

    /// `ingest:` — the streaming ingester of `m2grl serve` and `m2grl replay`.
    public struct Ingest: Sendable, Equatable {
        /// Bytes of out-edge adjacency (weights and alias tables) held in memory across all
        /// views; the rest is read back from RocksDB when a batch or a walk reaches it.
        public var adjacencyCacheBytes: Int

        public init(adjacencyCacheBytes: Int = 1 << 30) {
            self.adjacencyCacheBytes = adjacencyCacheBytes
        }
    }

    /// `publish:` — embedding versions produced by `m2grl serve`.
    public struct Publish: Sendable, Equatable {
        /// Value encoding of published records.
        public enum Format: String, Sendable, Equatable, CaseIterable { case protobuf, json }

        /// Time between published versions (a version is published only when something
        /// was trained since the previous one); `interval_seconds` in the file, within
        /// ``ConfigLimits/intervalSeconds``.
        public var interval: Duration
        /// Every this many versions, a full snapshot instead of a delta (the first version
        /// of every run is a snapshot).
        public var snapshotEvery: Int
        public var format: Format
        /// Also wrap each version in a Kafka transaction (brokers that support them).
        public var transactions: Bool

        public init(interval: Duration = .seconds(5), snapshotEvery: Int = 20, format: Format = .protobuf,
                    transactions: Bool = false) {
            self.interval = interval
            self.snapshotEvery = snapshotEvery
            self.format = format
            self.transactions = transactions
        }
    }
}

extension PipelineConfigParser {
    func parseOnline(_ node: Node?) throws -> PipelineConfig.Online {
        let r = try YAMLMappingReader(
            node, source: source, path: "online",
            allowedKeys: ["walks_per_round", "learning_rate", "final_epochs", "checkpoint_seconds", "stability_pull"])
        var o = PipelineConfig.Online()
        if let n = try r.int("walks_per_round", in: ConfigLimits.walksPerRound) { o.walksPerRound = n }
        if let lr = try r.learningRate("learning_rate") { o.learningRate = lr }
        if let e = try r.int("final_epochs", in: 0...ConfigLimits.epochs.upperBound) { o.finalEpochs = e }
        if let s = try r.double("checkpoint_seconds", in: ConfigLimits.intervalSeconds) { o.checkpointInterval = .seconds(s) }
        if let p = try r.double("stability_pull", in: ConfigLimits.stabilityPull) { o.stabilityPull = p }
        return o
    }

    func parseIngest(_ node: Node?) throws -> PipelineConfig.Ingest {
        let r = try YAMLMappingReader(node, source: source, path: "ingest", allowedKeys: ["adjacency_cache_mb"])
        var i = PipelineConfig.Ingest()
        if let mb = try r.double("adjacency_cache_mb") {
            if !(mb > 0 && mb <= 1e9) { throw r.error("adjacency_cache_mb", "must be a size in MiB, > 0, got \(mb)") }
            i.adjacencyCacheBytes = Int(mb * 1_048_576)
        }
        return i
    }

    func parsePublish(_ node: Node?) throws -> PipelineConfig.Publish {
        let r = try YAMLMappingReader(
            node, source: source, path: "publish", allowedKeys: ["interval_seconds", "snapshot_every", "format", "transactions"])
        var p = PipelineConfig.Publish()
        if let s = try r.double("interval_seconds", in: ConfigLimits.intervalSeconds) { p.interval = .seconds(s) }
        if let n = try r.int("snapshot_every") {
            try r.positive("snapshot_every", n)
            p.snapshotEvery = n
        }
        if let f = try r.enumValue("format", PipelineConfig.Publish.Format.self) { p.format = f }
        if let t = try r.bool("transactions") { p.transactions = t }
        return p
    }
}
