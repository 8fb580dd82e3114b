import Linalg

/// One search result: a row of the searched table and its score.
public struct Neighbor: Sendable, Equatable {
    public var row: Int
    public var score: Float

    public init(row: Int, score: Float) {
        self.row = row
        self.score = score
    }
}

/// Exact (brute-force) k-nearest-neighbour search over the rows of one table.
///
/// Scores are computed with one BLAS `gemv` per query. Results are ordered by score,
/// highest first; equal scores keep the smaller row first. With `.cosine` the rows and the
/// query are normalised first and a zero vector scores 0 against everything.
public struct NearestNeighbors: Sendable {
    /// How a candidate row is scored against the query.
    public enum Similarity: String, Sendable, CaseIterable {
        /// `q·x / (|q| |x|)`.
        case cosine
        /// `q·x` (e.g. the alignment task's trained score in an aligned space).
        case dot
    }

    public let similarity: Similarity
    public let rows: Int
    public let dim: Int
    /// The candidate rows, normalised for `.cosine`.
    private let table: [Float]

    public init(candidates: EmbeddingMatrix, similarity: Similarity = .cosine) {
        self.similarity = similarity
        rows = candidates.rows
        dim = candidates.dim
        var values = candidates.values
        let (rows, dim) = (candidates.rows, candidates.dim)
        if similarity == .cosine {
            values.withUnsafeMutableBufferPointer { buffer in
                for r in 0..<rows { Self.normalize(UnsafeMutableBufferPointer(rebasing: buffer[(r * dim)..<((r + 1) * dim)])) }
            }
        }
        table = values
    }

    /// The `k` best rows for `query` (`dim` floats), skipping the rows in `excluding`
    /// (e.g. the query's own row).
    public func nearest(to query: [Float], k: Int, excluding: Set<Int> = []) throws -> [Neighbor] {
        guard query.count == dim else { throw NearestNeighborsError.dimensionMismatch(query: query.count, table: dim) }
        guard k > 0, rows > 0 else { return [] }
        var q = query
        if similarity == .cosine { q.withUnsafeMutableBufferPointer { Self.normalize($0) } }
        var scores = [Float](repeating: 0, count: rows)
        table.withUnsafeBufferPointer { a in
            q.withUnsafeBufferPointer { x in
                scores.withUnsafeMutableBufferPointer { y in
                    BLAS.gemv(.none, rows: rows, cols: dim, alpha: 1, a, x, beta: 0, y)
                }
            }
        }
        // Keep the best k in a small sorted buffer (k is small next to rows).
        var best: [Neighbor] = []
        best.reserveCapacity(k + 1)
        for (row, score) in scores.enumerated() where !excluding.contains(row) {
            if best.count == k, let last = best.last, !(score > last.score) { continue }
            var i = best.count
            while i > 0 && score > best[i - 1].score { i -= 1 }
            best.insert(Neighbor(row: row, score: score), at: i)
            if best.count > k { best.removeLast() }
        }
        return best
    }

    private static func normalize(_ v: UnsafeMutableBufferPointer<Float>) {
        var norm: Float = 0
        for x in v { norm += x * x }
        let inverse = norm > 0 ? 1 / norm.squareRoot() : 0
        for i in v.indices { v[i] *= inverse }
    }
}

/// Why a neighbour search or projection could not run.
public enum NearestNeighborsError: Error, Equatable, CustomStringConvertible {
    case dimensionMismatch(query: Int, table: Int)
    case alignmentShape(rows: Int, cols: Int, embeddingDim: Int)

    public var description: String {
        switch self {
        case let .dimensionMismatch(q, t): return "query has \(q) dimensions, the table \(t)"
        case let .alignmentShape(r, c, d): return "alignment matrix is \(r)x\(c), embeddings have \(d) dimensions"
        }
    }
}
