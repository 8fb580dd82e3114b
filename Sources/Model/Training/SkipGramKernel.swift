import Linalg

/// The intra-view skip-gram update with negative sampling (method.md task 1), in the
/// word2vec orientation: for a centre word `u` and each context word `v` in its window, the
/// context's input row `E_v` is scored against the centre's output row `C_u` (label 1) and
/// against `K` negatives' output rows `C_n` (label 0):
///
///     L(v, u) = -log σ(E_v · C_u) - Σ_k log σ(-E_v · C_{n_k})
///
/// Summed over a walk this is the same set of (centre, context) pairs as the method's
/// `-log σ(E_u · C_v)` with the roles of the two tables swapped, as word2vec does.
/// Negatives equal to the centre are skipped (word2vec). Updates are plain SGD steps of
/// size `learningRate` (already multiplied by the task weight), applied in place (Hogwild).
///
/// Two code paths:
/// - `updatePair` — the reference: one (context, centre) pair at a time, SIMD dot
///   products, output rows updated immediately, the input row once at the end (word2vec).
/// - `updateWindow` — the fast path (Ji et al. 2016): a whole window shares one set of
///   negatives; the context rows are gathered into a matrix and the logits and both
///   gradients come from three `BLAS.gemm` calls, then scattered back. For one window it
///   equals the reference path with the same negatives up to O(learningRate²) terms (the
///   reference path sees output rows already moved by earlier pairs of the window).
///
/// A kernel owns per-thread scratch memory; use one per training thread.
public final class SkipGramKernel {
    public let dim: Int
    private let maxContexts: Int
    private let maxOutputs: Int
    private let inputs: UnsafeMutableBufferPointer<Float>   // maxContexts x dim
    private let outputs: UnsafeMutableBufferPointer<Float>  // maxOutputs x dim
    private let logits: UnsafeMutableBufferPointer<Float>   // maxContexts x maxOutputs
    private let inputGrad: UnsafeMutableBufferPointer<Float>   // maxContexts x dim
    private let outputGrad: UnsafeMutableBufferPointer<Float>  // maxOutputs x dim
    private let pairGrad: UnsafeMutableBufferPointer<Float>    // dim

    /// - Parameters:
    ///   - maxContexts: the most context words a window can have (`2 * window`).
    ///   - maxNegatives: the most negatives per window or pair.
    public init(dim: Int, maxContexts: Int, maxNegatives: Int) {
        self.dim = dim
        self.maxContexts = max(1, maxContexts)
        self.maxOutputs = 1 + max(0, maxNegatives)
        inputs = .allocate(capacity: self.maxContexts * dim)
        outputs = .allocate(capacity: maxOutputs * dim)
        logits = .allocate(capacity: self.maxContexts * maxOutputs)
        inputGrad = .allocate(capacity: self.maxContexts * dim)
        outputGrad = .allocate(capacity: maxOutputs * dim)
        pairGrad = .allocate(capacity: dim)
    }

    deinit {
        inputs.deallocate(); outputs.deallocate(); logits.deallocate()
        inputGrad.deallocate(); outputGrad.deallocate(); pairGrad.deallocate()
    }

    /// Reference path: one SGD step on `L(context, centre)` with the given negatives.
    /// Returns the pair's loss before the step.
    @discardableResult
    public func updatePair(
        input: EmbeddingTable, output: EmbeddingTable,
        context: UInt32, centre: UInt32, negatives: UnsafeBufferPointer<UInt32>,
        learningRate: Float
    ) -> Float {
        let d = dim
        guard let acc = pairGrad.baseAddress else { return 0 }
        let e = input.rowPointer(Int(context))
        VectorKernels.zero(acc, d)
        var loss: Float = 0
        var k = -1
        while k < negatives.count {
            let target = k < 0 ? centre : negatives[k]
            if k >= 0 && target == centre { k += 1; continue }
            let c = output.rowPointer(Int(target))
            let f = VectorKernels.dot(e, c, d)
            let label: Float = k < 0 ? 1 : 0
            loss += Logistic.negLogSigmoid(k < 0 ? f : -f)
            let g = (label - Logistic.sigmoid(f)) * learningRate
            VectorKernels.accumulateAndUpdate(g, c: c, e: e, acc: acc, d)
            k += 1
        }
        VectorKernels.axpy(1, acc, e, d)
        return loss
    }

