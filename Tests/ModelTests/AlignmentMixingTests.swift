import Foundation
import Testing

@testable import Model

/// Alignment examples by occurrence, averaged steps of hot rows, and frequent-node
/// subsampling (`AlignmentMixing.swift`).
@Suite struct AlignmentMixingTests {
    @Test("occurrence sampling: a pair's share is its item's occurrences in the walks over its item's pair count")
    func occurrenceProportions() {
        // Item 0 occurs 6 times, item 1 twice, item 2 four times (two values), item 3 never.
        var corpus = WalkCorpus(nodeCount: 4)
        corpus.append(walk: [0, 1, 0, 2, 0])
        corpus.append(walk: [2, 0, 1, 2, 0])
        corpus.append(walk: [0, 2])
        let pairs = AlignmentPairs(sourceView: "item", targetView: "genre", source: [0, 1, 2, 2, 3], target: [0, 0, 1, 2, 1])
        let sampler = TrainingPlan.occurrenceSampler(pairs, source: corpus)
        var rng = TrainingRNG(seed: 4)
        var drawn = [Int](repeating: 0, count: pairs.count)
        let draws = 200_000
        for _ in 0..<draws { drawn[Int(sampler.sample(using: &rng))] += 1 }
        let expected = [6.0, 2.0, 2.0, 2.0, 0.0].map { $0 / 12 }
        for k in 0..<pairs.count {
            #expect(abs(Double(drawn[k]) / Double(draws) - expected[k]) < 0.005, "pair \(k): \(drawn)")
        }
        #expect(drawn[4] == 0)
    }

    @Test("occurrence sampling trains the same number of alignment examples as passes")
    func occurrenceBudget() throws {
        var config = TrainerConfig()
        config.dim = 8
        config.epochs = 2
        config.alignPassesPerEpoch = 3
        config.alignSampling = .occurrence
        let data = PlantedClusters.data(withCategories: true)
        let model = try Trainer(config: config).train(data)
        #expect(model.stats.alignmentPairs == 2 * 3 * 100)
    }

    @Test("keep probability: word2vec's (sqrt(f/t) + 1) t/f, at most 1")
    func keepProbability() {
        // f = 0.01, t = 0.001: (sqrt(10) + 1) * 0.1 = 0.41623
        #expect(abs(FrequentNodeSubsampling.keepProbability(count: 10, total: 1_000, threshold: 0.001) - 0.416228) < 1e-5)
        // f = 0.5, t = 0.001: (sqrt(500) + 1) * 0.002 = 0.046721
        #expect(abs(FrequentNodeSubsampling.keepProbability(count: 500, total: 1_000, threshold: 0.001) - 0.046721) < 1e-5)
        // f = t: (1 + 1) * 1 = 2, capped at 1; rarer nodes are always kept.
        #expect(FrequentNodeSubsampling.keepProbability(count: 1, total: 1_000, threshold: 0.001) == 1)
        #expect(FrequentNodeSubsampling.keepProbability(count: 0, total: 1_000, threshold: 0.001) == 1)
        var corpus = WalkCorpus(nodeCount: 3)
        corpus.append(walk: [0, 0, 0, 1])
        #expect(FrequentNodeSubsampling.keepProbabilities(corpus: corpus, threshold: 0).isEmpty)
        let keep = FrequentNodeSubsampling.keepProbabilities(corpus: corpus, threshold: 0.1)
        // node 0: f = 0.75 -> (sqrt(7.5) + 1) * 0.1333 = 0.49848; node 1: f = 0.25 -> 0.4 * (sqrt(2.5) + 1) = 1.0325 -> 1
        #expect(abs(keep[0] - 0.49848) < 1e-4 && keep[1] == 1 && keep[2] == 1)
    }

