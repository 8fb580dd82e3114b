import Foundation
import Testing
@testable import Model

/// Central-difference checks of the alignment update (both embedding tables and W, with
/// sigmoid and identity activations) and of the uncertainty-weighted total loss.
@Suite struct GradientAlignmentTests {
    static let dim = 5

    struct Problem {
        var src: [Double], dst: [Double], w: [Double]
        var pairs: [(Int, Int)], negatives: [[Int]], activation: AlignmentActivation

        func f(_ x: Double) -> Double { activation == .sigmoid ? 1 / (1 + exp(-x)) : x }

        func mapped(_ table: [Double], _ row: Int) -> [Double] {
            let d = GradientAlignmentTests.dim
            return (0..<d).map { k in f((0..<d).reduce(0) { $0 + table[row * d + $1] * w[$1 * d + k] }) }
        }

        func loss() -> Double {
            func nls(_ x: Double) -> Double { log(1 + exp(-x)) }
            func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
            var total = 0.0
            for (p, (i, c)) in pairs.enumerated() {
                let e = mapped(src, i)
                total += nls(dot(e, mapped(dst, c)))
                for n in negatives[p] where n != c { total += nls(-dot(e, mapped(dst, n))) }
            }
            return total
        }
    }

    static func numerical(_ problem: Problem, _ keyPath: WritableKeyPath<Problem, [Double]>) -> [Double] {
        var p = problem
        let h = 1e-6
        return p[keyPath: keyPath].indices.map { i in
            let x = p[keyPath: keyPath][i]
            p[keyPath: keyPath][i] = x + h; let up = p.loss()
            p[keyPath: keyPath][i] = x - h; let down = p.loss()
            p[keyPath: keyPath][i] = x
            return (up - down) / (2 * h)
        }
    }

    @Test(arguments: [AlignmentActivation.sigmoid, .identity])
    func alignmentGradientMatchesCentralDifferences(activation: AlignmentActivation) {
        let d = Self.dim
        var rng = TrainingRNG(seed: 11)
        func values(_ n: Int, _ scale: Float) -> [Float] { (0..<n).map { _ in (rng.nextUnitFloat() - 0.5) * 2 * scale } }
        let srcValues = values(4 * d, 0.8), dstValues = values(5 * d, 0.8)
        var wValues = values(d * d, 0.3)
        for k in 0..<d { wValues[k * d + k] += 1 }
        // Pair 2 reuses source 1; target 3 of pair 0 is also a negative of pair 1; pair 1's
        // own target appears among its negatives (skipped).
        let pairs = [(1, 3), (2, 0), (1, 4)]
        let negatives = [[0, 2], [3, 0], [1, 2]]
        let problem = Problem(src: srcValues.map(Double.init), dst: dstValues.map(Double.init),
                              w: wValues.map(Double.init), pairs: pairs, negatives: negatives, activation: activation)
        let gSrc = Self.numerical(problem, \.src), gDst = Self.numerical(problem, \.dst), gW = Self.numerical(problem, \.w)

        let src = EmbeddingTable(rows: 4, dim: d, values: srcValues)
        let dst = EmbeddingTable(rows: 5, dim: d, values: dstValues)
        let w = EmbeddingTable(rows: d, dim: d, values: wValues)
        let kernel = AlignmentKernel(dim: d, maxBatch: 3, maxNegatives: 2)
        kernel.gradientClip = .infinity
        let s = pairs.map { UInt32($0.0) }, t = pairs.map { UInt32($0.1) }, n = negatives.flatMap { $0.map(UInt32.init) }
        let loss = s.withUnsafeBufferPointer { sb in t.withUnsafeBufferPointer { tb in n.withUnsafeBufferPointer { nb in
            kernel.update(source: src, target: dst, matrix: w, sourceIds: sb, targetIds: tb, negatives: nb,
                          negativesPerPair: 2, activation: activation, learningRate: 1) } } }
        #expect(abs(Double(loss) - problem.loss()) < 1e-4)
        GradientSkipGramTests.expectClose(zip(srcValues, src.buffer).map { Double($0 - $1) }, gSrc,
                                          tolerance: 5e-5, "source embeddings, \(activation)")
        GradientSkipGramTests.expectClose(zip(dstValues, dst.buffer).map { Double($0 - $1) }, gDst,
                                          tolerance: 5e-5, "target embeddings, \(activation)")
        GradientSkipGramTests.expectClose(zip(wValues, w.buffer).map { Double($0 - $1) }, gW,
                                          tolerance: 5e-5, "alignment matrix, \(activation)")
    }

