import Foundation
import EventSource
import Synchronization
import Logging
import Model
import Store

/// Settings of the ingester that are not part of the model.
public struct IngestOptions: Sendable, Equatable {
    /// Fresh walks generated from every node whose out-edges changed in a batch.
    public var walksPerTouchedNode: Int = 2
    /// Walks kept per view in the ring; the oldest are evicted beyond this.
    public var walkRingCapacity: Int = 200_000
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
    /// A scale-out replica (docs/scale-out.md): the state changes only through graph-delta
    /// records (`applyDelta`), and user states stay in RocksDB (an owner loads its
    /// partitions' states when it takes them over) instead of being held in memory.
    public var replica: Bool = false

    public init() {}
}

/// One decoded event and the partition it came from (file replay uses a pseudo-partition).
public struct IngestRecord: Sendable {
    public var event: Event
    public var source: SourcePartition
    /// The record's offset in `source`; records below the stored next offset were applied
    /// already and are skipped (nil: no check, e.g. file replay).
    public var offset: Int64?

    public init(event: Event, source: SourcePartition, offset: Int64? = nil) {
        self.event = event
        self.source = source
        self.offset = offset
    }
}

/// One consumed batch: the valid events in consumption order, and for every partition
/// read, the next offset to consume (past dead-lettered records too).
public struct IngestBatchInput: Sendable {
    public var records: [IngestRecord]
    public var nextOffsets: [SourcePartition: Int64]
    /// Records rejected by the decoder (dead-lettered), and of those, the letters that could
    /// not be delivered (`events.dead_letters_lost`).
    public var deadLetters: Int
    public var deadLettersLost: Int

    public init(records: [IngestRecord], nextOffsets: [SourcePartition: Int64], deadLetters: Int = 0, deadLettersLost: Int = 0) {
        self.records = records
        self.nextOffsets = nextOffsets
        self.deadLetters = deadLetters
        self.deadLettersLost = deadLettersLost
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
    /// Events of users past `sessions.max_events_per_user`, dropped (pending and held ones included).
    public var overActiveEvents = 0
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
    public var offsets: [SourcePartition: Int64]
    public var counters: [String: UInt64]
}

/// The ingester: sessions per partition, per-view graphs, walk rings and consumed offsets,
/// in memory (`IngestState`, behind a mutex) and in RocksDB (`IngestSchema`).
///
/// `apply` turns one consumed batch into one atomic RocksDB `WriteBatch` (session state,
/// vocabulary growth, edge-weight increments, item attributes, fresh walks, counters and
/// the next offsets), so whatever instant the process dies at, the store holds a state in
/// which every partition's events up to its stored offset were applied exactly once. On
/// start, the state is loaded back and consumption resumes at the stored offsets.
///
/// Transitions enter the graphs as soon as they are final (`EagerSessionCutter`): each
/// partition has its own cutter and event clock (users are keyed to partitions), and its
/// watermark is its clock minus `sessions.allowed_lateness_seconds`, so a lagging partition
/// never finalises early. All methods are serialised by the state's mutex; they are
/// synchronous (RocksDB) and belong on a dedicated thread.
public final class IngestProcessor: Sendable {
    public let store: Store
    public let config: PipelineConfig
    public let options: IngestOptions
    let schema: IngestSchema
    /// Writes batches in the background (`IngestOptions.pipelinedCommits`).
    let commits: CommitPipeline
    let state: Mutex<IngestState>

    public convenience init(store: Store, config: PipelineConfig, options: IngestOptions = IngestOptions(),
                            logger: Logger = Logger(label: "m2grl.ingest")) throws {
        try self.init(store: store, config: config, options: options, logger: logger, commits: CommitPipeline(store: store))
    }

    /// `commits` writes the batches to `store` (tests give one that holds writes back).
    init(store: Store, config: PipelineConfig, options: IngestOptions, logger: Logger, commits: CommitPipeline) throws {
        self.store = store
        self.config = config
        self.options = options
        let schema = try IngestSchema(store: store)
        self.schema = schema
        self.commits = commits
        var state = IngestState(store: store, schema: schema, commits: commits, config: config, options: options, logger: logger)
        try state.load()
        self.state = Mutex(state)
    }

    deinit {
        // A batch still being written finishes before the store can close.
        try? commits.waitIdle()
    }

    // MARK: Queries

    /// The next offsets of `partitions` as applied (absent: never consumed). With pipelined
    /// commits they can be one batch ahead of the disk until that batch's write completes;
    /// a failed write stops the processor, and a restart resumes from the disk.
    public func storedOffsets(for partitions: [SourcePartition]) -> [SourcePartition: Int64] {
        state.withLock { s in s.offsets.filter { partitions.contains($0.key) } }
    }

    /// All stored next offsets.
    public var allOffsets: [SourcePartition: Int64] { state.withLock { $0.offsets } }

    /// The vocabularies, attributes and graphs (edges read from the committed state).
    public var graphs: GraphBuilder {
        get throws { try state.withLock { try $0.graphs() } }
    }

    public var status: IngestStatus { state.withLock { $0.status } }

    // MARK: Applying

    /// Applies one batch in memory and commits it to RocksDB atomically (with
    /// `IngestOptions.pipelinedCommits`, submits the write and returns; the next call or
    /// ``flush()`` waits for it). After a failed commit the processor refuses further
    /// batches (memory and disk may disagree): restart to reload from the store.
    @discardableResult
    public func apply(_ input: IngestBatchInput) throws -> IngestBatchOutcome {
        try applyChecked(input, endingAllSessions: false)
    }

    /// Ends every session (end of a finite replay, or tests that compare with the offline
    /// builder): every pending event becomes final. Commits the result (submits it, with
    /// pipelined commits).
    @discardableResult
    public func closeAllSessions() throws -> IngestBatchOutcome {
        try applyChecked(IngestBatchInput(records: [], nextOffsets: [:]), endingAllSessions: true)
    }

    private func applyChecked(_ input: IngestBatchInput, endingAllSessions: Bool) throws -> IngestBatchOutcome {
        try state.withLock { s in
            if let failed = s.failed { throw IngestError.needsRestart("\(failed)") }
            guard !options.replica else { throw IngestError.replicaOnly }
            do {
                return try s.apply(input, endingAllSessions: endingAllSessions)
            } catch {
                s.failed = error
                throw error
            }
        }
    }

    /// Waits until every applied batch is on disk (`IngestOptions.pipelinedCommits`), then
    /// brings the adjacency cache within its bound. Call before reading the store directly
    /// or closing it; without pipelined commits there is nothing to wait for.
    public func flush() throws {
        try state.withLock { s in
            try s.ensureCommitted()
            s.evictAdjacency()
        }
    }
}

/// Errors of the ingest state.
public enum IngestError: Error, CustomStringConvertible, Sendable {
    case viewsChanged(stored: [String], pipeline: [String])
    case corruptState(String)
    case needsRestart(String)
    /// A scale-out replica changes only through graph-delta records.
    case replicaOnly

    public var description: String {
        switch self {
        case .viewsChanged(let stored, let pipeline):
            return "the state directory was built with views \(stored) but the pipeline declares \(pipeline); use a new --state directory (or replay into one) to change views"
        case .corruptState(let m): return "state directory is inconsistent: \(m)"
        case .needsRestart(let m): return "a previous batch failed to commit (\(m)); restart to reload the state"
        case .replicaOnly: return "this state is a scale-out replica: it changes only through graph-delta records"
        }
    }
}
