import Linalg

/// The inter-view alignment update (method.md task 2) for a mini-batch of (item, attribute)
/// pairs of one aligned pair of views, with a learned `dim x dim` matrix `W` applied on the
/// right of row vectors:
///
///     ẽ = f(E_src[i] W),  c̃ = f(E_dst[c] W),  s = ẽ · c̃,  s'_k = ẽ · f(E_dst[c'_k] W)
///     L = -log σ(s) - Σ_k log σ(-s'_k)
///
/// Both sides use the views' input tables. Gradients flow to `E_src[i]`, `E_dst[c]`,
/// `E_dst[c'_k]` and `W`. All gradients of a batch are computed from the parameters as they
/// were at the start of the batch, then applied as one SGD step (`W` once per batch, rows
/// in place, Hogwild). The rows are stacked into one matrix so the forward pass and both
/// backward products are single `BLAS.gemm` calls. A negative equal to the pair's own
/// attribute contributes nothing. Every gradient element is clipped to ±`gradientClip`
/// (the M2GRL demo clips at ±1): with the identity activation the score is quartic in the
/// parameters and large steps otherwise diverge.
///
/// A kernel owns per-thread scratch memory; use one per training thread.
public final class AlignmentKernel {
    public let dim: Int
    /// Element-wise bound on gradients (not on the loss): ±1 as in the M2GRL demo.
    public var gradientClip: Float = 1
    private let capacityRows: Int
    private let x: UnsafeMutableBufferPointer<Float>   // stacked rows, R x dim
    private let a: UnsafeMutableBufferPointer<Float>   // x W, then f(x W)
    private let da: UnsafeMutableBufferPointer<Float>  // dL/d(x W)
    private let dx: UnsafeMutableBufferPointer<Float>  // dL/dx
    private let dw: UnsafeMutableBufferPointer<Float>  // dL/dW, dim x dim
    private var multiplicity: [Int: Int] = [:]          // row key -> occurrences in the batch (`.mean`)

    /// - Parameters:
    ///   - maxBatch: the most pairs per call.
    ///   - maxNegatives: the most negatives per pair.
    public init(dim: Int, maxBatch: Int, maxNegatives: Int) {
        self.dim = dim
        capacityRows = max(1, maxBatch) * (2 + max(0, maxNegatives))
        x = .allocate(capacity: capacityRows * dim)
        a = .allocate(capacity: capacityRows * dim)
        da = .allocate(capacity: capacityRows * dim)
        dx = .allocate(capacity: capacityRows * dim)
        dw = .allocate(capacity: dim * dim)
    }

    deinit { x.deallocate(); a.deallocate(); da.deallocate(); dx.deallocate(); dw.deallocate() }

