/// One test transition: the user moved from item `from` to item `to` (dense item ids).
public struct ItemTransition: Sendable, Equatable, Codable {
    public var from: UInt32
    public var to: UInt32

    public init(from: UInt32, to: UInt32) {
        self.from = from
        self.to = to
    }
}

/// HitRate at one cut-off.
public struct HitRateAtK: Sendable, Equatable, Codable {
    public var k: Int
    public var hitRate: Double

    public init(k: Int, hitRate: Double) {
        self.k = k
        self.hitRate = hitRate
    }
}

/// Next-item ranking quality (method.md, "Evaluation protocol").
public struct NextItemEvaluation: Sendable, Equatable, Codable {
    /// Transitions ranked.
    public var evaluated: Int
    /// Transitions skipped: an id outside the table, or `from == to` (see `NextItemEvaluator`).
    public var skipped: Int
    /// Fraction of evaluated transitions whose target ranks within the top `k`.
    public var hitRates: [HitRateAtK]
    /// Mean of `1 / rank` of the target over the full ranking.
    public var mrr: Double

    public init(evaluated: Int, skipped: Int, hitRates: [HitRateAtK], mrr: Double) {
        self.evaluated = evaluated
        self.skipped = skipped
        self.hitRates = hitRates
        self.mrr = mrr
    }

    /// HitRate at `k`, if it was asked for.
    public func hitRate(at k: Int) -> Double? { hitRates.first { $0.k == k }?.hitRate }
}
