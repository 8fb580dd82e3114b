import COpenBLAS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal typed surface over the single-precision CBLAS calls the model uses.
///
/// All matrices are row-major. Buffers are borrowed for the duration of a call only;
/// callers own the memory. Sizes are checked with `precondition` because a wrong
/// size here is a programming error, never a data error.
public enum BLAS {
    /// Whether a matrix operand is used as stored or transposed.
    public enum Transpose: Sendable {
        case none
        case transpose

        @usableFromInline var cblas: CBLAS_TRANSPOSE {
            switch self {
            case .none: return CblasNoTrans
            case .transpose: return CblasTrans
            }
        }
    }

    /// Limits the number of threads OpenBLAS uses for level-3 calls. The trainer runs its
    /// own threads and calls BLAS from each of them, so it sets this to 1.
    public static func setThreadCount(_ n: Int) {
        openblas_set_num_threads(Int32(max(1, n)))
    }

    /// `x . y` over the first `count` elements (all of `x` by default).
    @inlinable
    public static func dot(
        _ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>
    ) -> Float {
        precondition(x.count == y.count, "BLAS.dot: length mismatch \(x.count) vs \(y.count)")
        guard x.count > 0 else { return 0 }
        return cblas_sdot(Int32(x.count), x.baseAddress, 1, y.baseAddress, 1)
    }

    /// `y += alpha * x`.
    @inlinable
    public static func axpy(
        _ alpha: Float, _ x: UnsafeBufferPointer<Float>, _ y: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(x.count == y.count, "BLAS.axpy: length mismatch \(x.count) vs \(y.count)")
        guard x.count > 0 else { return }
        cblas_saxpy(Int32(x.count), alpha, x.baseAddress, 1, y.baseAddress, 1)
    }

    /// `y = alpha * op(A) * x + beta * y`, with `A` an `rows x cols` row-major matrix.
    @inlinable
    public static func gemv(
        _ trans: Transpose, rows: Int, cols: Int,
        alpha: Float, _ a: UnsafeBufferPointer<Float>,
        _ x: UnsafeBufferPointer<Float>,
        beta: Float, _ y: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(a.count >= rows * cols, "BLAS.gemv: A has \(a.count) < \(rows)x\(cols)")
        let (xn, yn) = trans == .none ? (cols, rows) : (rows, cols)
        precondition(x.count >= xn && y.count >= yn, "BLAS.gemv: vector sizes")
        guard rows > 0, cols > 0 else { return }
        cblas_sgemv(
            CblasRowMajor, trans.cblas, Int32(rows), Int32(cols), alpha,
            a.baseAddress, Int32(cols), x.baseAddress, 1, beta, y.baseAddress, 1)
    }

    /// Which implementation a ``gemm(_:_:m:n:k:alpha:_:lda:_:ldb:beta:_:ldc:kernel:)`` call uses.
    public enum GemmKernel: Sendable {
        /// Tiny products (at most 32,768 multiply-adds) in Swift SIMD, the rest in OpenBLAS.
        /// `M2GRL_GEMM=openblas` in the environment sends everything to OpenBLAS (for
        /// comparisons).
        case automatic
        /// Always `cblas_sgemm`.
        case openBLAS
        /// Always the Swift SIMD kernels (any size; slow for large ones).
        case small
    }

    @usableFromInline static let automaticUsesOpenBLASOnly: Bool = {
        guard let value = getenv("M2GRL_GEMM") else { return false }
        return String(cString: value) == "openblas"
    }()

    /// `C = alpha * op(A) * op(B) + beta * C`, row-major, with `op(A)` of size `m x k`,
    /// `op(B)` of size `k x n` and `C` of size `m x n`. Leading dimensions default to the
    /// stored row lengths; pass them to operate on sub-matrices of wider buffers.
    @inlinable
    public static func gemm(
        _ transA: Transpose, _ transB: Transpose,
        m: Int, n: Int, k: Int,
        alpha: Float,
        _ a: UnsafeBufferPointer<Float>, lda: Int? = nil,
        _ b: UnsafeBufferPointer<Float>, ldb: Int? = nil,
        beta: Float,
        _ c: UnsafeMutableBufferPointer<Float>, ldc: Int? = nil,
        kernel: GemmKernel = .automatic
    ) {
        let lda = lda ?? (transA == .none ? k : m)
        let ldb = ldb ?? (transB == .none ? n : k)
        let ldc = ldc ?? n
        let aRows = transA == .none ? m : k
        let bRows = transB == .none ? k : n
        precondition(m >= 0 && n >= 0 && k >= 0, "BLAS.gemm: negative size")
        precondition(aRows == 0 || a.count >= (aRows - 1) * lda + (transA == .none ? k : m),
                     "BLAS.gemm: A too small")
        precondition(bRows == 0 || b.count >= (bRows - 1) * ldb + (transB == .none ? n : k),
                     "BLAS.gemm: B too small")
        precondition(m == 0 || c.count >= (m - 1) * ldc + n, "BLAS.gemm: C too small")
        guard m > 0, n > 0 else { return }
        let small: Bool
        switch kernel {
        case .automatic: small = m * n * k <= SmallGemm.maxWork && !automaticUsesOpenBLASOnly
        case .openBLAS: small = false
        case .small: small = true
        }
        if small, let ap = a.baseAddress, let bp = b.baseAddress, let cp = c.baseAddress {
            SmallGemm.gemm(transA, transB, m: m, n: n, k: k, alpha: alpha, ap, lda: lda, bp, ldb: ldb,
                           beta: beta, cp, ldc: ldc)
            return
        }
        cblas_sgemm(
            CblasRowMajor, transA.cblas, transB.cblas,
            Int32(m), Int32(n), Int32(k), alpha,
            a.baseAddress, Int32(lda), b.baseAddress, Int32(ldb),
            beta, c.baseAddress, Int32(ldc))
    }
}
