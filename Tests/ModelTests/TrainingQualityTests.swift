import Foundation
import Synchronization
import Testing
@testable import Model

/// End-to-end training on planted-cluster corpora: 10 clusters of 10 nodes, so a random
/// nearest neighbour is in the same cluster with probability 9/99 ≈ 0.09.
@Suite struct TrainingQualityTests {
    static func config(fast: Bool = true, threads: Int = 1, seed: UInt64 = 1) -> TrainerConfig {
        var c = TrainerConfig()
        c.dim = 16
        c.window = 3
        c.defaultNegatives = 4
        c.epochs = 3
        c.threads = threads
        c.seed = seed
        c.useFastPath = fast
        c.tasks.uncertainty = false
        return c
    }

    @Test(arguments: [true, false])
    func bothSkipGramPathsRecoverPlantedClusters(fast: Bool) throws {
        let data = PlantedClusters.data()
        let model = try Trainer(config: Self.config(fast: fast)).train(data)
        let item = try #require(model.view(named: "item"))
        let purity = PlantedClusters.neighbourPurity(item.embeddings, perCluster: 10)
        #expect(purity > 0.7, "fast path \(fast): purity \(purity), chance 0.09")
        #expect(model.stats.tokens == 3 * data.views[0].corpus.tokens.count)
        let task = try #require(model.tasks.tasks.first { $0.name == "intra:item" })
        #expect(task.examples > 0)
        // Loss fell well below its starting value of (1 + K) ln 2 per pair.
        #expect(task.recentLoss < 0.8 * 5 * log(2.0))
    }

    @Test func singleThreadRunsAreBitIdentical() throws {
        var config = Self.config()
        config.tasks.uncertainty = true
        let data = PlantedClusters.data(withCategories: true)
        let a = try Trainer(config: config).train(data)
        let b = try Trainer(config: config).train(data)
        #expect(a.views == b.views)
        #expect(a.alignments == b.alignments)
        #expect(a.tasks == b.tasks)
        config.seed = 2
        let c = try Trainer(config: config).train(data)
        #expect(c.views[0].embeddings != a.views[0].embeddings)
    }

    @Test func multiThreadedRunLearns() throws {
        var config = Self.config(threads: 2)
        config.tasks.uncertainty = true
        let data = PlantedClusters.data(withCategories: true)
        let model = try Trainer(config: config).train(data)
        let item = try #require(model.view(named: "item"))
        #expect(PlantedClusters.neighbourPurity(item.embeddings, perCluster: 10) > 0.6)
        #expect(model.stats.threads == 2)
        #expect(model.stats.alignmentPairs == 3 * 100)
    }

    @Test func alignPassesRepeatTheAlignmentPairsPerEpoch() throws {
        var config = Self.config()
        config.alignPassesPerEpoch = 4
        let data = PlantedClusters.data(withCategories: true)
        let model = try Trainer(config: config).train(data)
        // 3 epochs over 100 pairs, each pair seen 4 times per epoch.
        #expect(model.stats.alignmentPairs == 4 * 3 * 100)
        let yaml = """
            name: t
            events: {format: jsonl, user: u, item: i, time: t, time_unit: seconds}
            training: {align_passes: 4}
            """
        let parsed = try PipelineConfig.parse(yaml: yaml, source: "t.yaml")
        #expect(TrainerConfig(pipeline: parsed.training).alignPassesPerEpoch == 4)
    }

    static func trainAlignment(_ activation: AlignmentActivation, epochs: Int, intra: Bool) throws -> TrainedModel {
        var config = Self.config()
        config.epochs = epochs
        config.learningRate = 0.05
        config.tasks.intra = intra
        config.alignActivation = activation
        return try Trainer(config: config).train(PlantedClusters.data(withCategories: true))
    }

    /// With the identity activation, an item scores its own category above the others
    /// through W. (The views' skip-gram tasks run too: they give the rows their scale; they
    /// cannot place an item near its category, the two views' geometries are unrelated.)
    @Test func identityAlignmentLearnsItemToCategory() throws {
        let model = try Self.trainAlignment(.identity, epochs: 8, intra: true)
        let items = try #require(model.view(named: "item")).embeddings
        let categories = try #require(model.view(named: "category")).embeddings
        let w = try #require(model.alignments.first).matrix
        func mapped(_ m: EmbeddingMatrix, _ row: Int) -> [Float] {
            (0..<m.dim).map { k in
                (0..<m.dim).reduce(Float(0)) { $0 + m.values[row * m.dim + $1] * w.values[$1 * w.dim + k] }
            }
        }
        let cats = (0..<10).map { mapped(categories, $0) }
        var correct = 0
        for i in 0..<100 {
            let e = mapped(items, i)
            let scores = cats.map { c in zip(e, c).reduce(Float(0)) { $0 + $1.0 * $1.1 } }
            if scores.indices.max(by: { scores[$0] < scores[$1] }) == i / 10 { correct += 1 }
        }
        #expect(correct > 70, "\(correct)/100 items score their category highest; chance 10")
    }

