import Foundation

/// Homoscedastic uncertainty weighting of task losses (Kendall et al. 2018; method.md
/// task 3). Each task `t` has a learned `s_t = log σ_t²` and the total loss is
///
///     L = Σ_t ( exp(-s_t) · L_t / 2 + s_t / 2 )
///
/// so the gradient of `L` with respect to task `t`'s parameters is that task's gradient
/// scaled by `exp(-s_t) / 2`, and `∂L/∂s_t = (1 - exp(-s_t) · L_t) / 2`, which settles at
/// `exp(s_t) = L_t`: a task with a larger (noisier) loss ends with a smaller weight.
/// `σ_t²` is floored at 0.05 (`s_t ≥ ln 0.05`), and a NaN task loss counts as zero.
public enum UncertaintyWeighting {
    /// The floor of `s_t`: `ln 0.05`.
    public static let minimumLogVariance: Double = log(0.05)

    /// A NaN (or infinite) task loss counts as zero.
    @inlinable
    public static func sanitized(_ loss: Double) -> Double { loss.isFinite ? loss : 0 }

    /// The weighted total `Σ_t (exp(-s_t) L_t / 2 + s_t / 2)`.
    public static func totalLoss(losses: [Double], logVariances: [Double]) -> Double {
        precondition(losses.count == logVariances.count)
        var total = 0.0
        for (l, s) in zip(losses, logVariances) { total += exp(-s) * sanitized(l) / 2 + s / 2 }
        return total
    }

    /// The factor `exp(-s_t) / 2` that multiplies task `t`'s parameter gradients.
    @inlinable
    public static func gradientScale(logVariance s: Double) -> Double { exp(-s) / 2 }

    /// `∂L/∂s_t = (1 - exp(-s_t) L_t) / 2`.
    @inlinable
    public static func logVarianceGradient(loss: Double, logVariance s: Double) -> Double {
        (1 - exp(-s) * sanitized(loss)) / 2
    }

    /// One SGD step on `s_t` from a (mini-batch) task loss, the gradient clipped to ±1,
    /// the result floored at `ln 0.05`.
    public static func step(logVariance s: Double, loss: Double, learningRate: Double) -> Double {
        let g = min(1, max(-1, logVarianceGradient(loss: loss, logVariance: s)))
        return max(minimumLogVariance, s - learningRate * g)
    }
}
