/// Row-major single-precision gemm for tiny shapes, in Swift SIMD: the skip-gram window's
/// products are a few rows by the embedding dimension (for example 10 x 6 x 128), where an
/// OpenBLAS call spends most of its time packing the operands and scaling `C` rather than
/// multiplying (measured: packing and `sgemm_beta` took as long as the multiply kernel).
/// ``BLAS/gemm(_:_:m:n:k:alpha:_:lda:_:ldb:beta:_:ldc:)`` sends calls of at most
/// ``maxWork`` multiply-adds here, the way OpenBLAS's own small-matrix path and libxsmm do.
///
/// Same contract as `cblas_sgemm` (row-major): `C = alpha * op(A) * op(B) + beta * C`; with
/// `beta == 0`, `C` is not read. Summation order differs from OpenBLAS, so results agree to
/// rounding, not bit for bit; for given inputs they are always the same.
@usableFromInline
enum SmallGemm {
    /// Calls with `m * n * k` up to this go to the SIMD kernels.
    @usableFromInline static let maxWork = 32_768

    @usableFromInline
    static func gemm(
        _ transA: BLAS.Transpose, _ transB: BLAS.Transpose, m: Int, n: Int, k: Int, alpha: Float,
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        switch (transA, transB) {
        case (.none, .transpose):
            // C[i, j] = A_i . B_j: rows against rows.
            for i in 0..<m {
                let ai = a + i * lda, ci = c + i * ldc
                for j in 0..<n {
                    let s = alpha * SIMDKernels.dot(ai, b + j * ldb, k)
                    ci[j] = beta == 0 ? s : s + beta * ci[j]
                }
            }
        case (.none, .none):
            // C_i = sum_p A[i, p] * B_p.
            for i in 0..<m {
                combineRows(count: k, coefficient: { a[i * lda + $0] }, b, ldb: ldb, n: n,
                            alpha: alpha, beta: beta, c + i * ldc)
            }
        case (.transpose, .none):
            // C_i = sum_p A[p, i] * B_p.
            for i in 0..<m {
                combineRows(count: k, coefficient: { a[$0 * lda + i] }, b, ldb: ldb, n: n,
                            alpha: alpha, beta: beta, c + i * ldc)
            }
        case (.transpose, .transpose):
            for i in 0..<m {
                for j in 0..<n {
                    var s: Float = 0
                    for p in 0..<k { s += a[p * lda + i] * b[j * ldb + p] }
                    c[i * ldc + j] = beta == 0 ? alpha * s : alpha * s + beta * c[i * ldc + j]
                }
            }
        }
    }

    /// `out = alpha * sum_p coefficient(p) * B_p + beta * out` over `n` columns, 32 columns
    /// at a time in four SIMD accumulators (B's rows stay in L1 across the column blocks).
    @inline(__always)
    static func combineRows(
        count k: Int, coefficient: (Int) -> Float, _ b: UnsafePointer<Float>, ldb: Int, n: Int,
        alpha: Float, beta: Float, _ out: UnsafeMutablePointer<Float>
    ) {
        let rb = UnsafeRawPointer(b), ro = UnsafeMutableRawPointer(out)
        let av = SIMD8<Float>(repeating: alpha), bv = SIMD8<Float>(repeating: beta)
        var j = 0
        while j + 32 <= n {
            var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
            for p in 0..<k {
                let w = SIMD8<Float>(repeating: coefficient(p))
                let o = (p * ldb + j) * 4
                s0 += w * rb.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                s1 += w * rb.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self)
                s2 += w * rb.loadUnaligned(fromByteOffset: o + 64, as: SIMD8<Float>.self)
                s3 += w * rb.loadUnaligned(fromByteOffset: o + 96, as: SIMD8<Float>.self)
            }
            let o = j * 4
            if beta == 0 {
                ro.storeBytes(of: av * s0, toByteOffset: o, as: SIMD8<Float>.self)
                ro.storeBytes(of: av * s1, toByteOffset: o + 32, as: SIMD8<Float>.self)
                ro.storeBytes(of: av * s2, toByteOffset: o + 64, as: SIMD8<Float>.self)
                ro.storeBytes(of: av * s3, toByteOffset: o + 96, as: SIMD8<Float>.self)
            } else {
                let c0 = ro.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                let c1 = ro.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self)
                let c2 = ro.loadUnaligned(fromByteOffset: o + 64, as: SIMD8<Float>.self)
                let c3 = ro.loadUnaligned(fromByteOffset: o + 96, as: SIMD8<Float>.self)
                ro.storeBytes(of: av * s0 + bv * c0, toByteOffset: o, as: SIMD8<Float>.self)
                ro.storeBytes(of: av * s1 + bv * c1, toByteOffset: o + 32, as: SIMD8<Float>.self)
                ro.storeBytes(of: av * s2 + bv * c2, toByteOffset: o + 64, as: SIMD8<Float>.self)
                ro.storeBytes(of: av * s3 + bv * c3, toByteOffset: o + 96, as: SIMD8<Float>.self)
            }
            j += 32
        }
        while j < n {
            var s: Float = 0
            for p in 0..<k { s += coefficient(p) * b[p * ldb + j] }
            out[j] = beta == 0 ? alpha * s : alpha * s + beta * out[j]
            j += 1
        }
    }
}
