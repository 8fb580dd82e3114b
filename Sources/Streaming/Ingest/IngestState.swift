import EventSource
import Logging
import Model
import Store

/// One partition's sessions: its cutter (users keyed to the partition) and event clock.
struct PartitionSessions {
    var cutter: EagerSessionCutter
    var clock = PartitionClock()

    /// Admits one event: to the cutter; an accepted one moves the clock.
    mutating func admit(_ event: Event) {
        if cutter.add(event) == .accepted { clock.observe(user: event.user, millis: event.timestampMillis) }
    }

    /// Releases what is final at the partition's watermark (its clock minus the allowed
    /// lateness), or everything (`endingAll`), through `release`; returns the users whose
    /// state changed (nil: no clock yet, nothing can be final).
    mutating func settle(endingAll: Bool, release: EagerSessionCutter.Release) -> [String]? {
        if endingAll { return cutter.finish(release: release) }
        guard let clock = clock.millis else { return nil }
        return cutter.settle(watermark: cutter.watermark(atClock: clock), release: release)
    }
}

/// The ingester's mutable state, in memory: per partition the sessions, clock and next
/// offset; the vocabularies and attributes; the hot adjacency with its alias tables; the
/// walk rings; counters. `IngestProcessor` owns it behind its mutex, so every method here
/// runs under that lock. What each batch changes is also written to RocksDB (`IngestSchema`)
/// in one write batch, from which `load` rebuilds it after a restart.
struct IngestState {
    let config: PipelineConfig
    let options: IngestOptions
    let schema: IngestSchema
    let store: Store
    let commits: CommitPipeline
    let logger: Logger

    var partitions: [SourcePartition: PartitionSessions] = [:]
    var offsets: [SourcePartition: Int64] = [:]
    /// Vocabularies and item attributes (adjacency lives in `adjacency` and RocksDB).
    var builder: GraphBuilder
    /// Per view, the out-edges of hot nodes and their alias tables (bounded; the rest are
    /// read back from the `edges` family).
    let adjacency: [AdjacencyCache]
    /// Distinct edges per view.
    var edgeCounts: [Int]
    /// Per view, the sequence number of the next walk, and the blocks in the ring, oldest first.
    var walkNext: [UInt64]
    var ringBlocks: [[WalkRingBlock]]
    /// New item edges not yet handed to the trainer (`IngestOptions.trackNewEdges`).
    var pendingNewEdges: [NewEdge] = []
    var counters: [String: UInt64] = [:]
    /// The first failed batch: memory may hold what never reached the disk.
    var failed: (any Error)?

    init(store: Store, schema: IngestSchema, commits: CommitPipeline, config: PipelineConfig, options: IngestOptions,
         logger: Logger) {
        self.config = config
        self.options = options
        self.schema = schema
        self.store = store
        self.commits = commits
        self.logger = logger
        var builder = GraphBuilder(config: config)
        builder.keepsEdges = false
        self.builder = builder
        let views = config.viewNames.count
        self.adjacency = (0..<views).map { v in AdjacencyCache(source: StoredOutEdges(edges: schema.edges, view: UInt16(v))) }
        self.edgeCounts = Array(repeating: 0, count: views)
        self.walkNext = Array(repeating: 0, count: views)
        self.ringBlocks = Array(repeating: [], count: views)
    }

    func newPartition() -> PartitionSessions { PartitionSessions(cutter: EagerSessionCutter(config: config.sessions)) }

    // MARK: Loading

