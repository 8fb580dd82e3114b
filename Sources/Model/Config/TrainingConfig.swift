extension PipelineConfig {
    /// `training:` — hyper-parameters read by the trainer.
    public struct Training: Sendable, Equatable {
        public var dim: Int
        public var window: Int
        public var negatives: Negatives
        public var alignNegatives: Int
        public var epochs: Int
        public var learningRate: Double
        public var minLearningRate: Double
        public var batchSize: Int
        public var threads: Int
        public var seed: UInt64
        public var tasks: Tasks
        public var alignActivation: AlignActivation
        /// Passes over the alignment pairs per epoch (they are few next to walk tokens).
        public var alignPasses: Int = 1
        /// `passes` or `occurrence` (`AlignmentSampling`).
        public var alignSampling: AlignmentSampling = .passes
        /// `sum` or `mean` (`AlignmentRowStep`).
        public var alignRowStep: AlignmentRowStep = .sum
        /// Frequent-node subsampling threshold (word2vec `sample`); 0: off.
        public var sample: Double = 0
        /// Exponent of the unigram distribution negatives are drawn from (word2vec 0.75).
        public var negativePower: Double = 0.75
        /// What a published vector is made of (`EmbeddingVectors`).
        public var embedding: EmbeddingVectors = .inputPlusContext
        /// How learned task weights become step sizes (`per_table`, `mean`, `raw`).
        public var taskWeightScaling: TaskWeightScaling = .perTable

        public init(
            dim: Int = 64, window: Int = 5, negatives: Negatives = Negatives(default: 5),
            alignNegatives: Int = 2, epochs: Int = 5, learningRate: Double = 0.025,
            minLearningRate: Double = 0.0001, batchSize: Int = 32, threads: Int = 1,
            seed: UInt64 = 1, tasks: Tasks = Tasks(), alignActivation: AlignActivation = .sigmoid
        ) {
            self.dim = dim
            self.window = window
            self.negatives = negatives
            self.alignNegatives = alignNegatives
            self.epochs = epochs
            self.learningRate = learningRate
            self.minLearningRate = minLearningRate
            self.batchSize = batchSize
            self.threads = threads
            self.seed = seed
            self.tasks = tasks
            self.alignActivation = alignActivation
        }
    }

    /// Intra-view negatives: one number for every view, or per-view counts.
    public struct Negatives: Sendable, Equatable {
        /// Count for views not listed in `perView`.
        public var `default`: Int
        /// Per-view overrides, keyed by view name.
        public var perView: [String: Int]

        public init(default: Int, perView: [String: Int] = [:]) {
            self.default = `default`
            self.perView = perView
        }

        /// The number of negatives for the named view.
        public func count(forView view: String) -> Int { perView[view] ?? self.default }
    }

    /// Task switches for ablations (`intra`, `align`, `uncertainty`); the trainer's own type.
    public typealias Tasks = TaskSwitches

    /// The map f applied on both sides of an alignment score.
    public enum AlignActivation: String, Sendable, Equatable, CaseIterable {
        case sigmoid, identity
    }
}
