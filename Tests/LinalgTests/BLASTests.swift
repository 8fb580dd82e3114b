import Testing
@testable import Linalg

/// A tiny deterministic generator so the tests need no global RNG state.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private func randomVector(_ n: Int, _ rng: inout SplitMix) -> [Float] {
    (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
}

private func close(_ a: [Float], _ b: [Float], tol: Float = 1e-4) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tol * max(1, abs($1)) }
}

@Suite("BLAS against a naive reference")
struct BLASTests {
    @Test(arguments: [1, 7, 128, 1000])
    func dot(n: Int) {
        var rng = SplitMix(state: UInt64(n))
        let x = randomVector(n, &rng), y = randomVector(n, &rng)
        let expected = zip(x, y).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        let got = x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { BLAS.dot(xp, $0) } }
        #expect(abs(got - expected) < 1e-3)
    }

    @Test func axpy() {
        var rng = SplitMix(state: 3)
        let x = randomVector(130, &rng)
        var y = randomVector(130, &rng)
        let expected = zip(x, y).map { 0.25 * $0 + $1 }
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { BLAS.axpy(0.25, xp, $0) } }
        #expect(close(y, expected))
    }

    @Test(arguments: [BLAS.Transpose.none, .transpose])
    func gemv(trans: BLAS.Transpose) {
        var rng = SplitMix(state: 5)
        let rows = 9, cols = 13
        let a = randomVector(rows * cols, &rng)
        let xn = trans == .none ? cols : rows, yn = trans == .none ? rows : cols
        let x = randomVector(xn, &rng)
        var y = randomVector(yn, &rng)
        var expected = [Float](repeating: 0, count: yn)
        for i in 0..<yn {
            var s: Float = 0
            for j in 0..<xn { s += (trans == .none ? a[i * cols + j] : a[j * cols + i]) * x[j] }
            expected[i] = 2 * s + 0.5 * y[i]
        }
        a.withUnsafeBufferPointer { ap in
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer {
                    BLAS.gemv(trans, rows: rows, cols: cols, alpha: 2, ap, xp, beta: 0.5, $0)
                }
            }
        }
        #expect(close(y, expected))
    }

    /// Every transpose pair, with padded leading dimensions, against a naive product; both
    /// `beta` cases (with `beta == 0`, C holds NaN that must not leak into the result).
    @Test(arguments: [BLAS.GemmKernel.openBLAS, .small, .automatic],
          [(6, 10, 7), (10, 128, 6), (6, 128, 10), (10, 6, 128), (3, 37, 45), (40, 128, 20)])
    func gemm(kernel: BLAS.GemmKernel, shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var rng = SplitMix(state: UInt64(11 + m * n * k))
        for (ta, tb) in [(BLAS.Transpose.none, BLAS.Transpose.none), (.none, .transpose), (.transpose, .none), (.transpose, .transpose)] {
            for beta in [Float(-1), 0] {
                // Stored shapes: A is m x k (or k x m when transposed), B is k x n (or n x k);
                // every row has 3 floats of padding.
                let lda = (ta == .none ? k : m) + 3, ldb = (tb == .none ? n : k) + 3, ldc = n + 3
                let a = randomVector((ta == .none ? m : k) * lda, &rng)
                let b = randomVector((tb == .none ? k : n) * ldb, &rng)
                var c = randomVector(m * ldc, &rng)
                func aAt(_ i: Int, _ p: Int) -> Float { ta == .none ? a[i * lda + p] : a[p * lda + i] }
                func bAt(_ p: Int, _ j: Int) -> Float { tb == .none ? b[p * ldb + j] : b[j * ldb + p] }
                var expected = c
                for i in 0..<m {
                    for j in 0..<n {
                        var s: Float = 0
                        for p in 0..<k { s += aAt(i, p) * bAt(p, j) }
                        expected[i * ldc + j] = 1.5 * s + (beta == 0 ? 0 : beta * c[i * ldc + j])
                    }
                }
                if beta == 0 {
                    for i in 0..<m { for j in 0..<n { c[i * ldc + j] = .nan } }
                }
                a.withUnsafeBufferPointer { ap in
                    b.withUnsafeBufferPointer { bp in
                        c.withUnsafeMutableBufferPointer {
                            BLAS.gemm(ta, tb, m: m, n: n, k: k, alpha: 1.5, ap, lda: lda, bp, ldb: ldb,
                                      beta: beta, $0, ldc: ldc, kernel: kernel)
                        }
                    }
                }
                #expect(close(c, expected, tol: 1e-3), "\(ta) \(tb) beta \(beta)")
            }
        }
    }

    @Test func gemmOnSubMatrixWithLeadingDimensions() {
        // C[0..<2, 0..<2] of a 2x4 buffer = A(2x3) * B(3x2); the rest of C stays untouched.
        let a: [Float] = [1, 2, 3, 4, 5, 6]
        let b: [Float] = [1, 0, 0, 1, 1, 1]
        var c = [Float](repeating: 9, count: 8)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer {
                    BLAS.gemm(.none, .none, m: 2, n: 2, k: 3, alpha: 1, ap, bp, beta: 0, $0, ldc: 4)
                }
            }
        }
        #expect(c == [4, 5, 9, 9, 10, 11, 9, 9])
    }
}
