import Testing
@testable import Model

/// How learned task weights become step sizes (`TaskWeightScaling`).
@Suite struct TaskWeightScalingTests {
    // Views: 0 item, 1 genre, 2 shop. Tasks, numbered apart from the views so that a view
    // index used as a task index shows: 0 align:item->genre, 1 intra:shop, 2 intra:item,
    // 3 align:item->shop, 4 intra:genre.
    static let weights: [Float] = [2.0, 0.8, 0.5, 1.7, 1.0]

    static func factors(_ scaling: TaskWeightScaling, weights: [Float] = weights,
                        active: [Bool] = [true, true, true, true, true]) -> TaskStepFactors {
        TaskStepFactors(weights: weights, scaling: scaling, intraTask: [2, 4, 1], alignTask: [0, 3],
                        alignSourceView: [0, 0], alignTargetView: [1, 2], activeTasks: active)
    }

    @Test func perTableStepsEachTableByItsOwnTaskAtTheLearningRate() {
        let f = Self.factors(.perTable)
        #expect(f.intra == [1, 1, 1])
        #expect(f.alignMatrix == [1, 1])
        // Alignment rows move relative to the owning view's intra weight.
        #expect(f.alignSource == [2.0 / 0.5, 1.7 / 0.5])
        #expect(f.alignTarget == [2.0 / 1.0, 1.7 / 0.8])
    }

    @Test func perTableWithoutAnOwnerTaskUsesTheLearningRate() {
        // intra:genre has no work (e.g. no walks): its rows have no owner.
        let f = Self.factors(.perTable, active: [true, true, true, true, false])
        #expect(f.alignTarget == [1, 1.7 / 0.8])
        #expect(f.alignSource == [2.0 / 0.5, 1.7 / 0.5])
        // An owner weight so small that the ratio overflows also falls back to 1.
        let tiny = Self.factors(.perTable, weights: [2.0, 0.8, .leastNonzeroMagnitude, 1.7, 1.0])
        #expect(tiny.alignSource == [1, 1])
        #expect(tiny.alignTarget == [2.0 / 1.0, 1.7 / 0.8])
    }

    @Test(arguments: [TaskWeightScaling.mean, .raw])
    func meanAndRawScaleEveryParameterOfATaskByItsWeight(scaling: TaskWeightScaling) {
        let f = Self.factors(scaling)
        #expect(f.intra == [0.5, 1.0, 0.8])
        #expect(f.alignSource == [2.0, 1.7] && f.alignTarget == [2.0, 1.7] && f.alignMatrix == [2.0, 1.7])
    }

    /// Per table, the learned weights only mix tasks that share parameters: with no
    /// alignments, every view trains exactly as with fixed weights (bit-identical), although
    /// the learned weights differ from 1. Mean scaling changes the step of each view.
    @Test func perTableWithoutSharedParametersEqualsFixedWeights() throws {
        var config = TrainingQualityTests.config()
        config.tasks.align = false
        config.uncertaintyLearningRate = 0.05
        let data = PlantedClusters.data(withCategories: true)
        let fixed = try Trainer(config: config).train(data)
        config.tasks.uncertainty = true
        config.taskWeightScaling = .perTable
        let perTable = try Trainer(config: config).train(data)
        let weights = perTable.tasks.tasks.filter { $0.kind == .intra }.map(\.weight)
        #expect(weights.count == 2 && weights.allSatisfy { abs($0 - 1) > 0.01 }, "weights \(weights)")
        #expect(perTable.views == fixed.views)
        config.taskWeightScaling = .mean
        let mean = try Trainer(config: config).train(data)
        #expect(mean.views[0].embeddings != fixed.views[0].embeddings)
    }
}