    /// Rebuilds the state from the store (a new state directory gets the pipeline's views).
    mutating func load() throws {
        try checkViews()
        var update = GraphUpdate()
        try schema.vocab.scan { key, name in
            let (view, id) = key.components
            update.newNodes.append(.init(view: Int(view), id: id, name: name))
            return .continue
        }
        try schema.attrs.scan { key, attribute in
            let (view, item) = key.components
            update.attributes.append(.init(view: Int(view), item: item, attribute: UInt32(truncatingIfNeeded: attribute)))
            return .continue
        }
        try schema.furtherAttrs.scan { key, attribute in  // in (view, item, position) order
            let (view, item, position) = key.components
            update.attributes.append(.init(view: Int(view), item: item, attribute: UInt32(truncatingIfNeeded: attribute),
                                           position: position))
            return .continue
        }
        do { try builder.restore(update) } catch { throw IngestError.corruptState("\(error)") }
        // Adjacency stays in RocksDB until a batch or a walk reaches it; only count it.
        var edgeCounts = self.edgeCounts
        try schema.edges.scan { key, _ in
            let view = Int(key.components.0)
            guard view < edgeCounts.count else { throw IngestError.corruptState("edge of unknown view \(view)") }
            edgeCounts[view] += 1
            return .continue
        }
        self.edgeCounts = edgeCounts

        var partitions: [SourcePartition: PartitionSessions] = [:]
        let fresh = newPartition()
        var restored = 0
        // A replica leaves user states in RocksDB: the owner of a partition loads them.
        if !options.replica { try schema.sessions.scan { key, bytes in
            let (topic, partition, user) = key.components
            let state: EagerSessionCutter.UserState
            do { state = try UserStateCodec.decode(bytes, user: user) } catch {
                throw IngestError.corruptState("session state of user \(user) in \(topic)/\(partition): \(error)")
            }
            partitions[SourcePartition(topic, partition), default: fresh].cutter.restore(user: user, state: state)
            restored += 1
            return .continue
        } }
        var offsets: [SourcePartition: Int64] = [:]
        try schema.offsets.scan { key, offset in
            let (topic, partition) = key.components
            offsets[SourcePartition(topic, partition)] = Int64(bitPattern: offset)
            return .continue
        }
        // Clocks: the two latest users where stored; states from before them keep the
        // clock's value only.
        try schema.eventClock.scan { key, t in
            let tp = SourcePartition(key.components.0, key.components.1)
            partitions[tp, default: fresh].clock = PartitionClock(leader: .init(user: "", millis: Int64(bitPattern: t)))
            return .continue
        }
        try schema.clockMarks.scan { key, bytes in
            let tp = SourcePartition(key.components.0, key.components.1)
            do { partitions[tp, default: fresh].clock = try PartitionClockCodec.decode(bytes) } catch {
                throw IngestError.corruptState("event clock of \(tp): \(error)")
            }
            return .continue
        }
        self.partitions = partitions
        self.offsets = offsets
        var counters: [String: UInt64] = [:]
        try schema.meta.scan { key, value in
            if !key.hasPrefix("view:") { counters[key] = value }
            return .continue
        }
        self.counters = counters
        for v in 0..<walkNext.count { walkNext[v] = counters["walks.next.\(v)"] ?? 0 }
        var ringBlocks = self.ringBlocks
        var unreadable: [String] = []
        try schema.walks.scan { key, bytes in
            let (view, start) = key.components
            guard Int(view) < ringBlocks.count else { return .continue }
            do {
                let count = try bytes.withUnsafeBytes { try WalkBlockCodec.walkCount($0) }
                ringBlocks[Int(view)].append(WalkRingBlock(start: start, count: count))
            } catch {
                unreadable.append("view \(view) block \(start): \(error)")
            }
            return .continue
        }
        self.ringBlocks = ringBlocks
        if !unreadable.isEmpty {
            // Left out of the ring (the trainer never reads them); the ring refills with fresh walks.
            logger.warning("skipping \(unreadable.count) unreadable walk blocks", metadata: ["first": "\(unreadable[0])"])
        }
        logger.info("ingest state loaded", metadata: [
            "nodes": "\(builder.views.map { "\($0.name)=\($0.vocabulary.count)" }.joined(separator: ","))",
            "users": "\(restored)", "partitions": "\(offsets.count)",
        ])
    }

    /// The views must be those the state was built with; a new state records them.
    private func checkViews() throws {
        let stored = try schema.viewNames()
        let names = config.viewNames
        if stored.isEmpty {
            let batch = WriteBatch()
            try schema.putViewNames(names, into: batch)
            try batch.put(schema.meta, "format.version", IngestSchema.formatVersion)
            try store.write(batch, sync: true)
        } else if stored != names {
            throw IngestError.viewsChanged(stored: stored, pipeline: names)
        }
    }

    // MARK: Queries

    /// Under the lock: waits for the write in flight (even after a failure, so that nothing
    /// is still being written when the caller goes on, e.g. to close the store), then throws
    /// if any batch failed.
    mutating func ensureCommitted() throws {
        do {
            try commits.waitIdle()
        } catch {
            if failed == nil { failed = error }
        }
        if let failed { throw IngestError.needsRestart("\(failed)") }
    }

    /// The vocabularies, attributes and graphs (edges read from the committed state).
    mutating func graphs() throws -> GraphBuilder {
        try ensureCommitted()
        var graphs = builder
        graphs.keepsEdges = true
        var update = GraphUpdate()
        try schema.edges.scan { key, weight in
            let (view, from, to) = key.components
            update.edges.append(.init(view: Int(view), from: from, to: to, count: UInt32(clamping: weight)))
            return .continue
        }
        do { try graphs.restore(update) } catch { throw IngestError.corruptState("\(error)") }
        return graphs
    }

    var status: IngestStatus {
        IngestStatus(
            views: builder.views.enumerated().map { v, view in
                IngestStatus.View(name: view.name, nodes: view.vocabulary.count, edges: edgeCounts[v],
                                  walksInRing: ringBlocks[v].reduce(0) { $0 + $1.count })
            },
            adjacencyBytes: adjacency.reduce(0) { $0 + $1.heldBytes },
            adjacencyBound: config.ingest.adjacencyCacheBytes,
            adjacencyLoads: adjacency.reduce(0) { $0 + $1.loads },
            openSessions: partitions.values.reduce(0) { $0 + $1.cutter.openSessionCount },
            offsets: offsets,
            counters: counters.filter { !$0.key.hasPrefix("walks.next.") && $0.key != "format.version" })
    }

    /// Brings the adjacency held by all views within `ingest.adjacency_cache_mb`, taking from
    /// the view that holds the most (each view drops its least recently used nodes). Nodes of
    /// `sparing[view]` (changed by a batch not yet on disk) stay, even above the bound.
    func evictAdjacency(sparing: [[UInt32]] = []) {
        let bound = config.ingest.adjacencyCacheBytes
        var held = adjacency.reduce(0) { $0 + $1.heldBytes }
        var candidates = Array(adjacency.indices)
        while held > bound, let largest = candidates.max(by: { adjacency[$0].heldBytes < adjacency[$1].heldBytes }),
              adjacency[largest].heldBytes > 0 {
            let cache = adjacency[largest], before = cache.heldBytes
            cache.evict(toAtMost: before - (held - bound), sparing: largest < sparing.count ? sparing[largest] : [])
            held -= before - cache.heldBytes
            // A view that could not give enough holds only spared nodes beyond its share.
            if held > bound { candidates.removeAll { $0 == largest } }
        }
    }
}
