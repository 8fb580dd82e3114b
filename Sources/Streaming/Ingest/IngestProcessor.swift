import Foundation
import Kafka
import Logging
import Model
import Store

/// Settings of the ingester that are not part of the model.
public struct IngestOptions: Sendable, Equatable {
    /// Fresh walks generated from every node whose out-edges changed in a batch.
    public var walksPerTouchedNode: Int = 2
    /// Walks kept per view in the ring; the oldest are evicted beyond this.
    public var walkRingCapacity: Int = 200_000
    /// How far (event time) a partition's clock must be past a session's last event, on
    /// top of the session gap, before the session is closed as idle. Events that much
    /// out of order still land in their session. Default: one session gap.
    public var allowedLatenessMillis: Int64?
    /// fsync every batch (survives power loss, not only process crashes).
    public var syncWrites: Bool = false
    /// Record, for freshness measurement, every item-view edge a batch creates (source node
    /// and the time of the event that completes the transition); the continuous trainer
    /// drains them (`TrainingFeed.newEdges`). At most `newEdgeBacklog` are kept.
    public var trackNewEdges: Bool = false
    public var newEdgeBacklog: Int = 100_000
    /// Write each batch to RocksDB on a thread of its own while the next batch is applied in
    /// memory (at most one write in flight). `apply` then returns before its batch is on
    /// disk; the next `apply`, `flush`, `graphs` and `trainingFeed` wait for it. A crash
    /// loses at most the batch in flight, whose offsets are not stored either, so it is
    /// consumed again: still exactly once. Off: `apply` returns with its batch on disk.
    public var pipelinedCommits: Bool = false

    public init() {}
}

/// One decoded event and the partition it came from (file replay uses a pseudo-partition).
public struct IngestRecord: Sendable {
    public var event: Event
    public var source: TopicPartition
    /// The record's offset in `source`; records below the stored next offset were applied
    /// already and are skipped (nil: no check, e.g. file replay).
    public var offset: Int64?

    public init(event: Event, source: TopicPartition, offset: Int64? = nil) {
        self.event = event
        self.source = source
        self.offset = offset
    }
}

/// One consumed batch: the valid events in consumption order, and for every partition
/// read, the next offset to consume (past dead-lettered records too).
public struct IngestBatchInput: Sendable {
    public var records: [IngestRecord]
    public var nextOffsets: [TopicPartition: Int64]
    public var deadLetters: Int

    public init(records: [IngestRecord], nextOffsets: [TopicPartition: Int64], deadLetters: Int = 0) {
        self.records = records
        self.nextOffsets = nextOffsets
        self.deadLetters = deadLetters
    }
}

/// What one batch changed.
public struct IngestBatchOutcome: Sendable, Equatable {
    public var events = 0
    public var sessionsClosed = 0
    public var newNodes = 0
    public var edgeIncrements = 0
    public var walksWritten = 0
    public var lateEvents = 0
    public var skippedAlreadyApplied = 0
}

/// A point-in-time summary of the ingest state (status line, `m2grl status`).
public struct IngestStatus: Sendable, Equatable {
    public struct View: Sendable, Equatable {
        public var name: String
        public var nodes: Int
        public var edges: Int
        public var walksInRing: Int
    }
    public var views: [View]
    /// Adjacency held in memory (all views) and its bound (`ingest.adjacency_cache_mb`).
    public var adjacencyBytes: Int
    public var adjacencyBound: Int
    /// Nodes read back from RocksDB since start (misses of the adjacency cache).
    public var adjacencyLoads: Int
    public var openSessions: Int
    public var offsets: [TopicPartition: Int64]
    public var counters: [String: UInt64]
}

/// The ingester's state machine: sessions per partition, per-view graphs, walk rings and
/// consumed offsets, in memory and in RocksDB.
///
/// `apply` turns one consumed batch into one atomic RocksDB `WriteBatch` (session state,
/// vocabulary growth, edge-weight increments, item attributes, fresh walks, counters and
/// the next offsets), so whatever instant the process dies at, the store holds a state in
/// which every partition's events up to its stored offset were applied exactly once. On
/// start, the state is loaded back and consumption resumes at the stored offsets.
///
/// Each partition has its own `SessionCutter` and event clock (users are keyed to
/// partitions), so a lagging partition never closes sessions early. All methods are
/// serialised by a lock; they are synchronous (RocksDB) and belong on a dedicated thread.
public final class IngestProcessor: @unchecked Sendable {
    public let store: Store
    public let config: PipelineConfig
    public let options: IngestOptions
    let schema: IngestSchema
    private let logger: Logger
    let lock = NSLock()

