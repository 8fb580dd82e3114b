import Model

/// Chooses the walks of one training round from a view's ring, biased toward recent walks:
///
/// 1. every block added since the previous round ("fresh"), newest first, up to
///    `freshLimit` walks (`4 x budget`: rounds grow with the ingest rate, so every new edge
///    is trained in the next round, but stay bounded when training falls behind; a block
///    larger than what is left contributes its newest walks);
/// 2. if the fresh walks are fewer than `budget`, the rest of the budget from older blocks of
///    the ring, drawn uniformly without replacement (old walks keep being rehearsed and the
///    model does not forget them).
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
    public var freshLimit: Int

    public init(budget: Int, freshLimit: Int? = nil) {
        self.budget = budget
        self.freshLimit = freshLimit ?? 4 * budget
    }

    /// The blocks to read; `seen` is the ring sequence number up to which walks were fresh
    /// in a previous round.
    public func pick<R: RandomNumberGenerator>(
        blocks: [WalkRingBlock], seen: UInt64, using rng: inout R
    ) -> [Pick] {
        var freshLeft = freshLimit
        var picks: [Pick] = []
        var older: [WalkRingBlock] = []
        for block in blocks.reversed() {
            if block.start >= seen, freshLeft > 0 {
                let take = min(freshLeft, block.count)
                picks.append(Pick(block: block, walks: take, fresh: true))
                freshLeft -= take
            } else if block.start < seen {
                older.append(block)
            }
        }
        var left = max(0, budget - (freshLimit - freshLeft))
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
