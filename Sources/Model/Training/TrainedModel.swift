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

/// The result of training: a value copy, safe to publish while training continues.
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