    private var cutters: [TopicPartition: SessionCutter] = [:]
    var builder: GraphBuilder
    var clocks: [TopicPartition: Int64] = [:]
    var offsets: [TopicPartition: Int64] = [:]
    var walkNext: [UInt64]
    /// Per view, the out-edges of hot nodes and their alias tables (bounded; the rest are
    /// read back from the `edges` family). The builder keeps vocabularies and attributes only.
    private let walkers: [LiveGraphWalker]
    /// Distinct edges per view.
    private var edgeCounts: [Int]
    /// Per view, the blocks in the ring, oldest first: (sequence of the first walk, walks).
    var ringBlocks: [[(start: UInt64, count: Int)]]
    /// New item edges not yet handed to the trainer (`trackNewEdges`).
    var pendingNewEdges: [NewEdge] = []
    private var counters: [String: UInt64] = [:]
    var failed: Error?
    /// Writes batches in the background (`IngestOptions.pipelinedCommits`).
    let commits: CommitPipeline

    public init(store: Store, config: PipelineConfig, options: IngestOptions = IngestOptions(),
                logger: Logger = Logger(label: "m2grl.ingest")) throws {
        self.store = store
        self.config = config
        self.options = options
        self.logger = logger
        self.schema = try IngestSchema(store: store)
        self.builder = GraphBuilder(config: config)
        self.builder.keepsEdges = false
        self.walkNext = Array(repeating: 0, count: config.viewNames.count)
        let schema = self.schema
        self.walkers = config.viewNames.indices.map { v in
            LiveGraphWalker(source: StoredOutEdges(edges: schema.edges, view: UInt16(v)))
        }
        self.edgeCounts = Array(repeating: 0, count: config.viewNames.count)
        self.ringBlocks = Array(repeating: [], count: config.viewNames.count)
        self.commits = CommitPipeline(store: store)
        try load()
    }

    deinit {
        // A batch still being written finishes before the store can close.
        try? commits.waitIdle()
    }

    private var lateness: Int64 { options.allowedLatenessMillis ?? config.sessions.gapMilliseconds }

    // MARK: Loading

    private func load() throws {
        // Views must match what the state was built with.
        var storedViews: [(Int, String)] = []
        try schema.meta.scan { key, _ in  // String keys are terminated: a prefix scan on "view:" matches nothing
            let parts = key.split(separator: ":", maxSplits: 2)
            if key.hasPrefix("view:"), parts.count == 3, let i = Int(parts[1]) { storedViews.append((i, String(parts[2]))) }
            return .continue
        }
        let names = config.viewNames
        if storedViews.isEmpty {
            let batch = WriteBatch()
            for (i, n) in names.enumerated() { try batch.put(schema.meta, "view:\(i):\(n)", 1) }
            try batch.put(schema.meta, "format.version", IngestSchema.formatVersion)
            try store.write(batch, sync: true)
        } else if storedViews.sorted(by: { $0.0 < $1.0 }).map(\.1) != names {
            throw IngestError.viewsChanged(stored: storedViews.sorted(by: { $0.0 < $1.0 }).map(\.1), pipeline: names)
        }

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
        do { try builder.replay(update) } catch { throw IngestError.corruptState("\(error)") }
        // Adjacency stays in RocksDB until a batch or a walk reaches it; only count it.
        try schema.edges.scan { key, _ in
            let view = Int(key.components.0)
            guard view < edgeCounts.count else { throw IngestError.corruptState("edge of unknown view \(view)") }
            edgeCounts[view] += 1
            return .continue
        }

        var restored = 0
        try schema.sessions.scan { key, bytes in
            let (topic, partition, user) = key.components
            let tp = TopicPartition(topic, partition)
            let state = try UserStateCodec.decode(bytes, user: user)
            cutters[tp, default: SessionCutter(config: config.sessions)].restore(user: user, state: state)
            restored += 1
            return .continue
        }
        try schema.offsets.scan { key, offset in
            let (topic, partition) = key.components
            offsets[TopicPartition(topic, partition)] = Int64(bitPattern: offset)
            return .continue
        }
        try schema.eventClock.scan { key, t in
            let (topic, partition) = key.components
            clocks[TopicPartition(topic, partition)] = Int64(bitPattern: t)
            return .continue
        }
        try schema.meta.scan { key, value in
            if !key.hasPrefix("view:") { counters[key] = value }
            return .continue
        }
        for v in 0..<walkNext.count { walkNext[v] = counters["walks.next.\(v)"] ?? 0 }
        try schema.walks.scan { key, bytes in
            let (view, start) = key.components
            if Int(view) < ringBlocks.count, bytes.count >= 4 {
                let n = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
                ringBlocks[Int(view)].append((start, n))
            }
            return .continue
        }
        logger.info("ingest state loaded", metadata: [
            "nodes": "\(builder.views.map { "\($0.name)=\($0.vocabulary.count)" }.joined(separator: ","))",
            "users": "\(restored)", "partitions": "\(offsets.count)",
        ])
    }

