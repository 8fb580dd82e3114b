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
