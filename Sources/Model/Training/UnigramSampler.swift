import Foundation

/// Draws negative samples for one view from the unigram distribution raised to 0.75
/// (word2vec), using Walker's alias method: O(1) per draw from one 64-bit random number.
public struct UnigramSampler: Sendable {
    /// Acceptance threshold per bucket, scaled to `UInt32` range.
    private var threshold: [UInt32]
    private var alias: [UInt32]

    /// Number of ids the sampler draws from (`0..<count`).
    public var count: Int { threshold.count }

    /// Builds the sampler from per-id counts (id = index). Ids with count 0 are never drawn,
    /// unless every count is 0, in which case draws are uniform.
    public init(counts: [Int], power: Double = 0.75) {
        self.init(weights: counts.map { $0 > 0 ? pow(Double($0), power) : 0 })
    }

    /// Draws id `i` with probability `weights[i] / sum(weights)` (weights >= 0; non-finite
    /// and negative ones count as 0). Uniform when every weight is 0.
    public init(weights: [Double]) {
        let n = weights.count
        var weights = weights.map { $0.isFinite && $0 > 0 ? $0 : 0 }
        var total = weights.reduce(0, +)
        if total <= 0 {
            weights = Array(repeating: 1, count: n)
            total = Double(n)
        }
        var scaled = weights.map { $0 * Double(n) / max(total, 1e-300) }
        var threshold = [UInt32](repeating: UInt32.max, count: n)
        var alias = [UInt32](repeating: 0, count: n)
        var small: [Int] = [], large: [Int] = []
        for i in 0..<n { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.last, let l = large.last {
            small.removeLast()
            threshold[s] = UInt32(min(scaled[s] * 4_294_967_296.0, 4_294_967_295.0))
            alias[s] = UInt32(l)
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 {
                large.removeLast()
                small.append(l)
            }
        }
        // Leftovers (rounding) accept always.
        for i in small + large { threshold[i] = UInt32.max; alias[i] = UInt32(i) }
        self.threshold = threshold
        self.alias = alias
    }

    /// Builds the sampler from the token counts of a walk corpus.
    public init(corpus: WalkCorpus, power: Double = 0.75) {
        var counts = [Int](repeating: 0, count: corpus.nodeCount)
        for t in corpus.tokens where Int(t) < counts.count { counts[Int(t)] += 1 }
        self.init(counts: counts, power: power)
    }

    /// One id drawn from the distribution. The sampler must not be empty.
    @inline(__always)
    public func sample(using rng: inout TrainingRNG) -> UInt32 {
        let r = rng.next()
        let bucket = Int(((r >> 32) &* UInt64(threshold.count)) >> 32)
        return UInt32(truncatingIfNeeded: r) < threshold[bucket] ? UInt32(bucket) : alias[bucket]
    }
}