    /// Fast path: one SGD step on `Σ_v L(v, centre)` over the window's `contexts`, all
    /// sharing `negatives`, computed with three gemms. Returns the window's loss before
    /// the step (sum over its pairs).
    @discardableResult
    public func updateWindow(
        input: EmbeddingTable, output: EmbeddingTable,
        centre: UInt32, contexts: UnsafeBufferPointer<UInt32>,
        negatives: UnsafeBufferPointer<UInt32>, learningRate: Float
    ) -> Float {
        let d = dim
        let nc = min(contexts.count, maxContexts)
        let no = 1 + min(negatives.count, maxOutputs - 1)
        guard nc > 0, let inBase = inputs.baseAddress, let outBase = outputs.baseAddress,
              let gBase = logits.baseAddress,
              let dInBase = inputGrad.baseAddress, let dOutBase = outputGrad.baseAddress
        else { return 0 }
        // Gather.
        for i in 0..<nc {
            (inBase + i * d).update(from: input.rowPointer(Int(contexts[i])), count: d)
        }
        (outBase).update(from: output.rowPointer(Int(centre)), count: d)
        for j in 1..<no {
            (outBase + j * d).update(from: output.rowPointer(Int(negatives[j - 1])), count: d)
        }
        let inM = UnsafeBufferPointer(start: inBase, count: nc * d)
        let outM = UnsafeBufferPointer(start: outBase, count: no * d)
        let g = UnsafeMutableBufferPointer(start: gBase, count: nc * no)
        // Logits: [nc x d] x [d x no].
        BLAS.gemm(.none, .transpose, m: nc, n: no, k: d, alpha: 1, inM, outM, beta: 0, g)
        var loss: Float = 0
        for i in 0..<nc {
            let rowBase = i * no
            let positive = Logistic.sigmoidAndLoss(g[rowBase])
            loss += positive.loss
            g[rowBase] = positive.complement * learningRate   // (1 - sigmoid(f)) * lr
            for j in 1..<no {
                if negatives[j - 1] == centre { g[rowBase + j] = 0; continue }
                // Label 0: the loss is -log sigmoid(-f), the gradient -sigmoid(f) * lr.
                let negative = Logistic.sigmoidAndLoss(-g[rowBase + j])
                loss += negative.loss
                g[rowBase + j] = -negative.complement * learningRate
            }
        }
        let gM = UnsafeBufferPointer(g)
        // Input gradient: [nc x no] x [no x d]; output gradient: [no x nc] x [nc x d].
        let dIn = UnsafeMutableBufferPointer(start: dInBase, count: nc * d)
        let dOut = UnsafeMutableBufferPointer(start: dOutBase, count: no * d)
        BLAS.gemm(.none, .none, m: nc, n: d, k: no, alpha: 1, gM, outM, beta: 0, dIn)
        BLAS.gemm(.transpose, .none, m: no, n: d, k: nc, alpha: 1, gM, inM, beta: 0, dOut)
        // Scatter.
        for i in 0..<nc {
            VectorKernels.axpy(1, dInBase + i * d, input.rowPointer(Int(contexts[i])), d)
        }
        VectorKernels.axpy(1, dOutBase, output.rowPointer(Int(centre)), d)
        for j in 1..<no where negatives[j - 1] != centre {
            VectorKernels.axpy(1, dOutBase + j * d, output.rowPointer(Int(negatives[j - 1])), d)
        }
        return loss
    }
}