    /// With the sigmoid activation the loss falls from its starting point (about 8 for
    /// dim 16: every mapped vector starts near 0.5, so s ≈ dim/4 for positives and
    /// negatives alike). Known limitation, not asserted away: mapped vectors lie in (0,1)^d,
    /// so every score is ≥ 0 and each negative costs at least ln 2; on this toy SGD drifts
    /// to the collapsed point s ≈ 0 for all pairs (loss 3 ln 2 ≈ 2.08) without separating
    /// categories, while the identity activation separates them (test above).
    @Test func sigmoidAlignmentLossFalls() throws {
        let model = try Self.trainAlignment(.sigmoid, epochs: 30, intra: false)
        let task = try #require(model.tasks.tasks.first { $0.kind == .align })
        #expect(task.recentLoss < 3)
        #expect(task.recentLoss < task.meanLoss)
    }

    /// A view whose walks are pure noise has a larger skip-gram loss, so its learned
    /// uncertainty is larger and its weight smaller than the structured view's.
    @Test func noisierTaskGetsSmallerUncertaintyWeight() throws {
        var config = Self.config()
        config.tasks.uncertainty = true
        config.tasks.align = false
        config.uncertaintyLearningRate = 0.05
        var data = PlantedClusters.data()
        let noise = PlantedClusters.noiseWalks(nodes: 100, walks: 400, walkLength: 15, seed: 9)
        data.views.append(ViewTrainingData(name: "noise", nodeNames: (0..<100).map { "n\($0)" }, corpus: noise))
        let model = try Trainer(config: config).train(data)
        let clean = try #require(model.tasks.tasks.first { $0.name == "intra:item" })
        let noisy = try #require(model.tasks.tasks.first { $0.name == "intra:noise" })
        #expect(noisy.meanLoss > clean.meanLoss)
        #expect(noisy.weight < clean.weight, "noisy \(noisy.weight) vs clean \(clean.weight)")
        #expect(noisy.logVariance > clean.logVariance)
        // Normalised scales average 1; the history records the move from the start.
        #expect(abs((noisy.weight + clean.weight) / 2 - 1) < 1e-6)
        #expect(model.tasks.history.count > 2)
        #expect(model.tasks.history.first?.weights["intra:noise"] == 1)
        #expect(model.tasks.history.last?.weights["intra:noise"] == noisy.weight)
        // Raw scales exp(-s_t)/2 keep the same order.
        config.taskWeightScaling = .raw
        let raw = try Trainer(config: config).train(data)
        let rawClean = try #require(raw.tasks.tasks.first { $0.name == "intra:item" })
        let rawNoisy = try #require(raw.tasks.tasks.first { $0.name == "intra:noise" })
        #expect(rawNoisy.weight < rawClean.weight)
        #expect(abs(rawNoisy.weight - exp(-rawNoisy.logVariance) / 2) < 1e-6)
    }

    @Test func fixedWeightsWhenUncertaintyIsOff() throws {
        let model = try Trainer(config: Self.config()).train(PlantedClusters.data(withCategories: true))
        #expect(model.tasks.tasks.count == 3)
        #expect(model.tasks.tasks.allSatisfy { $0.weight == 1 && $0.logVariance == 0 })
    }

    @Test func progressCallbackReportsTasks() throws {
        var config = Self.config()
        config.progressInterval = 0
        config.syncInterval = 64
        let reports = Mutex<[TrainingProgress]>([])
        _ = try Trainer(config: config).train(PlantedClusters.data(withCategories: true)) { p in
            reports.withLock { $0.append(p) }
        }
        let all = reports.withLock { $0 }
        #expect(all.count > 10)
        let last = try #require(all.last)
        #expect(last.progress == 1)
        #expect(Set(last.taskWeights.keys) == ["intra:item", "intra:category", "align:item->category"])
        #expect(last.taskLosses["intra:item"].map { $0 > 0 } == true)
        #expect(all.map(\.tokens) == all.map(\.tokens).sorted())
    }

    @Test func continuingTrainingGrowsTablesForNewNodes() throws {
        let trainer = Trainer(config: Self.config())
        let parameters = trainer.makeParameters()
        var data = PlantedClusters.data()
        _ = try trainer.train(data, continuing: parameters)
        let firstRows = Array(parameters.views[0].input.buffer[0..<(16 * 100)])
        data.views[0].corpus.nodeCount = 105
        data.views[0].nodeNames += (100..<105).map { "i\($0)" }
        data.views[0].corpus.append(walk: [100, 101, 102, 103, 104, 0])
        let model = try trainer.train(data, continuing: parameters)
        #expect(model.views[0].embeddings.rows == 105)
        #expect(model.views[0].nodeNames.count == 105)
        #expect(Array(model.views[0].embeddings.values[0..<(16 * 100)]) != firstRows, "old rows kept training")
        #expect(parameters.rounds == 2)
    }

    @Test func rejectsBadData() {
        var data = PlantedClusters.data()
        data.views[0].corpus.tokens[5] = 1000
        #expect(throws: TrainerError.tokenOutOfRange(view: "item", token: 1000, nodeCount: 100)) {
            try Trainer(config: Self.config()).train(data)
        }
        var aligned = PlantedClusters.data(withCategories: true)
        aligned.alignments[0].target[3] = 50
        #expect(throws: TrainerError.alignmentIdOutOfRange(source: "item", target: "category", index: 3)) {
            try Trainer(config: Self.config()).train(aligned)
        }
        var config = Self.config()
        config.window = 0
        #expect(throws: TrainerError.invalidConfig("window must be positive")) {
            try Trainer(config: config).train(PlantedClusters.data())
        }
    }
}
