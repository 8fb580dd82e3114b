/// One view's trained embeddings.
public struct TrainedView: Sendable, Equatable {
    public var name: String
    /// `nodeNames[i]` names row `i` of `embeddings`.
    public var nodeNames: [String]
    /// The input table `E` (the published embedding).
    public var embeddings: EmbeddingMatrix

    public init(name: String, nodeNames: [String], embeddings: EmbeddingMatrix) {
        self.name = name
        self.nodeNames = nodeNames
        self.embeddings = embeddings
    }
}

/// One learned alignment matrix `W` (`dim x dim`, applied on the right of row vectors).
public struct TrainedAlignment: Sendable, Equatable {
    public var sourceView: String
    public var targetView: String
    public var activation: AlignmentActivation
    public var matrix: EmbeddingMatrix

    public init(sourceView: String, targetView: String, activation: AlignmentActivation, matrix: EmbeddingMatrix) {
        self.sourceView = sourceView
        self.targetView = targetView
        self.activation = activation
        self.matrix = matrix
    }
}

/// The kind of a training task.
public enum TaskKind: String, Sendable, Codable {
    case intra
    case align
}

/// A task's final state.
public struct TaskSummary: Sendable, Equatable, Codable {
    /// `intra:<view>` or `align:<source>-><target>`.
    public var name: String
    public var kind: TaskKind
    /// Final `s_t = log σ_t²`.
    public var logVariance: Double
    /// Final gradient scale applied to the task: `exp(-s_t)/2` with uncertainty weighting
    /// (divided by the mean over active tasks if `normalizeTaskWeights`), 1 with fixed weights.
    public var weight: Double
    /// Mean loss per example over the whole run.
    public var meanLoss: Double
    /// Mean loss per example over about the last tenth of the run.
    public var recentLoss: Double
    /// Examples (skip-gram pairs or alignment pairs) trained on.
    public var examples: Int

    public init(name: String, kind: TaskKind, logVariance: Double, weight: Double,
                meanLoss: Double, recentLoss: Double, examples: Int) {
        self.name = name
        self.kind = kind
        self.logVariance = logVariance
        self.weight = weight
        self.meanLoss = meanLoss
        self.recentLoss = recentLoss
        self.examples = examples
    }
}

/// Task weights at one point of training.
public struct TaskWeightSnapshot: Sendable, Equatable, Codable {
    /// Fraction of the planned work done, 0...1.
    public var progress: Double
    /// Gradient scale by task name.
    public var weights: [String: Double]

    public init(progress: Double, weights: [String: Double]) {
        self.progress = progress
        self.weights = weights
    }
}

/// Task weights and losses of a run: what `task-weights.json` holds.
public struct TaskReport: Sendable, Equatable, Codable {
    public var tasks: [TaskSummary]
    public var history: [TaskWeightSnapshot]

    public init(tasks: [TaskSummary] = [], history: [TaskWeightSnapshot] = []) {
        self.tasks = tasks
        self.history = history
    }
}

/// Counters of a run.
public struct TrainingStats: Sendable, Equatable, Codable {
    /// Centre words processed (all epochs, all views).
    public var tokens: Int
    /// Alignment pairs processed.
    public var alignmentPairs: Int
    public var seconds: Double
    /// `tokens / seconds`.
    public var tokensPerSecond: Double
    public var threads: Int
    public var epochs: Int

    public init(tokens: Int = 0, alignmentPairs: Int = 0, seconds: Double = 0,
                tokensPerSecond: Double = 0, threads: Int = 1, epochs: Int = 0) {
        self.tokens = tokens
        self.alignmentPairs = alignmentPairs
        self.seconds = seconds
        self.tokensPerSecond = tokensPerSecond
        self.threads = threads
        self.epochs = epochs
    }
}

/// The result of training: a value snapshot, safe to publish while training continues.
public struct TrainedModel: Sendable, Equatable {
    public var dim: Int
    /// Views in the order of the training data (the item view first).
    public var views: [TrainedView]
    public var alignments: [TrainedAlignment]
    public var tasks: TaskReport
    public var stats: TrainingStats

    public init(dim: Int, views: [TrainedView], alignments: [TrainedAlignment],
                tasks: TaskReport = TaskReport(), stats: TrainingStats = TrainingStats()) {
        self.dim = dim
        self.views = views
        self.alignments = alignments
        self.tasks = tasks
        self.stats = stats
    }

    /// The view named `name`.
    public func view(named name: String) -> TrainedView? { views.first { $0.name == name } }
}

/// A periodic progress report, delivered to the trainer's callback.
public struct TrainingProgress: Sendable {
    /// Fraction of the planned work done, 0...1.
    public var progress: Double
    public var tokens: Int
    public var alignmentPairs: Int
    public var elapsedSeconds: Double
    public var tokensPerSecond: Double
    public var learningRate: Float
    /// Recent mean loss per example (moving average), by task name.
    public var taskLosses: [String: Double]
    /// Current gradient scale, by task name.
    public var taskWeights: [String: Double]

    public init(progress: Double, tokens: Int, alignmentPairs: Int, elapsedSeconds: Double,
                tokensPerSecond: Double, learningRate: Float,
                taskLosses: [String: Double], taskWeights: [String: Double]) {
        self.progress = progress
        self.tokens = tokens
        self.alignmentPairs = alignmentPairs
        self.elapsedSeconds = elapsedSeconds
        self.tokensPerSecond = tokensPerSecond
        self.learningRate = learningRate
        self.taskLosses = taskLosses
        self.taskWeights = taskWeights
    }
}