    @Test("subsampling drops frequent tokens from training in about the keep proportion")
    func subsamplingDropsTokens() throws {
        // Node 0 is half of all tokens; nodes 1...100 share the other half.
        var corpus = WalkCorpus(nodeCount: 101)
        for w in 0..<200 { corpus.append(walk: (0..<10).map { k in k % 2 == 0 ? 0 : UInt32(1 + (w * 5 + k / 2) % 100) }) }
        let data = TrainingData(views: [ViewTrainingData(name: "item", nodeNames: (0...100).map { "i\($0)" }, corpus: corpus)],
                                alignments: [])
        var config = TrainerConfig()
        config.dim = 8
        config.epochs = 1
        let all = try Trainer(config: config).train(data).stats.tokens
        config.subsampleThreshold = 0.001
        let kept = try Trainer(config: config).train(data).stats.tokens
        #expect(all == 2_000)
        // Node 0: f = 0.5 -> keep 0.0467 (about 47 of 1000); the others, 10 each of 2000:
        // f = 0.005 -> keep (sqrt(5) + 1) * 0.2 = 0.6472 (about 647 of 1000).
        let expected = 1_000 * 0.046721 + 1_000 * 0.647214
        #expect(abs(Double(kept) - expected) < 60, "kept \(kept) of \(all), expected about \(expected)")
    }

    @Test("mean row steps: a pair repeated in a batch moves its rows as far as the pair alone; sum moves them twice as far")
    func meanRowStep() {
        let d = 4
        func run(pairs: Int, rowStep: AlignmentRowStep) -> [Float] {
            let src = EmbeddingTable(rows: 1, dim: d, values: [0.1, -0.2, 0.3, 0.05])
            let dst = EmbeddingTable(rows: 2, dim: d, values: [0.2, 0.1, -0.1, 0.3, -0.3, 0.2, 0.1, 0.0])
            let w = EmbeddingTable(rows: d, dim: d, values: (0..<(d * d)).map { $0 % (d + 1) == 0 ? 1 : 0 })
            let kernel = AlignmentKernel(dim: d, maxBatch: 2, maxNegatives: 1)
            let s = [UInt32](repeating: 0, count: pairs), t = [UInt32](repeating: 0, count: pairs), n = [UInt32](repeating: 1, count: pairs)
            s.withUnsafeBufferPointer { sb in t.withUnsafeBufferPointer { tb in n.withUnsafeBufferPointer { nb in
                _ = kernel.update(source: src, target: dst, matrix: w, sourceIds: sb, targetIds: tb, negatives: nb,
                                  negativesPerPair: 1, activation: .identity, learningRate: 0.5, rowStep: rowStep)
            } } }
            return Array(dst.buffer) + Array(src.buffer)
        }
        let start: [Float] = [0.2, 0.1, -0.1, 0.3, -0.3, 0.2, 0.1, 0.0, 0.1, -0.2, 0.3, 0.05]
        let single = zip(run(pairs: 1, rowStep: .sum), start).map { $0 - $1 }
        let doubledMean = zip(run(pairs: 2, rowStep: .mean), start).map { $0 - $1 }
        let doubledSum = zip(run(pairs: 2, rowStep: .sum), start).map { $0 - $1 }
        #expect(single.contains { abs($0) > 1e-3 })
        for k in start.indices {
            #expect(abs(doubledMean[k] - single[k]) < 1e-6, "row element \(k)")
            #expect(abs(doubledSum[k] - 2 * single[k]) < 1e-6, "row element \(k)")
        }
    }

    @Test("the pipeline keys reach the trainer; bad values name the field")
    func pipelineKeys() throws {
        let base = "name: t\nevents: {user: u, item: i, time: t}\n"
        let config = try PipelineConfig.parse(yaml: base + "training: {align_sampling: occurrence, align_row_step: mean, sample: 0.001}")
        let trainer = TrainerConfig(pipeline: config.training)
        #expect(trainer.alignSampling == .occurrence && trainer.alignRowStep == .mean && trainer.subsampleThreshold == 0.001)
        for bad in ["align_sampling: often", "align_row_step: max", "sample: -0.1", "sample: 2", "sample: .nan"] {
            #expect(throws: PipelineConfigError.self, "\(bad)") { try PipelineConfig.parse(yaml: base + "training: {\(bad)}") }
        }
    }
}
