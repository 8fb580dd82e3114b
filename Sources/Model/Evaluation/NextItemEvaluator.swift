import Foundation
import Linalg

/// Ranks all items by cosine similarity to the query item and scores where the true next
/// item lands.
///
/// Conventions: the query item itself is excluded from its ranking (it would trivially rank
/// first), so a transition `a -> a` cannot be scored and is skipped; so is any transition
/// with an id outside the table. Ranks are 1-based; items scoring exactly the same as the
/// target are ranked before it when their id is smaller (a fixed, pessimistic-for-high-ids
/// tie rule). A zero vector has cosine 0 with everything.
public struct NextItemEvaluator: Sendable {
    private let rows: Int
    private let dim: Int
    /// Row-normalised item table.
    private let normalized: [Float]

    /// Queries scored per gemm call (bounded so the score block stays near 4M floats).
    public var queryBatch: Int

    public init(embeddings: EmbeddingMatrix) {
        rows = embeddings.rows
        dim = embeddings.dim
        var values = embeddings.values
        for r in 0..<rows {
            var norm: Float = 0
            for j in 0..<dim { norm += values[r * dim + j] * values[r * dim + j] }
            let inv = norm > 0 ? 1 / norm.squareRoot() : 0
            for j in 0..<dim { values[r * dim + j] *= inv }
        }
        normalized = values
        queryBatch = max(1, min(256, 4_000_000 / max(1, rows)))
    }

    /// The 1-based rank of `to` among all items except `from`, or nil when not scorable.
    public func rank(of transition: ItemTransition) -> Int? {
        rankBatch([transition]).first ?? nil
    }

    /// Scores `transitions` and reports HitRate at each of `ks` and MRR.
    public func evaluate(_ transitions: [ItemTransition], ks: [Int] = [10, 20, 50]) -> NextItemEvaluation {
        var hits = [Int](repeating: 0, count: ks.count)
        var reciprocal = 0.0
        var evaluated = 0, skipped = 0
        var start = 0
        while start < transitions.count {
            let end = min(transitions.count, start + queryBatch)
            for rank in rankBatch(Array(transitions[start..<end])) {
                guard let rank else { skipped += 1; continue }
                evaluated += 1
                reciprocal += 1 / Double(rank)
                for (i, k) in ks.enumerated() where rank <= k { hits[i] += 1 }
            }
            start = end
        }
        let denominator = Double(max(evaluated, 1))
        return NextItemEvaluation(
            evaluated: evaluated, skipped: skipped,
            hitRates: zip(ks, hits).map { HitRateAtK(k: $0, hitRate: Double($1) / denominator) },
            mrr: evaluated > 0 ? reciprocal / denominator : 0)
    }

    private func rankBatch(_ batch: [ItemTransition]) -> [Int?] {
        let valid = batch.map { Int($0.from) < rows && Int($0.to) < rows && $0.from != $0.to }
        let queries = batch.indices.filter { valid[$0] }
        guard !queries.isEmpty else { return batch.map { _ in nil } }
        let q = queries.count
        var queryMatrix = [Float](repeating: 0, count: q * dim)
        for (i, t) in queries.enumerated() {
            let src = Int(batch[t].from) * dim
            for j in 0..<dim { queryMatrix[i * dim + j] = normalized[src + j] }
        }
        var scores = [Float](repeating: 0, count: q * rows)
        queryMatrix.withUnsafeBufferPointer { qm in
            normalized.withUnsafeBufferPointer { tm in
                scores.withUnsafeMutableBufferPointer { sm in
                    BLAS.gemm(.none, .transpose, m: q, n: rows, k: dim, alpha: 1, qm, tm, beta: 0, sm)
                }
            }
        }
        var result = [Int?](repeating: nil, count: batch.count)
        scores.withUnsafeBufferPointer { s in
            for (i, t) in queries.enumerated() {
                let a = Int(batch[t].from), b = Int(batch[t].to)
                let row = i * rows
                let target = s[row + b]
                var better = 0
                for j in 0..<rows where j != a && j != b {
                    let v = s[row + j]
                    if v > target || (v == target && j < b) { better += 1 }
                }
                result[t] = better + 1
            }
        }
        return result
    }
}