    // MARK: Queries

    /// The next offsets of `partitions` as applied (absent: never consumed). With pipelined
    /// commits they can be one batch ahead of the disk until that batch's write completes;
    /// a failed write stops the processor, and a restart resumes from the disk.
    public func storedOffsets(for partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        lock.withLock { offsets.filter { partitions.contains($0.key) } }
    }

    /// All stored next offsets.
    public var allOffsets: [TopicPartition: Int64] { lock.withLock { offsets } }

    /// The vocabularies, attributes and graphs (edges read from the committed state).
    public var graphs: GraphBuilder {
        get throws {
            try lock.withLock {
                try ensureCommitted()
                var graphs = builder
                graphs.keepsEdges = true
                var update = GraphUpdate()
                try schema.edges.scan { key, weight in
                    let (view, from, to) = key.components
                    update.edges.append(.init(view: Int(view), from: from, to: to, count: UInt32(clamping: weight)))
                    return .continue
                }
                do { try graphs.replay(update) } catch { throw IngestError.corruptState("\(error)") }
                return graphs
            }
        }
    }

    public var status: IngestStatus {
        lock.withLock {
            IngestStatus(
                views: builder.views.enumerated().map { v, view in
                    IngestStatus.View(name: view.name, nodes: view.vocabulary.count, edges: edgeCounts[v],
                                      walksInRing: ringBlocks[v].reduce(0) { $0 + $1.count })
                },
                adjacencyBytes: walkers.reduce(0) { $0 + $1.heldBytes },
                adjacencyBound: config.ingest.adjacencyCacheBytes,
                adjacencyLoads: walkers.reduce(0) { $0 + $1.loads },
                openSessions: cutters.values.reduce(0) { $0 + $1.openSessionCount },
                offsets: offsets,
                counters: counters.filter { !$0.key.hasPrefix("walks.next.") && $0.key != "format.version" })
        }
    }

    // MARK: Applying

    /// Applies one batch in memory and commits it to RocksDB atomically (with
    /// `IngestOptions.pipelinedCommits`, submits the write and returns; the next call or
    /// ``flush()`` waits for it). After a failed commit the processor refuses further
    /// batches (memory and disk may disagree): restart to reload from the store.
    @discardableResult
    public func apply(_ input: IngestBatchInput) throws -> IngestBatchOutcome {
        try lock.withLock {
            if let failed { throw IngestError.needsRestart("\(failed)") }
            do {
                return try applyLocked(input, closeAll: false)
            } catch {
                failed = error
                throw error
            }
        }
    }

    /// Waits until every applied batch is on disk (`IngestOptions.pipelinedCommits`), then
    /// brings the adjacency cache within its bound. Call before reading the store directly
    /// or closing it; without pipelined commits there is nothing to wait for.
    public func flush() throws {
        try lock.withLock {
            try ensureCommitted()
            evictAdjacency()
        }
    }

    /// Under the lock: waits for the write in flight (even after a failure, so that nothing
    /// is still being written when the caller goes on, e.g. to close the store), then throws
    /// if any batch failed.
    func ensureCommitted() throws {
        do {
            try commits.waitIdle()
        } catch {
            if failed == nil { failed = error }
        }
        if let failed { throw IngestError.needsRestart("\(failed)") }
    }

