import Foundation
import Testing
@testable import Model

/// Central-difference checks of the skip-gram updates. With learning rate 1 an update moves
/// every parameter by exactly minus its gradient (all gradients of one call are taken at
/// the starting point), so `before - after` is the analytic gradient, compared here with
/// numerical derivatives of the loss evaluated in Double.
@Suite struct GradientSkipGramTests {
    static let dim = 6

    static func randomTable(rows: Int, seed: UInt64, scale: Float = 0.6) -> EmbeddingTable {
        var rng = TrainingRNG(seed: seed)
        return EmbeddingTable(rows: rows, dim: dim,
                              values: (0..<(rows * dim)).map { _ in (rng.nextUnitFloat() - 0.5) * 2 * scale })
    }

    /// Σ_v [ -log σ(E_v·C_u) - Σ_k log σ(-E_v·C_nk) ], negatives equal to `centre` skipped.
    static func windowLoss(_ e: [Double], _ c: [Double], contexts: [Int], centre: Int, negatives: [Int]) -> Double {
        let d = dim
        func dot(_ a: Int, _ b: Int) -> Double { (0..<d).reduce(0) { $0 + e[a * d + $1] * c[b * d + $1] } }
        func nls(_ x: Double) -> Double { log(1 + exp(-x)) }
        var loss = 0.0
        for v in contexts {
            loss += nls(dot(v, centre))
            for n in negatives where n != centre { loss += nls(-dot(v, n)) }
        }
        return loss
    }

    /// Numerical gradient of `windowLoss` for every entry of both tables.
    static func numericalGradient(_ input: EmbeddingTable, _ output: EmbeddingTable,
                                  contexts: [Int], centre: Int, negatives: [Int]) -> ([Double], [Double]) {
        var e = input.buffer.map(Double.init), c = output.buffer.map(Double.init)
        let h = 1e-6
        var ge = [Double](repeating: 0, count: e.count), gc = [Double](repeating: 0, count: c.count)
        for i in e.indices {
            let x = e[i]
            e[i] = x + h; let up = windowLoss(e, c, contexts: contexts, centre: centre, negatives: negatives)
            e[i] = x - h; let down = windowLoss(e, c, contexts: contexts, centre: centre, negatives: negatives)
            e[i] = x
            ge[i] = (up - down) / (2 * h)
        }
        for i in c.indices {
            let x = c[i]
            c[i] = x + h; let up = windowLoss(e, c, contexts: contexts, centre: centre, negatives: negatives)
            c[i] = x - h; let down = windowLoss(e, c, contexts: contexts, centre: centre, negatives: negatives)
            c[i] = x
            gc[i] = (up - down) / (2 * h)
        }
        return (ge, gc)
    }

