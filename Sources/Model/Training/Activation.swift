import Foundation

/// The logistic function and the numerically stable pieces of the logistic loss.
@usableFromInline
enum Logistic {
    /// `1 / (1 + exp(-x))`.
    @inline(__always) @usableFromInline
    static func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }

    /// `-log sigmoid(x)` = `log(1 + exp(-x))`, stable for large |x|.
    @inline(__always) @usableFromInline
    static func negLogSigmoid(_ x: Float) -> Float {
        x > 0 ? log1pf(expf(-x)) : -x + log1pf(expf(x))
    }

    /// `(sigmoid(x), sigmoid(-x), -log sigmoid(x))` from one `exp` and one `log` (the fast
    /// path's per-logit work): with `e = exp(-|x|)`, the two sigmoids are `1 / (1 + e)` and
    /// `e / (1 + e)` (each computed directly, no `1 - s` cancellation), and
    /// `-log sigmoid(x) = max(-x, 0) + log(1 + e)`, with ``log1pUnit(_:)`` for the log (the
    /// loss only feeds reports and the uncertainty weights; the gradients are exact).
    @inline(__always) @usableFromInline
    static func sigmoidAndLoss(_ x: Float) -> (sigmoid: Float, complement: Float, loss: Float) {
        let e = expf(-abs(x))
        let onePlus = 1 + e
        let large = 1 / onePlus, small = e / onePlus
        let log = log1pUnit(e)
        return x >= 0 ? (large, small, log) : (small, large, -x + log)
    }

    /// `log(1 + e)` for `e` in [0, 1]: a degree-8 polynomial (least-squares Chebyshev fit),
    /// absolute error about 1e-7 in exact arithmetic and below 2e-7 evaluated in Float, for
    /// a fraction of the cost of `log1pf`.
    @inline(__always) @usableFromInline
    static func log1pUnit(_ e: Float) -> Float {
        var p: Float = -0.006074877643740236
        p = p * e + 0.03441859352056854
        p = p * e - 0.09231376866991943
        p = p * e + 0.16478349729867933
        p = p * e - 0.23919071732133323
        p = p * e + 0.3313340057250358
        p = p * e - 0.49980116320372914
        p = p * e + 0.9999914545717464
        return p * e + 9.083786844943376e-08
    }
}

/// The map `f` applied to both sides of an alignment before the score (method.md task 2).
public enum AlignmentActivation: String, Sendable, Codable, CaseIterable {
    /// `f(x) = sigmoid(x)` element-wise (the M2GRL demo's default).
    case sigmoid
    /// `f(x) = x`.
    case identity
}