    /// One SGD step over a batch. `negatives` holds `negativesPerPair` ids for each pair, in
    /// pair order. `learningRate` steps `W`; `sourceLearningRate` and `targetLearningRate`
    /// (default: `learningRate`) step the source rows and the target rows (attribute and
    /// negatives), for task weights that differ per table (`TaskWeightScaling.perTable`).
    /// `rowStep` says whether a row held several times in the batch takes the sum or the
    /// mean of its occurrences' clipped steps. Returns the summed loss of the batch before
    /// the step.
    @discardableResult
    public func update(
        source: EmbeddingTable, target: EmbeddingTable, matrix w: EmbeddingTable,
        sourceIds: UnsafeBufferPointer<UInt32>, targetIds: UnsafeBufferPointer<UInt32>,
        negatives: UnsafeBufferPointer<UInt32>, negativesPerPair k: Int,
        activation: AlignmentActivation, learningRate: Float,
        sourceLearningRate: Float? = nil, targetLearningRate: Float? = nil, rowStep: AlignmentRowStep = .sum
    ) -> Float {
        let d = dim
        let group = 2 + k
        let pairs = min(sourceIds.count, targetIds.count, capacityRows / group)
        let rows = pairs * group
        guard pairs > 0, negatives.count >= pairs * k,
              let xb = x.baseAddress, let ab = a.baseAddress, let dab = da.baseAddress,
              let dxb = dx.baseAddress else { return 0 }
        func rowId(_ r: Int) -> (EmbeddingTable, Int) {
            let p = r / group, slot = r % group
            switch slot {
            case 0: return (source, Int(sourceIds[p]))
            case 1: return (target, Int(targetIds[p]))
            default: return (target, Int(negatives[p * k + slot - 2]))
            }
        }
        for r in 0..<rows {
            let (table, id) = rowId(r)
            (xb + r * d).update(from: table.rowPointer(id), count: d)
        }
        let xm = UnsafeBufferPointer(start: xb, count: rows * d)
        let am = UnsafeMutableBufferPointer(start: ab, count: rows * d)
        let wm = UnsafeBufferPointer(w.buffer)
        BLAS.gemm(.none, .none, m: rows, n: d, k: d, alpha: 1, xm, wm, beta: 0, am)
        if activation == .sigmoid {
            for i in 0..<(rows * d) { am[i] = Logistic.sigmoid(am[i]) }
        }
        // dL/dF into da, then times f'(A).
        VectorKernels.zero(dab, rows * d)
        var loss: Float = 0
        for p in 0..<pairs {
            let base = p * group
            let e = ab + base * d, de = dab + base * d
            let c = ab + (base + 1) * d
            let s = VectorKernels.dot(e, c, d)
            loss += Logistic.negLogSigmoid(s)
            let gPos = Logistic.sigmoid(s) - 1
            VectorKernels.axpy(gPos, c, de, d)
            VectorKernels.axpy(gPos, e, dab + (base + 1) * d, d)
            for j in 0..<k where negatives[p * k + j] != targetIds[p] {
                let cn = ab + (base + 2 + j) * d
                let sn = VectorKernels.dot(e, cn, d)
                loss += Logistic.negLogSigmoid(-sn)
                let gNeg = Logistic.sigmoid(sn)
                VectorKernels.axpy(gNeg, cn, de, d)
                VectorKernels.axpy(gNeg, e, dab + (base + 2 + j) * d, d)
            }
        }
        if activation == .sigmoid {
            for i in 0..<(rows * d) { da[i] *= am[i] * (1 - am[i]) }
        }
        let dxm = UnsafeMutableBufferPointer(start: dxb, count: rows * d)
        // dX = dA W^T (before W moves), dW = X^T dA; clipped, then applied.
        BLAS.gemm(.none, .transpose, m: rows, n: d, k: d, alpha: 1,
                  UnsafeBufferPointer(start: dab, count: rows * d), wm, beta: 0, dxm)
        BLAS.gemm(.transpose, .none, m: d, n: d, k: rows, alpha: 1,
                  xm, UnsafeBufferPointer(start: dab, count: rows * d), beta: 0, dw)
        let clip = gradientClip
        let wb = w.buffer
        for i in 0..<(d * d) { wb[i] -= learningRate * min(clip, max(-clip, dw[i])) }
        for i in 0..<(rows * d) { dxm[i] = min(clip, max(-clip, dxm[i])) }
        let sourceStep = sourceLearningRate ?? learningRate, targetStep = targetLearningRate ?? learningRate
        // A row's key: source ids even, target ids odd (the two tables may be one).
        func key(_ r: Int) -> Int { r % group == 0 ? 2 * rowId(r).1 : 2 * rowId(r).1 + 1 }
        if rowStep == .mean {
            multiplicity.removeAll(keepingCapacity: true)
            for r in 0..<rows { multiplicity[key(r), default: 0] += 1 }
        }
        for r in 0..<rows {
            let (table, id) = rowId(r)
            let share: Float = rowStep == .mean ? 1 / Float(multiplicity[key(r)] ?? 1) : 1
            VectorKernels.axpy(-(r % group == 0 ? sourceStep : targetStep) * share, dxb + r * d, table.rowPointer(id), d)
        }
        return loss
    }
}
