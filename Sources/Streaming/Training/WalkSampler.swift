import Model

/// Chooses the walks of one training round from a view's ring, biased toward recent walks:
///
/// 1. Fresh walks (in blocks added since the previous round), **coverage first**: going
///    through them newest first, one walk from every start node not covered yet (up to
///    `coverageLimit` walks), then the other fresh walks, newest first, while the round has
///    fewer than `freshLimit` walks. Every node whose out-edges changed starts fresh walks
///    (`IngestProcessor`), so every node touched by a new transition gets a training update
///    in the next round, also when the ingest rate produces more fresh walks than a round
///    can train (a hot node touched by every batch does not crowd out the others).
/// 2. Rehearsal: if the round has fewer than `budget` walks, the rest of the budget from
///    older blocks of the ring, drawn uniformly without replacement (old walks keep being
///    rehearsed and the model does not forget them).
///
/// Fresh walks left out stay in the ring and can be drawn later as old ones.
public struct WalkSampler: Sendable {
    public struct Pick: Sendable, Equatable {
        public var block: WalkRingBlock
        /// Walks to take from the end of the block (its newest).
        public var walks: Int
    }

    public var budget: Int
    public var freshLimit: Int
    public var coverageLimit: Int

    /// Defaults: fresh walks up to 4 x `budget`, one walk per touched node up to 16 x `budget`.
    public init(budget: Int, freshLimit: Int? = nil, coverageLimit: Int? = nil) {
        self.budget = budget
        self.freshLimit = freshLimit ?? 4 * budget
        self.coverageLimit = coverageLimit ?? 16 * budget
    }

    /// The fresh blocks of a view's ring (added at or after `seen`), newest first.
    public func freshBlocks(_ blocks: [WalkRingBlock], seen: UInt64) -> [WalkRingBlock] {
        blocks.reversed().filter { $0.start >= seen }
    }

    /// The fresh walks of the round from the fresh blocks' walks, newest block first (the
    /// order of `freshBlocks`): coverage, then fill (see the type's description).
    public func selectFresh(_ blocks: [WalkCorpus], nodeCount: Int) -> WalkCorpus {
        var selected = WalkCorpus(nodeCount: nodeCount)
        var covered = Set<UInt32>()
        var taken: [[Bool]] = blocks.map { Array(repeating: false, count: $0.walkCount) }
        coverage: for (b, block) in blocks.enumerated() {
            for w in stride(from: block.walkCount - 1, through: 0, by: -1) {
                guard selected.walkCount < coverageLimit else { break coverage }
                let walk = block.walk(w)
                guard let start = walk.first, covered.insert(start).inserted else { continue }
                selected.append(walk: walk)
                taken[b][w] = true
            }
        }
        fill: for (b, block) in blocks.enumerated() {
            for w in stride(from: block.walkCount - 1, through: 0, by: -1) where !taken[b][w] {
                guard selected.walkCount < freshLimit else { break fill }
                selected.append(walk: block.walk(w))
            }
        }
        return selected
    }

    /// Rehearsal: `walks` walks from the blocks added before `seen`, drawn uniformly by
    /// block (a block larger than what is left contributes its newest walks).
    public func pickRehearsal<R: RandomNumberGenerator>(
        blocks: [WalkRingBlock], seen: UInt64, walks: Int, using rng: inout R
    ) -> [Pick] {
        var older = blocks.filter { $0.start < seen }
        older.shuffle(using: &rng)
        var left = walks
        var picks: [Pick] = []
        for block in older where left > 0 {
            let take = min(left, block.count)
            picks.append(Pick(block: block, walks: take))
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
