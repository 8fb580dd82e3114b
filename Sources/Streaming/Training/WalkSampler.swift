import Model

/// Chooses the walks of one training round from a view's ring, biased toward recent walks:
///
/// 1. every block added since the previous round ("fresh"), newest first, until the budget
///    is spent (a fresh block larger than what is left contributes its newest walks);
/// 2. the rest of the budget from older blocks of the ring, drawn uniformly without
///    replacement (so old walks keep being rehearsed and the model does not forget them).
///
/// Fresh walks that did not fit stay in the ring and can be drawn later as old ones.
public struct WalkSampler: Sendable {
    public struct Pick: Sendable, Equatable {
        public var block: WalkRingBlock
        /// Walks to take from the end of the block (its newest).
        public var walks: Int
        public var fresh: Bool
    }

    public var budget: Int

    public init(budget: Int) { self.budget = budget }

    /// The blocks to read; `seen` is the ring sequence number up to which walks were fresh
    /// in a previous round.
    public func pick<R: RandomNumberGenerator>(
        blocks: [WalkRingBlock], seen: UInt64, using rng: inout R
    ) -> [Pick] {
        var left = budget
        var picks: [Pick] = []
        var older: [WalkRingBlock] = []
        for block in blocks.reversed() {
            if block.start >= seen, left > 0 {
                let take = min(left, block.count)
                picks.append(Pick(block: block, walks: take, fresh: true))
                left -= take
            } else if block.start < seen {
                older.append(block)
            }
        }
        older.shuffle(using: &rng)
        for block in older where left > 0 {
            let take = min(left, block.count)
            picks.append(Pick(block: block, walks: take, fresh: false))
            left -= take
        }
        return picks
    }
}

extension WalkCorpus {
    /// The last `count` walks of this corpus appended to `into`.
    func appendSuffix(walks count: Int, to into: inout WalkCorpus) {
        let first = max(0, walkCount - count)
        for i in first..<walkCount { into.append(walk: walk(i)) }
    }
}