    /// Closes every open session (end of a finite replay, or tests that compare with the
    /// offline builder) and commits the result (submits it, with pipelined commits).
    @discardableResult
    public func closeAllSessions() throws -> IngestBatchOutcome {
        try lock.withLock {
            if let failed { throw IngestError.needsRestart("\(failed)") }
            return try applyLocked(IngestBatchInput(records: [], nextOffsets: [:]), closeAll: true)
        }
    }

    /// Item transitions of `sessions` not in the item graph before this batch, with the time
    /// of the event that completes each; the first one per edge. The sessions' items are
    /// interned already; their source nodes' out-edges are read into the walker first.
    private func recordNewEdges(of sessions: [Session]) throws {
        let vocabulary = builder.views[0].vocabulary
        var transitions: [(from: UInt32, to: UInt32, time: Int64)] = []
        for session in sessions {
            var previous: UInt32?
            for event in session.events {
                guard let id = vocabulary.id(of: event.item) else { continue }
                if let p = previous, p != id { transitions.append((p, id, event.timestampMillis)) }
                previous = id
            }
        }
        try walkers[0].load(transitions.map(\.from), nodeCount: vocabulary.count)
        var seen = Set<UInt64>()
        for t in transitions where walkers[0].weight(from: t.from, to: t.to) == 0 {
            guard seen.insert(UInt64(t.from) << 32 | UInt64(t.to)).inserted else { continue }
            pendingNewEdges.append(NewEdge(from: vocabulary.names[Int(t.from)], eventTimeMs: t.time))
        }
        if pendingNewEdges.count > options.newEdgeBacklog { pendingNewEdges.removeFirst(pendingNewEdges.count - options.newEdgeBacklog) }
    }

