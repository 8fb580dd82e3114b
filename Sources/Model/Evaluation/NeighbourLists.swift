import Linalg

/// Exact (brute-force) top-k cosine neighbour lists of many rows of one table at once:
/// the rows are normalised once, and blocks of query rows are scored against the whole
/// table with one BLAS `gemm` per block (`queries x rows x dim` multiply-adds in all, then
/// a scan of `queries x rows` scores: all rows of a 50,000-row table at dim 64 take about 25 s
/// of CPU, 100,000 rows four times that).
///
/// A list holds the `k` rows with the highest cosine to the query row, the query row itself
/// left out, best first; equal scores keep the smaller row first (as `NearestNeighbors`).
/// A zero row scores 0 against everything; a row with NaN scores below every other.
public struct NeighbourLists: Sendable {
    public let rows: Int
    public let dim: Int
    /// The rows, each scaled to length 1.
    private let normalized: [Float]
    /// A block of queries holds at most this many scores (default 16 MiB of them).
    public let maxBlockScores: Int

    public init(table: EmbeddingMatrix, maxBlockScores: Int = 1 << 22) {
        self.maxBlockScores = max(1, maxBlockScores)
        rows = table.rows
        dim = table.dim
        var values = table.values
        let dim = table.dim
        for r in 0..<table.rows {
            var norm: Float = 0
            for d in 0..<dim { norm += values[r * dim + d] * values[r * dim + d] }
            let inverse = norm > 0 ? 1 / norm.squareRoot() : 0
            for d in 0..<dim { values[r * dim + d] *= inverse }
        }
        normalized = values
    }

    /// The top-`k` neighbour rows of each row in `queries` (each in `0..<rows`), in the
    /// order of `queries`.
    public func lists(of queries: [Int], k: Int) -> [[Int]] {
        guard k > 0, rows > 0, dim > 0 else { return queries.map { _ in [] } }
        precondition(queries.allSatisfy { $0 >= 0 && $0 < rows }, "NeighbourLists: query row out of range")
        let block = max(1, min(queries.count, maxBlockScores / rows))
        var out: [[Int]] = []
        out.reserveCapacity(queries.count)
        var gathered = [Float](repeating: 0, count: block * dim)
        var scores = [Float](repeating: 0, count: block * rows)
        var start = 0
        while start < queries.count {
            let count = min(block, queries.count - start)
            for (i, q) in queries[start..<(start + count)].enumerated() {
                for d in 0..<dim { gathered[i * dim + d] = normalized[q * dim + d] }
            }
            gathered.withUnsafeBufferPointer { a in
                normalized.withUnsafeBufferPointer { b in
                    scores.withUnsafeMutableBufferPointer { c in
                        BLAS.gemm(.none, .transpose, m: count, n: rows, k: dim, alpha: 1, a, b, beta: 0, c)
                    }
                }
            }
            for i in 0..<count {
                out.append(Self.best(k, scores[(i * rows)..<((i + 1) * rows)], excluding: queries[start + i]))
            }
            start += count
        }
        return out
    }

    /// The `k` highest scores' positions (relative to the slice start), `excluding` left out.
    static func best(_ k: Int, _ scores: ArraySlice<Float>, excluding: Int) -> [Int] {
        var best: [(row: Int, score: Float)] = []
        best.reserveCapacity(k + 1)
        for (row, raw) in zip(0..., scores) where row != excluding {
            let score = raw.isNaN ? -Float.infinity : raw   // a NaN row (a corrupt table) ranks last
            if best.count == k, let last = best.last, !(score > last.score) { continue }
            var i = best.count
            while i > 0 && score > best[i - 1].score { i -= 1 }
            best.insert((row, score), at: i)
            if best.count > k { best.removeLast() }
        }
        return best.map(\.row)
    }
}
