import Foundation
import Testing
@testable import Model

@Suite("What a published vector is made of (training.embedding) and the negative-sampling exponent")
struct EmbeddingVectorsTests {
    func config(_ embedding: EmbeddingVectors) -> TrainerConfig {
        var config = TrainerConfig()
        config.dim = 8
        config.epochs = 2
        config.embedding = embedding
        return config
    }

    @Test("input_plus_context: every view's vectors are its input row plus its context row, from a fresh or a continued training alike; input: the input rows")
    func vectorsAreInputPlusContext() throws {
        let data = PlantedClusters.data(clusters: 4, perCluster: 5, withCategories: true)
        let trainer = Trainer(config: config(.inputPlusContext))
        let parameters = trainer.makeParameters()
        let continued = try trainer.train(data, continuing: parameters)
        for view in continued.views {
            let p = try #require(parameters.viewIndex(named: view.name))
            let input = parameters.views[p].input.matrixCopy().values
            let context = parameters.views[p].context.matrixCopy().values
            #expect(context.contains { $0 != 0 }, "the context table of \(view.name) was trained")
            #expect(view.embeddings.values == zip(input, context).map { $0 + $1 }, "view \(view.name)")
        }
        let inputOnly = Trainer.modelCopy(parameters: parameters, data: data, config: trainer.config, vectors: .input)
        for view in inputOnly.views {
            let p = try #require(parameters.viewIndex(named: view.name))
            #expect(view.embeddings.values == parameters.views[p].input.matrixCopy().values)
        }
        // From scratch the context is added in place before it is freed: the same values.
        let fresh = try trainer.train(data)
        #expect(fresh.views == continued.views)
        #expect(fresh.alignments == continued.alignments)
        // Training does not depend on the setting, only what is published.
        let plain = try Trainer(config: config(.input)).train(data)
        #expect(plain.views == inputOnly.views)
    }

    @Test("combine adds the context element-wise where it has rows and leaves the input as it is for .input")
    func combine() {
        let input: [Float] = [1, 2, 3, 4], context: [Float] = [0.5, -1]
        input.withUnsafeBufferPointer { i in
            context.withUnsafeBufferPointer { c in
                #expect(EmbeddingVectors.inputPlusContext.combine(input: i, context: c) == [1.5, 1, 3, 4])
                #expect(EmbeddingVectors.input.combine(input: i, context: c) == input)
            }
        }
    }

    @Test("negative_power p draws node i with probability count^p / sum: 0 uniform, 1 by frequency")
    func negativePowerProportions() {
        let counts = [1, 4, 16]
        for (power, expected) in [(0.0, [1.0, 1, 1]), (1.0, [1.0, 4, 16]), (0.5, [1.0, 2, 4])] {
            let sampler = UnigramSampler(counts: counts, power: power)
            var rng = TrainingRNG(seed: 5, stream: 1)
            var drawn = [0, 0, 0]
            let n = 200_000
            for _ in 0..<n { drawn[Int(sampler.sample(using: &rng))] += 1 }
            let total = expected.reduce(0, +)
            for i in counts.indices {
                let share = Double(drawn[i]) / Double(n), want = expected[i] / total
                #expect(abs(share - want) < 0.01, "power \(power), node \(i): \(share) vs \(want)")
            }
        }
    }

    @Test("the pipeline keys reach the trainer; bad values name the field")
    func pipelineKeys() throws {
        let base = "name: t\nevents: {user: u, item: i, time: t}\n"
        let defaults = TrainerConfig(pipeline: try PipelineConfig.parse(yaml: base).training)
        #expect(defaults.embedding == .inputPlusContext && defaults.negativePower == 0.75)
        let config = try PipelineConfig.parse(yaml: base + "training: {embedding: input, negative_power: -0.5}")
        let trainer = TrainerConfig(pipeline: config.training)
        #expect(trainer.embedding == .input && trainer.negativePower == -0.5)
        for (bad, field) in [("embedding: output", "embedding"), ("negative_power: 3", "negative_power"),
                             ("negative_power: .nan", "negative_power"), ("negative_power: -2", "negative_power")] {
            do {
                _ = try PipelineConfig.parse(yaml: base + "training: {\(bad)}")
                Issue.record("accepted \(bad)")
            } catch {
                #expect("\(error)".contains("training.\(field)"), "\(error)")
            }
        }
    }
}
