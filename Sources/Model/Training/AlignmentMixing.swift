/// How alignment examples are chosen each epoch (`training.align_sampling`).
public enum AlignmentSampling: String, Sendable, Equatable, Codable, CaseIterable {
    /// Every distinct (item, attribute) pair `align_passes` times, shuffled: a rarely walked
    /// item gets as many alignment steps as a popular one.
    case passes
    /// As many examples as `passes` gives (`align_passes` x pairs), each drawn with
    /// probability proportional to its item's occurrences in the item walks (an item's
    /// share split evenly among its values): alignment arrives as often as its item does,
    /// as when the M2GRL demo mixes all tasks into one stream. Items absent from the walks
    /// get none.
    case occurrence
}

/// How a batch's gradient reaches a row that appears several times in it
/// (`training.align_row_step`): hot attribute rows (a popular genre, drawn as the positive
/// of many pairs and as many pairs' negatives) appear dozens of times per batch.
public enum AlignmentRowStep: String, Sendable, Equatable, Codable, CaseIterable {
    /// The row takes the sum of its occurrences' (separately clipped) steps.
    case sum
    /// The row takes the mean of its occurrences' steps: one step's worth per batch.
    case mean
}

/// word2vec's frequent-token subsampling (`training.sample`, Mikolov et al. 2013 as in the
/// word2vec C code): a token whose node has frequency `f = count / total` in its view's
/// walks is kept with probability `min(1, (sqrt(f / t) + 1) * t / f)` each time a walk is
/// trained, for threshold `t`; dropped tokens leave the window (the walk closes up).
public enum FrequentNodeSubsampling {
    /// Keep probability of a node seen `count` times among `total` tokens, threshold `t`
    /// (> 0); 1 for a node never seen.
    public static func keepProbability(count: Int, total: Int, threshold t: Double) -> Double {
        guard count > 0, total > 0, t > 0 else { return 1 }
        let f = Double(count) / Double(total)
        return min(1, ((f / t).squareRoot() + 1) * t / f)
    }

    /// Per node of `corpus`, its keep probability (empty when `threshold` is 0: no subsampling).
    public static func keepProbabilities(corpus: WalkCorpus, threshold: Double) -> [Float] {
        guard threshold > 0 else { return [] }
        var counts = [Int](repeating: 0, count: corpus.nodeCount)
        for t in corpus.tokens where Int(t) < counts.count { counts[Int(t)] += 1 }
        let total = corpus.tokens.count
        return counts.map { Float(keepProbability(count: $0, total: total, threshold: threshold)) }
    }
}
