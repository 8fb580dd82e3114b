extension TrainerConfig {
    /// The trainer settings of a pipeline file's `training:` section.
    public init(pipeline t: PipelineConfig.Training) {
        self.init()
        dim = t.dim
        window = t.window
        defaultNegatives = t.negatives.default
        negatives = t.negatives.perView
        alignNegatives = t.alignNegatives
        alignPassesPerEpoch = t.alignPasses
        alignSampling = t.alignSampling
        alignRowStep = t.alignRowStep
        subsampleThreshold = t.sample
        negativePower = t.negativePower
        embedding = t.embedding
        epochs = t.epochs
        learningRate = Float(t.learningRate)
        minLearningRate = Float(t.minLearningRate)
        batchSize = t.batchSize
        threads = t.threads
        seed = t.seed
        tasks = t.tasks
        alignActivation = t.alignActivation == .identity ? .identity : .sigmoid
        taskWeightScaling = t.taskWeightScaling
    }
}
