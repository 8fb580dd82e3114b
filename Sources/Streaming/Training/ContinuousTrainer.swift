import Foundation
import Kafka
import Logging
import Model

/// The streaming half of training: rounds of the offline trainer's loss and fast path
/// (`Trainer.update`) over walks drawn from the ingest walk rings (`WalkSampler`), on one
/// set of `ModelParameters` that grows with the vocabularies, and the versions to publish
/// from it (`makeVersion`: rows changed since the previous version, or all rows).
///
/// An actor on a serial `BlockingExecutor` of its own: every method runs on that queue, one
/// at a time, off the cooperative pool (a round trains for seconds), and no state is read
/// from anywhere else. Inside a method the training loops run without locks. Ingestion is
/// only touched through `IngestProcessor.trainingFeed` (a short copy under its lock) and
/// RocksDB reads of walk blocks, so ingestion never waits for training.
public actor ContinuousTrainer {
    public struct Settings: Sendable {
        /// Walks per view per round (`online.walks_per_round`).
        public var walksPerRound: Int
        /// Constant learning rate of the rounds.
        public var learningRate: Float
        public var threads: Int
        /// A full snapshot every this many versions (the first version is always one).
        public var snapshotEvery: Int
        /// New item rows start at the mean of their attributes' vectors (see `coldStart`).
        public var coldStartFromAttributes: Bool = true
        /// Fingerprint of the pipeline file, carried by every version.
        public var pipelineHash: String = ""

        public init(walksPerRound: Int, learningRate: Float, threads: Int, snapshotEvery: Int) {
            self.walksPerRound = walksPerRound
            self.learningRate = learningRate
            self.threads = threads
            self.snapshotEvery = snapshotEvery
        }
    }

    /// What one round did.
    public struct RoundReport: Sendable {
        public var tokens: Int
        public var freshWalks: Int
        public var rehearsedWalks: Int
        public var seconds: Double
        public var tasks: TaskReport
    }

    public nonisolated let processor: IngestProcessor
    public nonisolated let pipeline: PipelineConfig
    public nonisolated let settings: Settings
    public nonisolated let parameters: ModelParameters
    /// The number of this run's first version (`firstVersion`, or the one after the restored
    /// checkpoint's); the newest version published before the run is the one before it.
    public nonisolated let firstVersion: UInt64
    let baseConfig: TrainerConfig
    let logger: Logger
    private nonisolated let executor = BlockingExecutor(serial: "m2grl.trainer")

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Node names per view (ids `0..<names[v].count`).
    private(set) var names: [[String]]
    /// Per view, ring sequence number up to which walks were already trained as fresh.
    private var seen: [UInt64]
    private var rng: Xoshiro256StarStar
    private var lastFeed: TrainingFeed?
    /// Something was trained since the last `makeVersion`.
    public private(set) var dirty = false
    public private(set) var rounds: UInt64
    /// Walk blocks that could not be decoded (left out of their rounds).
    public private(set) var unreadableBlocks = 0
    public private(set) var tokensTrained: UInt64

    // Freshness probes: new item edges (event time per source node) trained but not yet in
    // a version, and per version made the event times it carries.
    private var itemIds: [String: UInt32] = [:]
    private var probes: [UInt32: [Int64]] = [:]
    private var versionProbes: [UInt64: [Int64]] = [:]

    // Publication state, per view: the input rows of the last published version (and, for
    // `training.embedding: input_plus_context` with a stability pull, its context rows: a
    // row is carried again when either table moved), or for input plus context without a
    // pull the published sums (one copy of the table either way unless both are set).
    private var published: [[Float]]
    private var publishedContext: [[Float]]
    /// Per view and row, whether a fresh walk started from the node (it had new out-edges)
    /// since the last version; kept only with a stability pull (`online.stability_pull`).
    private var changedSinceVersion: [[Bool]]
    /// The number the next version gets.
    public private(set) var nextVersion: UInt64
    private var lastSnapshot: UInt64 = 0
    /// Watermark and offsets of the newest trained data.
    public private(set) var eventTimeWatermarkMs: Int64
    public private(set) var inputOffsets: [TopicPartition: Int64]

    public init(processor: IngestProcessor, settings: Settings, firstVersion: UInt64,
                restoring checkpoint: ModelCheckpoint.Loaded? = nil,
                logger: Logger = Logger(label: "m2grl.trainer.online")) throws {
        self.processor = processor
        self.pipeline = processor.config
        self.settings = settings
        self.logger = logger
        var config = TrainerConfig(pipeline: pipeline.training)
        config.epochs = 1
        config.threads = max(1, settings.threads)
        config.learningRate = settings.learningRate
        config.minLearningRate = settings.learningRate
        config.progressInterval = .infinity
        self.baseConfig = config
        let viewCount = pipeline.viewNames.count
        let parameters = ModelParameters(dim: config.dim, seed: config.seed)
        self.parameters = parameters
        self.seen = Array(repeating: 0, count: viewCount)
        self.published = Array(repeating: [], count: viewCount)
        self.publishedContext = Array(repeating: [], count: viewCount)
        self.changedSinceVersion = Array(repeating: [], count: viewCount)
        self.rng = Xoshiro256StarStar(seed: config.seed ^ 0x0411_17E5)
        var restored: Restored?
        if let checkpoint {
            restored = try Self.restore(checkpoint, into: parameters, processor: processor, pipeline: processor.config, logger: logger)
        }
        self.names = restored?.names ?? Array(repeating: [], count: viewCount)
        self.rounds = restored?.rounds ?? 0
        self.tokensTrained = restored?.tokensTrained ?? 0
        self.eventTimeWatermarkMs = restored?.eventTimeWatermarkMs ?? 0
        self.inputOffsets = restored?.inputOffsets ?? [:]
        // Validated on restore: the published version is at most Int64.max.
        let first = max(1, firstVersion, restored.map { $0.publishedVersion + 1 } ?? 0)
        self.nextVersion = first
        self.firstVersion = first
    }

    /// Runs `body` on the trainer's queue with no other call in between (several steps as one).
    public func exclusively<T: Sendable>(_ body: @Sendable (isolated ContinuousTrainer) throws -> T) rethrows -> T {
        try body(self)
    }

    // MARK: Rounds

    /// Trains one round if there are fresh walks; nil when there is nothing new (found
    /// without copying the feed, so idle polls are cheap).
    public func round() throws -> RoundReport? {
        guard zip(processor.walkPositions, seen).contains(where: { $0 > $1 }) else { return nil }
        let feed = try refresh()
        let fresh = zip(feed.walkNext, seen).contains { $0 > $1 }
        guard fresh else { return nil }
        let sampler = WalkSampler(budget: settings.walksPerRound)
        var corpora: [WalkCorpus] = []
        var freshWalks = 0, rehearsed = 0
        for v in feed.viewNames.indices {
            let nodeCount = names[v].count
            let fresh = sampler.freshBlocks(feed.ringBlocks[v], seen: seen[v]).compactMap { readBlock(view: v, start: $0.start, feed: feed) }
            var corpus = sampler.selectFresh(fresh, nodeCount: nodeCount)
            freshWalks += corpus.walkCount
            markFreshStarts(view: v, corpus: corpus, walks: 0..<corpus.walkCount)
            let picks = sampler.pickRehearsal(blocks: feed.ringBlocks[v], seen: seen[v],
                                              walks: max(0, settings.walksPerRound - corpus.walkCount), using: &rng)
            for pick in picks {
                guard let block = readBlock(view: v, start: pick.block.start, feed: feed) else { continue }
                let before = corpus.walkCount
                block.appendSuffix(walks: pick.walks, to: &corpus)
                rehearsed += corpus.walkCount - before
            }
            corpora.append(corpus)
            seen[v] = feed.walkNext[v]
        }
        let report = try train(corpora: corpora, feed: feed, config: baseConfig, fresh: freshWalks, rehearsed: rehearsed)
        pullUnchangedRows()
        return report
    }

    // MARK: Stability pull

    private var stabilityPull: Float { Float(pipeline.online.stabilityPull) }

    /// Marks the start nodes of fresh walks: ingestion starts them from the nodes whose
    /// out-edges a batch changed, i.e. the nodes with new transitions from them.
    private func markFreshStarts(view v: Int, corpus: WalkCorpus, walks: Range<Int>) {
        guard stabilityPull > 0 else { return }
        if changedSinceVersion[v].count < names[v].count {
            changedSinceVersion[v] += [Bool](repeating: false, count: names[v].count - changedSinceVersion[v].count)
        }
        for w in walks where corpus.walkEnds[w] > corpus.walkStart(w) {
            let start = Int(corpus.tokens[corpus.walkStart(w)])
            if start < changedSinceVersion[v].count { changedSinceVersion[v][start] = true }
        }
    }

    /// `online.stability_pull`: rows of nodes without new out-edges since the last version
    /// move back toward their published values (`StabilityPull`). Fresh walks from changed
    /// nodes pass through many others, rounds rehearse old walks, and alignments reach items
    /// too, so without it every round moves nodes that had no new events (docs/results.md,
    /// "Stability of consecutive versions").
    private func pullUnchangedRows() {
        guard stabilityPull > 0 else { return }
        for (v, name) in pipeline.viewNames.enumerated() where !published[v].isEmpty {
            guard let p = parameters.viewIndex(named: name) else { continue }
            StabilityPull.apply(strength: stabilityPull, to: parameters.views[p].input, anchor: published[v],
                                keep: changedSinceVersion[v])
            if baseConfig.embedding == .inputPlusContext {
                StabilityPull.apply(strength: stabilityPull, to: parameters.views[p].context, anchor: publishedContext[v],
                                    keep: changedSinceVersion[v])
            }
        }
    }

    /// One ring block's walks; nil when it was evicted meanwhile or cannot be decoded (a
    /// corrupt block is left out, logged and counted; the round goes on).
    private func readBlock(view v: Int, start: UInt64, feed: TrainingFeed) -> WalkCorpus? {
        do {
            return try processor.walkBlock(view: v, start: start, nodeCount: names[v].count)
        } catch {
            unreadableBlocks += 1
            logger.warning("skipping an unreadable walk block", metadata: [
                "view": "\(feed.viewNames[v])", "start": "\(start)", "error": "\(error)",
            ])
            return nil
        }
    }

    /// The end of a finite run (`serve --stop-at-end`, replay): `epochs` passes, with the
    /// offline learning-rate schedule (`training.learning_rate` decaying to
    /// `min_learning_rate`), over walks drawn afresh from the current graphs exactly as the
    /// offline trainer draws them (`walks.per_node` per node). The rings over-represent nodes
    /// touched by many batches; these walks do not, so the final model matches an offline
    /// run on the same events.
    public func finalTraining(epochs: Int) throws -> RoundReport? {
        guard epochs > 0 else { return nil }
        let feed = try refresh()
        for v in feed.viewNames.indices { seen[v] = feed.walkNext[v] }
        let data = TrainingDataBuilder.trainingData(graphs: try processor.graphs, config: pipeline)
        var config = TrainerConfig(pipeline: pipeline.training)
        config.epochs = epochs
        config.threads = baseConfig.threads
        config.progressInterval = .infinity
        let corpora = feed.viewNames.indices.map { v in
            v < data.views.count && data.views[v].nodeNames.count <= names[v].count ? data.views[v].corpus : WalkCorpus(nodeCount: names[v].count)
        }
        let walks = corpora.reduce(0) { $0 + $1.walkCount }
        return try train(corpora: corpora, feed: feed, config: config, fresh: 0, rehearsed: walks, allPairs: true)
    }

    private func refresh() throws -> TrainingFeed {
        let feed = try processor.trainingFeed(knownRows: names.map(\.count))
        for v in feed.newNodeNames.indices { names[v] += feed.newNodeNames[v] }
        lastFeed = feed
        if !feed.newEdges.isEmpty {
            while itemIds.count < names[0].count { itemIds[names[0][itemIds.count]] = UInt32(itemIds.count) }
            for edge in feed.newEdges {
                if let id = itemIds[edge.from] { probes[id, default: []].append(edge.eventTimeMs) }
            }
        }
        return feed
    }

    private func train(corpora: [WalkCorpus], feed: TrainingFeed, config: TrainerConfig,
                       fresh: Int, rehearsed: Int, allPairs: Bool = false) throws -> RoundReport {
        let start = ContinuousClock.now
        // Alignment pairs of the items in this round's item walks (all pairs every round
        // would make the alignment task cost O(items) however little changed).
        var present = [Bool](repeating: false, count: names[0].count)
        if !allPairs { for t in corpora[0].tokens where Int(t) < present.count { present[Int(t)] = true } }
        let alignments = feed.alignments.map { pairs -> AlignmentPairs in
            if allPairs { return pairs }
            var kept = AlignmentPairs(sourceView: pairs.sourceView, targetView: pairs.targetView)
            for k in 0..<pairs.count where Int(pairs.source[k]) < present.count && present[Int(pairs.source[k])] {
                kept.source.append(pairs.source[k])
                kept.target.append(pairs.target[k])
            }
            return kept
        }
        let data = TrainingData(
            views: feed.viewNames.indices.map { v in
                ViewTrainingData(name: feed.viewNames[v], nodeNames: names[v], corpus: corpora[v])
            },
            alignments: alignments)
        let itemRowsBefore = parameters.viewIndex(named: feed.viewNames[0]).map { parameters.views[$0].input.rows } ?? 0
        parameters.prepare(for: data)
        if settings.coldStartFromAttributes { coldStart(items: itemRowsBefore..<names[0].count, alignments: feed.alignments) }
        let (tasks, stats) = try Trainer(config: config, logger: logger).update(parameters, on: data)
        rounds += 1
        tokensTrained += UInt64(stats.tokens)
        dirty = true
        eventTimeWatermarkMs = max(eventTimeWatermarkMs, feed.eventTimeWatermarkMs)
        for (tp, offset) in feed.offsets { inputOffsets[tp] = offset }
        return RoundReport(tokens: stats.tokens, freshWalks: fresh, rehearsedWalks: rehearsed,
                           seconds: (ContinuousClock.now - start).seconds, tasks: tasks)
    }

    /// New item rows whose item has attributes in aligned views start at the mean of the
    /// input vectors of all those attribute nodes, over every aligned view and every value
    /// (plus their own small random init). What this guarantees: with one aligned view and
    /// the identity activation, `W` is linear, so the item's image `e W` is the mean of its
    /// values' images, for any `W` (with one value: their images coincide). With two or more
    /// aligned views it is a heuristic only: each alignment has its own `W_v`, and the mean
    /// over the views' vectors, mapped by one view's `W_v`, is not that view's attribute
    /// image (the other views' vectors, from other tables, enter it too); with the sigmoid
    /// activation the equality is approximate even for one view. Either way a cold item
    /// starts near its attributes rather than at random, before it has transitions of its own.
    private func coldStart(items: Range<Int>, alignments: [AlignmentPairs]) {
        guard !items.isEmpty, let itemIndex = parameters.viewIndex(named: pipeline.viewNames[0]) else { return }
        let dim = parameters.dim
        let table = parameters.views[itemIndex].input
        var sums = [Float](repeating: 0, count: items.count * dim)
        var counts = [Int](repeating: 0, count: items.count)
        for pairs in alignments {
            guard let a = parameters.viewIndex(named: pairs.targetView) else { continue }
            let attrTable = parameters.views[a].input
            for k in 0..<pairs.count where items.contains(Int(pairs.source[k])) && Int(pairs.target[k]) < attrTable.rows {
                let i = Int(pairs.source[k]) - items.lowerBound
                let row = attrTable.rowPointer(Int(pairs.target[k]))
                for d in 0..<dim { sums[i * dim + d] += row[d] }
                counts[i] += 1
            }
        }
        for (i, n) in counts.enumerated() where n > 0 {
            let row = table.rowPointer(items.lowerBound + i)
            for d in 0..<dim { row[d] += sums[i * dim + d] / Float(n) }
        }
    }

    // MARK: Versions

    /// The next version if something was trained since the previous one: a snapshot when
    /// it is the run's first, or every `snapshotEvery` versions; else the rows whose values
    /// differ (bitwise) from the previous version, new rows included.
    public func makeVersion() -> EmbeddingVersion? {
        guard dirty else { return nil }
        guard nextVersion <= VersionManifest.maxVersion else {
            logger.error("version numbers are exhausted (the next would be \(nextVersion)); publish to a new versions topic")
            return nil
        }
        let version = nextVersion
        let snapshot = lastSnapshot == 0 || version - lastSnapshot >= UInt64(max(1, settings.snapshotEvery))
        let dim = parameters.dim
        var views: [EmbeddingVersion.ViewRows] = []
        for (v, name) in pipeline.viewNames.enumerated() {
            guard let p = parameters.viewIndex(named: name) else {
                views.append(.init(name: name, totalRows: 0))
                continue
            }
            let table = parameters.views[p].input, contextTable = parameters.views[p].context
            let rows = min(table.rows, names[v].count)
            let input = UnsafeBufferPointer(start: table.rowPointer(0), count: rows * dim)
            let context = UnsafeBufferPointer(start: contextTable.rowPointer(0), count: min(contextTable.rows, rows) * dim)
            // What was published is remembered as the input rows (input vectors), as the
            // input and context rows (input plus context with a stability pull, which needs
            // both as anchors), or as the published sums (input plus context, no pull).
            let vectors = baseConfig.embedding
            let anchors = vectors == .input || stabilityPull > 0
            let current = anchors ? input : nil
            let sums = anchors ? [] : vectors.combine(input: input, context: context)
            var out = EmbeddingVersion.ViewRows(name: name, totalRows: rows)
            let old = published[v], oldContext = publishedContext[v]
            let oldRows = old.count / dim
            for r in 0..<rows {
                let changed = snapshot || r >= oldRows
                    || (anchors
                        ? !Self.sameRow(old, input, row: r, dim: dim)
                            || (vectors == .inputPlusContext && !Self.sameRow(oldContext, context, row: r, dim: dim))
                        : !sums.withUnsafeBufferPointer { Self.sameRow(old, $0, row: r, dim: dim) })
                guard changed else { continue }
                out.ids.append(UInt32(r))
                out.names.append(names[v][r])
                let row = (r * dim)..<((r + 1) * dim)
                if anchors {
                    out.values.append(contentsOf: input[row])
                    if vectors == .inputPlusContext {
                        let contextRow = UnsafeBufferPointer(rebasing: context[row.clamped(to: 0..<context.count)])
                        let start = out.values.count - dim
                        out.values.withUnsafeMutableBufferPointer {
                            EmbeddingVectors.add(contextRow, into: UnsafeMutableBufferPointer(rebasing: $0[start...]))
                        }
                    }
                } else {
                    out.values.append(contentsOf: sums[row])
                }
            }
            if let current {
                published[v] = Array(current)
                publishedContext[v] = vectors == .inputPlusContext ? Array(context) : []
            } else {
                published[v] = sums
            }
            changedSinceVersion[v] = []
            views.append(out)
        }
        if !probes.isEmpty, let itemRows = views.first {
            var carried: [Int64] = []
            for id in itemRows.ids { if let times = probes.removeValue(forKey: id) { carried += times } }
            if !carried.isEmpty { versionProbes[version] = carried }
        }
        let alignments = parameters.alignments.map {
            TrainedAlignment(sourceView: $0.sourceView, targetView: $0.targetView,
                             activation: baseConfig.alignActivation, matrix: $0.matrix.matrixCopy())
        }
        dirty = false
        nextVersion += 1
        if snapshot { lastSnapshot = version }
        return EmbeddingVersion(
            version: version, kind: snapshot ? .snapshot : .delta, baseSnapshotVersion: lastSnapshot, dim: dim,
            views: views, alignments: alignments, taskLogVariances: parameters.logVariances,
            eventTimeWatermarkMs: eventTimeWatermarkMs, inputOffsets: inputOffsets, pipelineHash: settings.pipelineHash)
    }

    /// The event times of the new edges whose source rows version `number` carries (first
    /// version after their training); forgotten once taken. Freshness of an edge = the time
    /// its version became complete minus its event time.
    public func takeProbeTimes(version number: UInt64) -> [Int64] {
        versionProbes.removeValue(forKey: number) ?? []
    }

    /// After a version failed to publish: its number is used again, for a full snapshot
    /// (readers never complete the failed attempt, and later deltas need a complete base).
    public func rollBackFailedVersion() {
        guard nextVersion > 1 else { return }
        nextVersion -= 1
        lastSnapshot = 0
        dirty = true
    }

    /// The item view's node names and vectors as they would be published (a copy), for
    /// evaluation.
    public func itemEmbeddings() -> (names: [String], embeddings: EmbeddingMatrix)? {
        guard let p = parameters.viewIndex(named: pipeline.viewNames[0]) else { return nil }
        let table = parameters.views[p].input, context = parameters.views[p].context
        let rows = min(table.rows, names[0].count)
        let values = baseConfig.embedding.combine(
            input: UnsafeBufferPointer(start: table.rowPointer(0), count: rows * table.dim),
            context: UnsafeBufferPointer(start: context.rowPointer(0), count: min(context.rows, rows) * table.dim))
        return (Array(names[0].prefix(rows)), EmbeddingMatrix(rows: rows, dim: table.dim, values: values))
    }

    /// Whether row `row` of `a` and `b` holds the same bits (false when either lacks it).
    private static func sameRow(_ a: [Float], _ b: UnsafeBufferPointer<Float>, row: Int, dim: Int) -> Bool {
        let end = (row + 1) * dim
        guard end <= a.count, end <= b.count, let bBase = b.baseAddress else { return false }
        return a.withUnsafeBufferPointer { memcmp($0.baseAddress! + row * dim, bBase + row * dim, dim * 4) == 0 }
    }

    /// The current tables as a model value with the vectors a version would publish (for
    /// checkpoints, tests and evaluation; `vectors: .input` for the input tables alone).
    public func currentModel(vectors: EmbeddingVectors? = nil) -> TrainedModel {
        let data = TrainingData(
            views: pipeline.viewNames.indices.map { v in
                ViewTrainingData(name: pipeline.viewNames[v], nodeNames: names[v], corpus: WalkCorpus(nodeCount: names[v].count))
            },
            alignments: pipeline.alignments.map { AlignmentPairs(sourceView: $0.from, targetView: $0.to) })
        var model = Trainer.modelCopy(parameters: parameters, data: data, config: baseConfig, vectors: vectors)
        for i in model.views.indices where model.views[i].nodeNames.count > model.views[i].embeddings.rows {
            model.views[i].nodeNames = Array(model.views[i].nodeNames.prefix(model.views[i].embeddings.rows))
        }
        return model
    }

    // MARK: Checkpoints

    /// Writes the tables and what they reflect to `<state>/model/`.
    public func checkpoint(stateDirectory: String, publishedVersion: UInt64) throws {
        try ModelCheckpoint.write(
            model: currentModel(), parameters: parameters, stateDirectory: stateDirectory, pipeline: pipeline,
            info: CheckpointInfo(
                publishedVersion: publishedVersion, createdAt: ISO8601DateFormatter().string(from: Date()),
                inputOffsets: Dictionary(uniqueKeysWithValues: inputOffsets.map { ("\($0.key.topic):\($0.key.partition)", $0.value) }),
                eventTimeWatermarkMs: eventTimeWatermarkMs,
                taskLogVariances: parameters.logVariances, rounds: rounds, tokensTrained: tokensTrained,
                embedding: baseConfig.embedding == .input ? nil : baseConfig.embedding))
    }

    /// What a checkpoint restores besides the tables (which go into `parameters`).
    private struct Restored {
        var names: [[String]]
        var rounds: UInt64
        var tokensTrained: UInt64
        var eventTimeWatermarkMs: Int64
        var inputOffsets: [TopicPartition: Int64] = [:]
        var publishedVersion: UInt64
    }

    private static func restore(_ loaded: ModelCheckpoint.Loaded, into parameters: ModelParameters, processor: IngestProcessor,
                                pipeline: PipelineConfig, logger: Logger) throws -> Restored {
        // The info came from a file: no arithmetic on it before it is checked.
        do { try loaded.info.validate() } catch {
            throw ModelCheckpoint.Error.unreadableInfo(file: "\(loaded.directory)/\(CheckpointInfo.fileName)", reason: "\(error)")
        }
        let feed = try processor.trainingFeed(knownRows: [])
        for view in loaded.model.views {
            guard let v = pipeline.viewNames.firstIndex(of: view.name) else { continue }
            // Ids are stable and only grow: the checkpoint's names must be a prefix of the
            // ingest vocabulary, or the checkpoint belongs to another state.
            let current = feed.newNodeNames[v]
            guard view.nodeNames.count <= current.count, Array(current.prefix(view.nodeNames.count)) == view.nodeNames else {
                throw ModelCheckpoint.Error.mismatch("view \(view.name): the checkpoint's nodes are not a prefix of the state's vocabulary")
            }
            guard let context = loaded.contexts[view.name] else { throw ModelCheckpoint.Error.mismatch("view \(view.name): no context table") }
            try parameters.restore(view: view.name, input: view.embeddings, context: context)
        }
        // Views in pipeline order (the trainer expects the item view first).
        for a in loaded.model.alignments { try parameters.restore(alignmentFrom: a.sourceView, to: a.targetView, matrix: a.matrix) }
        parameters.logVariances = loaded.info.taskLogVariances
        var restored = Restored(names: feed.newNodeNames, rounds: loaded.info.rounds, tokensTrained: loaded.info.tokensTrained,
                                eventTimeWatermarkMs: loaded.info.eventTimeWatermarkMs, publishedVersion: loaded.info.publishedVersion)
        for (key, offset) in loaded.info.inputOffsets {
            if let tp = CheckpointInfo.topicPartition(ofKey: key) { restored.inputOffsets[TopicPartition(tp.topic, tp.partition)] = offset }
        }
        logger.info("model checkpoint restored", metadata: [
            "published_version": "\(loaded.info.publishedVersion)", "rounds": "\(restored.rounds)",
            "rows": "\(loaded.model.views.map { "\($0.name)=\($0.embeddings.rows)" }.joined(separator: ","))",
        ])
        return restored
    }
}
