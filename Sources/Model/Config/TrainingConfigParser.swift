import Yams

extension PipelineConfigParser {
    func parseTraining(_ node: Node?, viewNames: [String]) throws -> PipelineConfig.Training {
        let r = try YAMLMappingReader(
            node, source: source, path: "training",
            allowedKeys: [
                "dim", "window", "negatives", "align_negatives", "epochs", "learning_rate",
                "min_learning_rate", "batch_size", "threads", "seed", "tasks", "align_activation", "align_passes",
                "task_weight_scaling", "align_sampling", "align_row_step", "sample", "negative_power", "embedding",
            ])
        var t = PipelineConfig.Training()
        for (key, range, apply) in [
            ("dim", ConfigLimits.dimensions, { (v: Int) in t.dim = v }), ("window", ConfigLimits.window, { t.window = $0 }),
            ("epochs", ConfigLimits.epochs, { t.epochs = $0 }), ("batch_size", ConfigLimits.batchSize, { t.batchSize = $0 }),
            ("threads", ConfigLimits.threads, { t.threads = $0 }), ("align_passes", ConfigLimits.alignPasses, { t.alignPasses = $0 }),
            ("align_negatives", ConfigLimits.negatives, { t.alignNegatives = $0 }),
        ] {
            if let value = try r.int(key, in: range) { apply(value) }
        }
        if let seed = try r.int("seed") {
            try r.nonNegative("seed", seed)
            t.seed = UInt64(seed)
        }
        if let lr = try r.learningRate("learning_rate") { t.learningRate = lr }
        if let minLR = try r.double("min_learning_rate") {
            guard minLR >= 0, minLR.isFinite else { throw r.error("min_learning_rate", "must be >= 0") }
            t.minLearningRate = minLR
        }
        if t.minLearningRate > t.learningRate {
            throw r.error("min_learning_rate", "must be <= learning_rate (\(t.learningRate))")
        }
        if r.has("negatives") { t.negatives = try parseNegatives(r, viewNames: viewNames) }
        if r.has("tasks") {
            let tr = try YAMLMappingReader(
                r.node("tasks"), source: source, path: "training.tasks", allowedKeys: ["intra", "align", "uncertainty"])
            t.tasks = PipelineConfig.Tasks(
                intra: try tr.bool("intra") ?? true, align: try tr.bool("align") ?? true,
                uncertainty: try tr.bool("uncertainty") ?? true)
        }
        t.alignActivation = try r.enumValue("align_activation", PipelineConfig.AlignActivation.self) ?? .sigmoid
        t.taskWeightScaling = try r.enumValue("task_weight_scaling", TaskWeightScaling.self) ?? .perTable
        t.alignSampling = try r.enumValue("align_sampling", AlignmentSampling.self) ?? .passes
        t.alignRowStep = try r.enumValue("align_row_step", AlignmentRowStep.self) ?? .sum
        t.embedding = try r.enumValue("embedding", EmbeddingVectors.self) ?? .inputPlusContext
        if let sample = try r.double("sample", in: ConfigLimits.subsampleThreshold) { t.sample = sample }
        if let power = try r.double("negative_power", in: ConfigLimits.negativePower) { t.negativePower = power }
        return t
    }

    /// `negatives: 5` or `negatives: {item: 10, genre: 2, default: 5}`.
    private func parseNegatives(_ r: YAMLMappingReader, viewNames: [String]) throws -> PipelineConfig.Negatives {
        guard let node = r.node("negatives") else { return PipelineConfig.Negatives(default: 5) }
        if case .scalar = node {
            guard let count = node.int else { throw r.error("negatives", "must be an integer or a map view -> integer") }
            try r.check("negatives", count, in: ConfigLimits.negatives)
            return PipelineConfig.Negatives(default: count)
        }
        let m = try YAMLMappingReader(
            node, source: source, path: "training.negatives", allowedKeys: Set(viewNames + ["default"]))
        var negatives = PipelineConfig.Negatives(default: 5)
        for key in viewNames + ["default"] {
            guard let count = try m.int(key, in: ConfigLimits.negatives) else { continue }
            if key == "default" { negatives.default = count } else { negatives.perView[key] = count }
        }
        return negatives
    }
}
