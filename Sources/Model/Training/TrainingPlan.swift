/// Validated, precomputed inputs of one training pass shared (read-only) by all threads:
/// task numbering, samplers, index maps from data order to parameter order.
struct TrainingPlan: Sendable {
    let config: TrainerConfig
    let data: TrainingData
    let samplers: [UnigramSampler]
    /// Per data view, the keep probability of each node under frequent-node subsampling
    /// (empty: every token is kept).
    let keepProbabilities: [[Float]]
    /// Per data alignment, with `AlignmentSampling.occurrence`, a sampler over its pair
    /// indices (nil: pairs are taken in passes).
    let occurrenceSamplers: [UnigramSampler?]
    let viewNegatives: [Int]
    /// Data view index -> index in `ModelParameters.views`.
    let parameterView: [Int]
    /// Data alignment index -> index in `ModelParameters.alignments`.
    let parameterAlignment: [Int]
    let alignSourceView: [Int]
    let alignTargetView: [Int]
    let taskNames: [String]
    let taskKinds: [TaskKind]
    /// Whether each task has work in this pass.
    let activeTasks: [Bool]
    /// Task index of each view's intra task and each alignment's task.
    let intraTask: [Int]
    let alignTask: [Int]
    let totalUnits: Int

    var taskCount: Int { taskNames.count }

    /// Pair k of `pairs` weighted by its item's occurrences in `source` (the item walks),
    /// divided by the item's number of pairs (`AlignmentSampling.occurrence`).
    static func occurrenceSampler(_ pairs: AlignmentPairs, source: WalkCorpus) -> UnigramSampler {
        var occurrences = [Int](repeating: 0, count: source.nodeCount)
        for t in source.tokens where Int(t) < occurrences.count { occurrences[Int(t)] += 1 }
        var values: [UInt32: Int] = [:]
        for item in pairs.source { values[item, default: 0] += 1 }
        return UnigramSampler(weights: pairs.source.map { item in
            Int(item) < occurrences.count ? Double(occurrences[Int(item)]) / Double(values[item] ?? 1) : 0
        })
    }

    static func intraTaskName(_ view: String) -> String { "intra:\(view)" }
    static func alignTaskName(_ source: String, _ target: String) -> String { "align:\(source)->\(target)" }

    /// Checks `config` and `data` and numbers the tasks. `parameters` must already be
    /// prepared for `data`.
    init(config: TrainerConfig, data: TrainingData, parameters: ModelParameters) throws {
        guard config.dim > 0 else { throw TrainerError.invalidConfig("dim must be positive") }
        guard config.window > 0 else { throw TrainerError.invalidConfig("window must be positive") }
        guard config.epochs >= 0 else { throw TrainerError.invalidConfig("epochs must not be negative") }
        guard config.threads >= 1 else { throw TrainerError.invalidConfig("threads must be at least 1") }
        guard config.batchSize >= 1 else { throw TrainerError.invalidConfig("batchSize must be at least 1") }
        guard config.alignNegatives >= 0, config.defaultNegatives >= 0, config.negatives.values.allSatisfy({ $0 >= 0 })
        else { throw TrainerError.invalidConfig("negatives must not be negative") }
        guard config.learningRate > 0, config.minLearningRate >= 0
        else { throw TrainerError.invalidConfig("learning rates must be positive") }
        guard config.syncInterval >= 1 else { throw TrainerError.invalidConfig("syncInterval must be at least 1") }
        guard parameters.dim == config.dim
        else { throw TrainerError.dimensionMismatch(parameters: parameters.dim, config: config.dim) }

        var viewIndex: [String: Int] = [:]
        var parameterView: [Int] = []
        for (i, view) in data.views.enumerated() {
            viewIndex[view.name] = i
            guard view.corpus.walkCount < 1 << 40
            else { throw TrainerError.invalidConfig("view '\(view.name)' has too many walks") }
            if let bad = view.corpus.tokens.first(where: { Int($0) >= view.corpus.nodeCount }) {
                throw TrainerError.tokenOutOfRange(view: view.name, token: bad, nodeCount: view.corpus.nodeCount)
            }
            guard let p = parameters.viewIndex(named: view.name) else { throw TrainerError.unknownView(view.name) }
            parameterView.append(p)
        }
        var alignSource: [Int] = [], alignTarget: [Int] = [], parameterAlignment: [Int] = []
        for a in data.alignments {
            guard let s = viewIndex[a.sourceView] else { throw TrainerError.unknownView(a.sourceView) }
            guard let t = viewIndex[a.targetView] else { throw TrainerError.unknownView(a.targetView) }
            let sRows = parameters.views[parameterView[s]].input.rows
            let tRows = parameters.views[parameterView[t]].input.rows
            for k in 0..<a.count where Int(a.source[k]) >= sRows || Int(a.target[k]) >= tRows {
                throw TrainerError.alignmentIdOutOfRange(source: a.sourceView, target: a.targetView, index: k)
            }
            if config.tasks.align && a.count > 0 && data.views[t].corpus.nodeCount == 0 {
                throw TrainerError.alignmentIdOutOfRange(source: a.sourceView, target: a.targetView, index: 0)
            }
            guard let p = parameters.alignmentIndex(source: a.sourceView, target: a.targetView)
            else { throw TrainerError.unknownView(a.sourceView) }
            alignSource.append(s); alignTarget.append(t); parameterAlignment.append(p)
        }

        var names: [String] = [], kinds: [TaskKind] = []
        var intraTask: [Int] = [], alignTask: [Int] = [], active: [Bool] = []
        for view in data.views {
            intraTask.append(names.count)
            names.append(Self.intraTaskName(view.name)); kinds.append(.intra)
            active.append(config.tasks.intra && !view.corpus.tokens.isEmpty)
        }
        for a in data.alignments {
            alignTask.append(names.count)
            names.append(Self.alignTaskName(a.sourceView, a.targetView)); kinds.append(.align)
            active.append(config.tasks.align && a.count > 0)
        }

        let tokens = config.tasks.intra ? data.views.reduce(0) { $0 + $1.corpus.tokens.count } : 0
        let pairs = config.tasks.align ? data.alignments.reduce(0) { $0 + $1.count } * max(1, config.alignPassesPerEpoch) : 0

        self.config = config
        self.data = data
        self.samplers = data.views.map { UnigramSampler(corpus: $0.corpus, power: config.negativePower) }
        self.keepProbabilities = data.views.map {
            FrequentNodeSubsampling.keepProbabilities(corpus: $0.corpus, threshold: config.subsampleThreshold)
        }
        self.occurrenceSamplers = zip(data.alignments, alignSource).map { a, s in
            config.alignSampling == .occurrence && a.count > 0 ? Self.occurrenceSampler(a, source: data.views[s].corpus) : nil
        }
        self.viewNegatives = data.views.map { config.negatives(forView: $0.name) }
        self.parameterView = parameterView
        self.parameterAlignment = parameterAlignment
        self.alignSourceView = alignSource
        self.alignTargetView = alignTarget
        self.taskNames = names
        self.taskKinds = kinds
        self.activeTasks = active
        self.intraTask = intraTask
        self.alignTask = alignTask
        self.totalUnits = config.epochs * (tokens + pairs)
    }
}
