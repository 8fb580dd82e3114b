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
    /// Final weight of the task: `exp(-s_t)/2` with uncertainty weighting (divided by the
    /// mean over active tasks unless the scaling is `.raw`), 1 with fixed weights. How it
    /// sets step sizes: `TaskWeightScaling`.
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
    /// Task weight by task name (how it sets step sizes: `TaskWeightScaling`).
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