    private func applyLocked(_ input: IngestBatchInput, closeAll: Bool) throws -> IngestBatchOutcome {
        var outcome = IngestBatchOutcome()
        var closed: [Session] = []
        var changed: [TopicPartition: Set<String>] = [:]
        var lateBefore = 0, lateAfter = 0
        for c in cutters.values { lateBefore += c.statistics.lateEvents }
        let clocksBefore = clocks

        // Records come in runs of one partition: look the partition's state up once per run.
        let records = input.records
        var i = 0
        while i < records.count {
            let tp = records[i].source
            var end = i + 1
            while end < records.count, records[end].source == tp { end += 1 }
            var cutter = cutters.removeValue(forKey: tp) ?? SessionCutter(config: config.sessions)
            var users = changed.removeValue(forKey: tp) ?? []
            var clock = clocks[tp] ?? .min
            let next = offsets[tp]
            for record in records[i..<end] {
                // Already applied (e.g. a batch collected across a rebalance, re-read by the new
                // owner from the stored offsets): skip, never apply twice.
                if let offset = record.offset, let next, offset < next {
                    outcome.skippedAlreadyApplied += 1
                    continue
                }
                let event = record.event
                users.insert(event.user)
                if let session = cutter.add(event) { closed.append(session) }
                if event.timestampMillis > clock { clock = event.timestampMillis }
                outcome.events += 1
            }
            cutters[tp] = cutter
            changed[tp] = users
            if clock != .min { clocks[tp] = clock }
            i = end
        }

        // Idle sessions: closed per partition by that partition's own event clock, whenever
        // the clock enters a new period of a quarter gap. The schedule depends only on the
        // (stored) clocks, so a restarted or replayed ingester sweeps at the same batches.
        let sweepEvery = max(config.sessions.gapMilliseconds / 4, 1)
        var closedUsers: [TopicPartition: [String]] = [:]
        for tp in cutters.keys.sorted() {
            if closeAll {
                let users = cutters[tp]!.userNames.filter { cutters[tp]!.state(ofUser: $0)?.open.isEmpty == false }
                closed.append(contentsOf: cutters[tp]!.finish())
                closedUsers[tp] = Array(users)
                continue
            }
            guard let clock = clocks[tp] else { continue }
            if let before = clocksBefore[tp], before / sweepEvery == clock / sweepEvery { continue }
            let (sessions, users) = cutters[tp]!.closeIdleSessions(at: clock - lateness)
            closed.append(contentsOf: sessions)
            closedUsers[tp] = users
        }
        for (tp, users) in closedUsers {
            changed[tp, default: []].formUnion(users)
            _ = cutters[tp]!.evictIdleUsers(users)
        }
        for c in cutters.values { lateAfter += c.statistics.lateEvents }
        outcome.lateEvents = lateAfter - lateBefore
        outcome.sessionsClosed = closed.count

        let batch = WriteBatch()
        // Edge increments of the batch, packed view | from | to | count and summed per edge
        // after a sort: one merge per distinct edge.
        var increments: [UInt128] = []
        for session in closed {
            let update = builder.apply(session)
            for n in update.newNodes { try batch.put(schema.vocab, CompositeKey(UInt16(n.view), n.id), n.name) }
            for a in update.attributes {
                try batch.put(schema.attrs, CompositeKey(UInt16(a.view), a.item), UInt64(a.attribute))
            }
            for e in update.edges {
                increments.append(UInt128(e.view) << 96 | UInt128(e.from) << 64 | UInt128(e.to) << 32 | UInt128(e.count))
            }
            outcome.newNodes += update.newNodes.count
            outcome.edgeIncrements += update.edges.count
        }
        if options.trackNewEdges { try recordNewEdges(of: closed) }
        increments.sort()
        // Nodes whose out-edges changed, per view, ascending (the walk starts), and the summed
        // increments per view for the walkers.
        var touched: [[UInt32]] = Array(repeating: [], count: builder.views.count)
        var summed: [[(from: UInt32, to: UInt32, count: UInt32)]] = Array(repeating: [], count: builder.views.count)
        var k = 0
        while k < increments.count {
            let edge = increments[k] >> 32
            var sum: UInt64 = 0
            while k < increments.count, increments[k] >> 32 == edge {
                sum += UInt64(truncatingIfNeeded: increments[k] & 0xFFFF_FFFF)
                k += 1
            }
            let view = UInt16(truncatingIfNeeded: edge >> 64), from = UInt32(truncatingIfNeeded: edge >> 32)
            try batch.add(schema.edges, CompositeKey(view, from, UInt32(truncatingIfNeeded: edge)), sum)
            summed[Int(view)].append((from, UInt32(truncatingIfNeeded: edge), UInt32(clamping: sum)))
            if touched[Int(view)].last != from { touched[Int(view)].append(from) }
        }
        for v in summed.indices where !summed[v].isEmpty {
            edgeCounts[v] += try walkers[v].add(summed[v], nodeCount: builder.views[v].vocabulary.count)
        }

        for tp in changed.keys {
            let cutter = cutters[tp]
            for user in changed[tp, default: []] {
                let storeKey = CompositeKey(tp.topic, tp.partition, user)
                if let state = cutter?.state(ofUser: user) {
                    try batch.put(schema.sessions, storeKey, UserStateCodec.encode(state))
                } else {
                    try batch.delete(schema.sessions, storeKey)
                }
            }
        }

        // Fresh walks from the touched nodes: one block per view per batch, into the view's ring.
        let batchSeq = (counters["batches"] ?? 0) + 1
        for v in 0..<builder.views.count where !touched[v].isEmpty {
            guard options.walksPerTouchedNode > 0 else { continue }
            let seed = SplitMix64.mix(config.walks.seed ^ SplitMix64.mix(UInt64(v) << 48 ^ batchSeq))
            var corpus = try walkers[v].walks(
                from: touched[v], perNode: options.walksPerTouchedNode,
                length: config.walks.length, seed: seed, nodeCount: builder.views[v].vocabulary.count)
            guard corpus.walkCount > 0 else { continue }
            if corpus.walkCount > options.walkRingCapacity {
                // A block never exceeds the ring: keep its last `capacity` walks, so the
                // newest block always survives the eviction below.
                let drop = corpus.walkCount - options.walkRingCapacity
                let cut = corpus.walkEnds[drop - 1]
                corpus = WalkCorpus(tokens: Array(corpus.tokens[cut...]), walkEnds: corpus.walkEnds[drop...].map { $0 - cut },
                                    nodeCount: corpus.nodeCount)
            }
            try batch.put(schema.walks, CompositeKey(UInt16(v), walkNext[v]), WalkBlockCodec.encode(corpus))
            ringBlocks[v].append((walkNext[v], corpus.walkCount))
            let capacity = UInt64(options.walkRingCapacity)
            let oldTail = walkNext[v] > capacity ? walkNext[v] - capacity : 0
            walkNext[v] += UInt64(corpus.walkCount)
            outcome.walksWritten += corpus.walkCount
            if walkNext[v] > capacity {
                // Drops the blocks that start before the ring's new tail (the ring keeps about
                // `capacity` walks: at most one block more is evicted). Only the range newly
                // passed is deleted, so range tombstones do not pile up.
                let newTail = walkNext[v] - capacity
                try batch.deleteRange(schema.walks, from: CompositeKey(UInt16(v), oldTail), to: CompositeKey(UInt16(v), newTail))
                ringBlocks[v].removeAll { $0.start < newTail }
            }
            counters["walks.next.\(v)"] = walkNext[v]
            try batch.put(schema.meta, "walks.next.\(v)", walkNext[v])
        }

        for (tp, next) in input.nextOffsets where next > (offsets[tp] ?? .min) {
            offsets[tp] = next
            try batch.put(schema.offsets, CompositeKey(tp.topic, tp.partition), UInt64(bitPattern: next))
        }
        for tp in Set(input.records.map(\.source)) {
            if let t = clocks[tp] { try batch.put(schema.eventClock, CompositeKey(tp.topic, tp.partition), UInt64(bitPattern: t)) }
        }
        func bump(_ name: String, _ delta: Int) throws {
            guard delta > 0 else { return }
            counters[name, default: 0] += UInt64(delta)
            try batch.add(schema.meta, name, UInt64(delta))
        }
        try bump("batches", 1)
        try bump("events.applied", outcome.events)
        try bump("events.dead_lettered", input.deadLetters)
        try bump("events.late", outcome.lateEvents)
        try bump("sessions.closed", outcome.sessionsClosed)
        try bump("walks.written", outcome.walksWritten)
        if options.pipelinedCommits {
            // The previous batch, written while this one was built, must be on disk before
            // this one starts: then every held node's weights are stored except the
            // increments of this batch, so only its nodes must stay.
            try commits.waitIdle()
            evictAdjacency(sparing: touched)
            try commits.submit(batch, sync: options.syncWrites)
        } else {
            try store.write(batch, sync: options.syncWrites)
            // Committed: every held node's weights are in the store now, so any may be dropped.
            evictAdjacency()
        }
        return outcome
    }