    static func expectClose(_ analytic: [Double], _ numerical: [Double], tolerance: Double, _ label: String) {
        #expect(analytic.count == numerical.count)
        let worst = zip(analytic, numerical).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < tolerance, "\(label): worst |analytic - numerical| = \(worst)")
        #expect(numerical.contains { abs($0) > 1e-3 }, "\(label): degenerate check, all gradients ~0")
    }

    @Test func referencePairGradientMatchesCentralDifferences() {
        let input = Self.randomTable(rows: 5, seed: 1), output = Self.randomTable(rows: 5, seed: 2)
        let context = 3, centre = 1, negatives = [0, 2, 4]
        let (ge, gc) = Self.numericalGradient(input, output, contexts: [context], centre: centre, negatives: negatives)
        let e0 = input.buffer.map(Double.init), c0 = output.buffer.map(Double.init)
        let kernel = SkipGramKernel(dim: Self.dim, maxContexts: 1, maxNegatives: 3)
        let negs = negatives.map(UInt32.init)
        let loss = negs.withUnsafeBufferPointer {
            kernel.updatePair(input: input, output: output, context: UInt32(context), centre: UInt32(centre),
                              negatives: $0, learningRate: 1)
        }
        let expectedLoss = Self.windowLoss(e0, c0, contexts: [context], centre: centre, negatives: negatives)
        #expect(abs(Double(loss) - expectedLoss) < 1e-5)
        let ae = zip(e0, input.buffer).map { $0 - Double($1) }
        let ac = zip(c0, output.buffer).map { $0 - Double($1) }
        Self.expectClose(ae, ge, tolerance: 2e-5, "input table")
        Self.expectClose(ac, gc, tolerance: 2e-5, "output table (centre and negatives)")
    }

    @Test func fastWindowGradientMatchesCentralDifferences() {
        // Duplicate context (2 twice), a repeated negative (4) and a negative equal to the
        // centre (1, which must be skipped).
        let input = Self.randomTable(rows: 6, seed: 3), output = Self.randomTable(rows: 6, seed: 4)
        let contexts = [0, 2, 5, 2], centre = 1, negatives = [3, 4, 1, 4]
        let (ge, gc) = Self.numericalGradient(input, output, contexts: contexts, centre: centre, negatives: negatives)
        let e0 = input.buffer.map(Double.init), c0 = output.buffer.map(Double.init)
        let kernel = SkipGramKernel(dim: Self.dim, maxContexts: 4, maxNegatives: 4)
        let ctx = contexts.map(UInt32.init), negs = negatives.map(UInt32.init)
        let loss = ctx.withUnsafeBufferPointer { cb in negs.withUnsafeBufferPointer { nb in
            kernel.updateWindow(input: input, output: output, centre: UInt32(centre), contexts: cb,
                                negatives: nb, learningRate: 1) } }
        let expectedLoss = Self.windowLoss(e0, c0, contexts: contexts, centre: centre, negatives: negatives)
        #expect(abs(Double(loss) - expectedLoss) < 1e-4)
        Self.expectClose(zip(e0, input.buffer).map { $0 - Double($1) }, ge, tolerance: 5e-5, "input table")
        Self.expectClose(zip(c0, output.buffer).map { $0 - Double($1) }, gc, tolerance: 5e-5, "output table")
    }

    /// The fast path and the per-pair path, given the same window and negatives, make the
    /// same update up to O(lr²) (the per-pair path moves output rows between pairs).
    @Test func fastPathUpdateEqualsPerPairUpdate() {
        let contexts: [UInt32] = [0, 2, 3, 5, 6, 7], centre: UInt32 = 4, negatives: [UInt32] = [1, 8, 9, 2, 6]
        let lr: Float = 1e-3
        let inA = Self.randomTable(rows: 10, seed: 5), outA = Self.randomTable(rows: 10, seed: 6)
        let inB = inA.copy(), outB = outA.copy()
        let kernel = SkipGramKernel(dim: Self.dim, maxContexts: 6, maxNegatives: 5)
        var referenceLoss: Float = 0
        negatives.withUnsafeBufferPointer { nb in
            for c in contexts {
                referenceLoss += kernel.updatePair(input: inA, output: outA, context: c, centre: centre,
                                                   negatives: nb, learningRate: lr)
            }
        }
        let fastLoss = contexts.withUnsafeBufferPointer { cb in negatives.withUnsafeBufferPointer { nb in
            kernel.updateWindow(input: inB, output: outB, centre: centre, contexts: cb, negatives: nb, learningRate: lr) } }
        let start = Self.randomTable(rows: 10, seed: 5), startOut = Self.randomTable(rows: 10, seed: 6)
        let dRefIn = zip(inA.buffer, start.buffer).map { $0 - $1 }, dFastIn = zip(inB.buffer, start.buffer).map { $0 - $1 }
        let dRefOut = zip(outA.buffer, startOut.buffer).map { $0 - $1 }
        let dFastOut = zip(outB.buffer, startOut.buffer).map { $0 - $1 }
        let scale = (dRefIn + dRefOut).map(abs).max() ?? 0
        #expect(scale > 1e-4, "updates too small to compare")
        let worst = max(zip(dRefIn, dFastIn).map { abs($0 - $1) }.max() ?? 0,
                        zip(dRefOut, dFastOut).map { abs($0 - $1) }.max() ?? 0)
        #expect(worst < 0.01 * scale, "worst difference \(worst) vs update scale \(scale)")
        // The per-pair path's loss is accumulated while moving, so it differs by O(lr).
        #expect(abs(referenceLoss - fastLoss) < 1e-2 * fastLoss)
    }
}
