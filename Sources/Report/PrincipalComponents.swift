import Foundation
import Linalg

/// The leading principal components of a set of row vectors: the covariance is formed with
/// one `gemm`, then each component is found by power iteration and deflated away.
public struct PrincipalComponents: Sendable, Equatable {
    /// Mean of the rows (`dim` values).
    public var mean: [Float]
    /// Unit-length components, strongest first (`dim` values each).
    public var components: [[Float]]
    /// Variance of the rows along each component.
    public var variances: [Double]
    /// Total variance of the rows (trace of the covariance).
    public var totalVariance: Double

    /// Computes the first `count` components of `rows` (`rowCount x dim`, row-major).
    /// Components of a rank-deficient input beyond its rank come out with zero variance.
    public init(rows: [Float], rowCount: Int, dim: Int, count: Int = 2, iterations: Int = 300) throws {
        guard dim > 0, rowCount > 0, rows.count == rowCount * dim else {
            throw ReportError.invalidMatrix(rows: rowCount, dim: dim, values: rows.count)
        }
        var mean = [Float](repeating: 0, count: dim)
        for r in 0..<rowCount { for c in 0..<dim { mean[c] += rows[r * dim + c] } }
        for c in 0..<dim { mean[c] /= Float(rowCount) }
        var centered = rows
        for r in 0..<rowCount { for c in 0..<dim { centered[r * dim + c] -= mean[c] } }
        var covariance = [Float](repeating: 0, count: dim * dim)
        centered.withUnsafeBufferPointer { x in
            covariance.withUnsafeMutableBufferPointer { cov in
                BLAS.gemm(.transpose, .none, m: dim, n: dim, k: rowCount,
                          alpha: 1 / Float(max(1, rowCount - 1)), x, x, beta: 0, cov)
            }
        }
        var matrix = covariance.map(Double.init)
        totalVariance = (0..<dim).reduce(0) { $0 + matrix[$1 * dim + $1] }
        var components: [[Float]] = []
        var variances: [Double] = []
        for k in 0..<min(count, dim) {
            let (vector, value) = Self.dominantEigenvector(matrix, dim: dim, seed: k, iterations: iterations)
            components.append(vector.map(Float.init))
            variances.append(max(0, value))
            for i in 0..<dim { for j in 0..<dim { matrix[i * dim + j] -= value * vector[i] * vector[j] } }
        }
        self.mean = mean
        self.components = components
        self.variances = variances
    }

    /// Coordinates of `rows` on the components (`rowCount` arrays of `components.count`).
    public func project(rows: [Float], rowCount: Int) -> [[Double]] {
        let dim = mean.count
        return (0..<rowCount).map { r in
            components.map { component in
                var s = 0.0
                for c in 0..<dim { s += Double(rows[r * dim + c] - mean[c]) * Double(component[c]) }
                return s
            }
        }
    }

    /// Power iteration on a symmetric positive semi-definite matrix.
    private static func dominantEigenvector(_ m: [Double], dim: Int, seed: Int, iterations: Int) -> ([Double], Double) {
        // A fixed, non-degenerate start vector (not aligned with any axis).
        var v = (0..<dim).map { 1 + 0.37 * sin(Double($0 * 7 + seed * 13 + 1)) }
        normalize(&v)
        var value = 0.0
        for _ in 0..<iterations {
            var w = [Double](repeating: 0, count: dim)
            for i in 0..<dim {
                var s = 0.0
                for j in 0..<dim { s += m[i * dim + j] * v[j] }
                w[i] = s
            }
            value = zip(w, v).reduce(0) { $0 + $1.0 * $1.1 }
            guard normalize(&w) > 1e-12 else { return (v, 0) }
            let change = zip(w, v).reduce(0) { $0 + abs($1.0 - $1.1) }
            v = w
            if change < 1e-10 { break }
        }
        return (v, value)
    }

    @discardableResult
    private static func normalize(_ v: inout [Double]) -> Double {
        let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if n > 0 { for i in v.indices { v[i] /= n } }
        return n
    }
}