    /// Brings the adjacency held by all views within `ingest.adjacency_cache_mb`, taking from
    /// the view that holds the most (each view drops its least recently used nodes). Nodes of
    /// `sparing[view]` (changed by a batch not yet on disk) stay, even above the bound.
    private func evictAdjacency(sparing: [[UInt32]] = []) {
        let bound = config.ingest.adjacencyCacheBytes
        var held = walkers.reduce(0) { $0 + $1.heldBytes }
        var candidates = Array(walkers.indices)
        while held > bound, let largest = candidates.max(by: { walkers[$0].heldBytes < walkers[$1].heldBytes }),
              walkers[largest].heldBytes > 0 {
            let walker = walkers[largest], before = walker.heldBytes
            walker.evict(toAtMost: before - (held - bound), sparing: largest < sparing.count ? sparing[largest] : [])
            held -= before - walker.heldBytes
            // A view that could not give enough holds only spared nodes beyond its share.
            if held > bound { candidates.removeAll { $0 == largest } }
        }
    }
}

/// Errors of the ingest state.
public enum IngestError: Error, CustomStringConvertible, Sendable {
    case viewsChanged(stored: [String], pipeline: [String])
    case corruptState(String)
    case needsRestart(String)

    public var description: String {
        switch self {
        case .viewsChanged(let stored, let pipeline):
            return "the state directory was built with views \(stored) but the pipeline declares \(pipeline); use a new --state directory (or replay into one) to change views"
        case .corruptState(let m): return "state directory is inconsistent: \(m)"
        case .needsRestart(let m): return "a previous batch failed to commit (\(m)); restart to reload the state"
        }
    }
}