    /// Per-side learning rates (`TaskWeightScaling.perTable`): each side's rows move by its
    /// own rate times the same gradient, and `W` by `learningRate`.
    @Test func sourceAndTargetRowsStepAtTheirOwnLearningRates() {
        let d = Self.dim
        var rng = TrainingRNG(seed: 5)
        func values(_ n: Int) -> [Float] { (0..<n).map { _ in rng.nextUnitFloat() - 0.5 } }
        let srcValues = values(3 * d), dstValues = values(4 * d)
        var wValues = values(d * d)
        for k in 0..<d { wValues[k * d + k] += 1 }
        let s: [UInt32] = [0, 2], t: [UInt32] = [1, 3], n: [UInt32] = [0, 2, 1, 0]
        func step(source: Float?, target: Float?) -> (src: [Float], dst: [Float], w: [Float]) {
            let src = EmbeddingTable(rows: 3, dim: d, values: srcValues)
            let dst = EmbeddingTable(rows: 4, dim: d, values: dstValues)
            let w = EmbeddingTable(rows: d, dim: d, values: wValues)
            let kernel = AlignmentKernel(dim: d, maxBatch: 2, maxNegatives: 2)
            s.withUnsafeBufferPointer { sb in t.withUnsafeBufferPointer { tb in n.withUnsafeBufferPointer { nb in
                _ = kernel.update(source: src, target: dst, matrix: w, sourceIds: sb, targetIds: tb, negatives: nb,
                                  negativesPerPair: 2, activation: .identity, learningRate: 0.25,
                                  sourceLearningRate: source, targetLearningRate: target) } } }
            return (zip(srcValues, src.buffer).map { $1 - $0 }, zip(dstValues, dst.buffer).map { $1 - $0 },
                    zip(wValues, w.buffer).map { $1 - $0 })
        }
        let same = step(source: nil, target: nil)
        let scaled = step(source: 0, target: 0.75)
        #expect(same.src.contains { abs($0) > 1e-4 } && same.dst.contains { abs($0) > 1e-4 })
        #expect(scaled.src.allSatisfy { $0 == 0 })
        #expect(zip(scaled.dst, same.dst).allSatisfy { abs($0 - 3 * $1) <= 1e-6 })
        #expect(scaled.w == same.w)
    }

    @Test func uncertaintyGradientsMatchCentralDifferences() {
        let losses = [2.7, 0.4, 1.3], s = [0.3, -1.2, 0.0]
        let h = 1e-6
        for t in losses.indices {
            var up = s, down = s
            up[t] += h; down[t] -= h
            let numerical = (UncertaintyWeighting.totalLoss(losses: losses, logVariances: up)
                - UncertaintyWeighting.totalLoss(losses: losses, logVariances: down)) / (2 * h)
            #expect(abs(numerical - UncertaintyWeighting.logVarianceGradient(loss: losses[t], logVariance: s[t])) < 1e-6)
            var lUp = losses, lDown = losses
            lUp[t] += h; lDown[t] -= h
            let dLoss = (UncertaintyWeighting.totalLoss(losses: lUp, logVariances: s)
                - UncertaintyWeighting.totalLoss(losses: lDown, logVariances: s)) / (2 * h)
            #expect(abs(dLoss - UncertaintyWeighting.gradientScale(logVariance: s[t])) < 1e-6)
        }
    }

    @Test func uncertaintyStepsTowardLogLossWithFloorAndNaNAsZero() {
        var high = 0.0, low = 0.0
        for _ in 0..<3000 {
            high = UncertaintyWeighting.step(logVariance: high, loss: 3.0, learningRate: 0.01)
            low = UncertaintyWeighting.step(logVariance: low, loss: 0.5, learningRate: 0.01)
        }
        #expect(abs(high - log(3.0)) < 0.02)
        #expect(abs(low - log(0.5)) < 0.02)
        #expect(UncertaintyWeighting.gradientScale(logVariance: high) < UncertaintyWeighting.gradientScale(logVariance: low))
        var floored = 0.0
        for _ in 0..<5000 { floored = UncertaintyWeighting.step(logVariance: floored, loss: .nan, learningRate: 0.01) }
        #expect(floored == UncertaintyWeighting.minimumLogVariance)
        #expect(UncertaintyWeighting.totalLoss(losses: [.nan, 1], logVariances: [0, 0]) == 0.5)
    }
}
