import EventSource
import Model
import Store

/// One block of walks in a view's ring: the sequence number of its first walk and its size.
public struct WalkRingBlock: Sendable, Equatable {
    public var start: UInt64
    public var count: Int

    public init(start: UInt64, count: Int) {
        self.start = start
        self.count = count
    }
}

/// An item-view edge created by ingestion: its source node (by name) and the time of the
/// event that completed the transition.
public struct NewEdge: Sendable, Equatable {
    public var from: String
    public var eventTimeMs: Int64
}

/// What the continuous trainer needs from ingestion for one round, copied out under the
/// processor's lock in O(new nodes + items): nothing here aliases the live graphs, so
/// ingestion never waits for a training round, only for this copy.
public struct TrainingFeed: Sendable {
    /// View names, the item view first.
    public var viewNames: [String]
    /// Per view, the names of ids `knownRows[v] ..< totalRows[v]` (the vocabulary grown
    /// since the caller last asked).
    public var newNodeNames: [[String]]
    /// Per view, the vocabulary size.
    public var totalRows: [Int]
    /// Per view, the blocks in the walk ring, oldest first.
    public var ringBlocks: [[WalkRingBlock]]
    /// Per view, the sequence number the next walk will get (walks before it exist or were
    /// evicted).
    public var walkNext: [UInt64]
    /// Item -> attribute pairs of every pipeline alignment.
    public var alignments: [AlignmentPairs]
    /// Latest event time (ms) applied on any partition (0: none yet).
    public var eventTimeWatermarkMs: Int64
    /// Next offset per partition, as stored.
    public var offsets: [SourcePartition: Int64]
    /// Item edges created since the previous feed (only with `IngestOptions.trackNewEdges`).
    public var newEdges: [NewEdge] = []
}

extension IngestProcessor {
    /// The state the trainer reads for a round; `knownRows[v]` is how many node names of
    /// view `v` the caller already has. Waits for the batch being written, so that every
    /// name, ring block and offset in the feed is on disk; throws after a failed batch (the
    /// memory may hold what never reached the disk, which a checkpoint must not record).
    public func trainingFeed(knownRows: [Int]) throws -> TrainingFeed {
        try state.withLock { s in try s.trainingFeed(knownRows: knownRows) }
    }

    /// Per view, the sequence number the next walk will get (a cheap check for fresh walks;
    /// as applied, possibly one batch ahead of the disk).
    public var walkPositions: [UInt64] { state.withLock { $0.walkNext } }

    /// The walks of one ring block, or nil when it was evicted meanwhile. Reads RocksDB
    /// without the processor's lock. `nodeCount`: the view's vocabulary size when the block
    /// was listed (every node of the block is below it; a block that says otherwise is corrupt).
    public func walkBlock(view: Int, start: UInt64, nodeCount: Int = 0) throws -> WalkCorpus? {
        guard let bytes = try schema.walks.get(CompositeKey(UInt16(view), start)) else { return nil }
        return try WalkBlockCodec.decode(bytes, nodeCount: nodeCount)
    }
}

extension IngestState {
    mutating func trainingFeed(knownRows: [Int]) throws -> TrainingFeed {
        try ensureCommitted()
        let newEdges = pendingNewEdges
        pendingNewEdges = []
        let names = builder.views.enumerated().map { v, view -> [String] in
            let known = v < knownRows.count ? knownRows[v] : 0
            return known < view.vocabulary.count ? Array(view.vocabulary.names[known...]) : []
        }
        return TrainingFeed(
            viewNames: builder.views.map(\.name),
            newNodeNames: names,
            totalRows: builder.views.map(\.vocabulary.count),
            ringBlocks: ringBlocks,
            walkNext: walkNext,
            alignments: config.alignments.compactMap { builder.alignmentPairs(to: $0.to) },
            eventTimeWatermarkMs: partitions.values.compactMap(\.clock.millis).max() ?? 0,
            offsets: offsets,
            newEdges: newEdges)
    }
}
