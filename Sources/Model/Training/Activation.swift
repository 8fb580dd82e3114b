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
}

/// The map `f` applied to both sides of an alignment before the score (method.md task 2).
public enum AlignmentActivation: String, Sendable, Codable, CaseIterable {
    /// `f(x) = sigmoid(x)` element-wise (the M2GRL demo's default).
    case sigmoid
    /// `f(x) = x`.
    case identity
}
