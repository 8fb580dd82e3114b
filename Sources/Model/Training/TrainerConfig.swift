/// Which tasks train, for ablations.
public struct TaskSwitches: Sendable, Equatable, Codable {
    /// Intra-view skip-gram, one task per view.
    public var intra: Bool
    /// Inter-view alignment, one task per aligned pair of views.
    public var align: Bool
    /// Learned uncertainty weights; off means fixed equal weights of 1 (plain sum of losses).
    /// See `TrainerConfig.taskWeightScaling`.
    public var uncertainty: Bool

    public init(intra: Bool = true, align: Bool = true, uncertainty: Bool = true) {
        self.intra = intra
        self.align = align
        self.uncertainty = uncertainty
    }
}

/// Training settings. Field names and defaults mirror the pipeline file's `training:`
/// section (parsed elsewhere).
public struct TrainerConfig: Sendable, Equatable {
    /// Embedding size of every view.
    public var dim: Int = 64
    /// Maximum skip-gram window on each side (word2vec draws a reduced window per centre).
    public var window: Int = 5
    /// Negatives per skip-gram pair, by view name; views not listed use `defaultNegatives`.
    public var negatives: [String: Int] = [:]
    /// Negatives per view when `negatives` does not name it.
    public var defaultNegatives: Int = 5
    /// Negatives per alignment pair, drawn from the target view's sampler.
    public var alignNegatives: Int = 2
    /// Passes over every alignment pair per epoch, interleaved with the walks (alignment
    /// pairs are a few thousand next to millions of skip-gram pairs).
    public var alignPassesPerEpoch: Int = 1
    /// Which alignment examples an epoch trains (`AlignmentSampling`); the budget is
    /// `alignPassesPerEpoch` x pairs either way.
    public var alignSampling: AlignmentSampling = .passes
    /// How an alignment batch steps a row it holds several times (`AlignmentRowStep`).
    public var alignRowStep: AlignmentRowStep = .sum
    /// Frequent-node subsampling threshold `t` of every view's walks
    /// (`FrequentNodeSubsampling`); 0 keeps every token.
    public var subsampleThreshold: Double = 0
    /// Exponent `p` of every view's negative-sampling distribution, count^p (word2vec and
    /// gensim's `ns_exponent`: 0.75; 0 draws nodes uniformly, 1 by frequency).
    public var negativePower: Double = 0.75
    /// What a node's published vector is made of: the input table, or input plus context.
    public var embedding: EmbeddingVectors = .inputPlusContext
    /// Passes over the walks and alignment pairs.
    public var epochs: Int = 5
    /// Starting SGD step size, decayed linearly to `minLearningRate` over training.
    public var learningRate: Float = 0.025
    public var minLearningRate: Float = 0.0001
    /// Alignment pairs per step.
    public var batchSize: Int = 32
    /// Training threads (Hogwild). `threads == 1` with a fixed seed is bit-reproducible.
    public var threads: Int = 1
    public var seed: UInt64 = 1
    public var tasks: TaskSwitches = TaskSwitches()
    public var alignActivation: AlignmentActivation = .sigmoid
    /// Use the batched gemm skip-gram path (Ji et al. 2016) instead of the per-pair one.
    public var useFastPath: Bool = true
    /// SGD step size of the uncertainty parameters `s_t` (per synchronisation).
    public var uncertaintyLearningRate: Float = 0.01
    /// How the learned task weights become step sizes (`TaskWeightScaling`); per table by
    /// default, so that each view's own task trains its tables at `learningRate`.
    public var taskWeightScaling: TaskWeightScaling = .perTable
    /// Starting `s_t` of every task (0: weight exp(0)/2 = 0.5).
    public var initialLogVariance: Float = 0
    /// Centre words (or alignment pairs) a thread processes between synchronisations of
    /// the learning rate, the task losses and the uncertainty weights.
    public var syncInterval: Int = 256
    /// Minimum seconds between progress callbacks.
    public var progressInterval: Double = 1.0

    public init() {}

    /// Negatives per skip-gram pair for `view`.
    public func negatives(forView view: String) -> Int { negatives[view] ?? defaultNegatives }
}
