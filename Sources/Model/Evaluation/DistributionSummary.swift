/// A few order statistics of a set of numbers. Percentiles are nearest-rank: `pX` is the
/// value at rank `ceil(X/100 * n)` of the values sorted ascending (p50 of 4 values is the
/// second smallest, p1 of fewer than 100 values the smallest). Values that are not finite
/// (from a table holding NaN) are left out and counted in `nonFinite`.
public struct DistributionSummary: Sendable, Equatable, Codable {
    /// Finite values summarised.
    public var count: Int
    public var mean: Double
    public var min: Double
    public var p1: Double
    public var p10: Double
    public var p50: Double
    /// Values left out because they were NaN or infinite (nil when none were).
    public var nonFinite: Int?

    /// Nil when no value is finite.
    public init?<C: Collection>(_ values: C) where C.Element == Double {
        let finite = values.filter(\.isFinite).sorted()
        guard let first = finite.first else { return nil }
        count = finite.count
        mean = finite.reduce(0, +) / Double(finite.count)
        min = first
        p1 = Self.percentile(finite, 0.01)
        p10 = Self.percentile(finite, 0.10)
        p50 = Self.percentile(finite, 0.50)
        let dropped = values.count - finite.count
        nonFinite = dropped > 0 ? dropped : nil
    }

    /// Nearest-rank percentile of ascending `sorted` (not empty), `fraction` in (0, 1].
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        let rank = (fraction * Double(sorted.count)).rounded(.up)
        return sorted[Swift.min(sorted.count - 1, Swift.max(0, Int(rank) - 1))]
    }
}
