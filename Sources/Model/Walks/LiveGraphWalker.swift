import Dispatch

/// Weighted random walks straight over a changing ``ViewGraph``, for the streaming ingester:
/// after every batch it draws walks from the few touched nodes, where rebuilding alias
/// tables for the whole graph would cost O(edges) per batch.
///
/// Keeps, per node, its own alias table (the ``AliasTables`` slots of that node, out-
/// neighbours in the graph's id order): a step reads one slot, O(1). Id order makes the
/// walks independent of the order edges were inserted in, so a graph reloaded from RocksDB
/// walks exactly like the live one that wrote it.
///
/// Tables are rebuilt by ``refresh(_:in:)`` for every node whose out-edges changed (and by
/// ``refreshAll(in:)`` after a load); drawing walks only reads them, so the starts are cut
/// into fixed chunks drawn in parallel, each with its own seed derived from the chunk
/// number: the result depends on the graph, the starts and the seed, never on the threads.
/// Same distribution as ``WalkGenerator``: P(j | i) = w_ij / sum_k w_ik; a walk stops after
/// `length` nodes or at a sink.
///
/// Tables live in memory allocated by the walker (one block per node, no reference counting
/// on the walk path). Not thread-safe: one owner calls it at a time (the ingester does,
/// under its lock); the parallel chunks inside a call touch disjoint nodes.
public final class LiveGraphWalker: @unchecked Sendable {
    /// One node's alias slots (nil and 0 for a sink).
    private struct Row {
        var base: UnsafeMutablePointer<AliasTables.Slot>?
        var count: Int
    }
    private var rows: [Row] = []
    /// Walk starts per chunk (fixed: part of what determines the walks).
    static let startsPerChunk = 512
    /// Nodes per chunk when rebuilding tables.
    private static let nodesPerRefreshChunk = 4096
    /// Walks drawn in lockstep within a chunk, so that their memory loads overlap.
    private static let lanes = 16

    public init() {}

    deinit {
        for row in rows { row.base?.deallocate() }
    }

    /// Rebuilds the tables of `nodes` (their out-edges changed) from `graph`.
    public func refresh(_ nodes: [UInt32], in graph: ViewGraph) {
        if rows.count < graph.nodeCount { rows.append(contentsOf: repeatElement(Row(base: nil, count: 0), count: graph.nodeCount - rows.count)) }
        // Parallel chunks must not share a node.
        let nodes = zip(nodes, nodes.dropFirst()).allSatisfy { $0 < $1 } ? nodes : Array(Set(nodes)).sorted()
        let chunk = Self.nodesPerRefreshChunk
        rows.withUnsafeMutableBufferPointer { rows in
            let out = UnsafeMutableBufferPointerBox(rows)
            Self.forEachChunk((nodes.count + chunk - 1) / chunk) { c in
                var scratch = AliasTables.Scratch()
                var slots: [AliasTables.Slot] = []
                for k in (c * chunk)..<min(nodes.count, (c + 1) * chunk) {
                    let node = Int(nodes[k])
                    guard node < graph.nodeCount else { continue }
                    slots.removeAll(keepingCapacity: true)
                    AliasTables.appendSlots(targets: graph.targets[node], weights: graph.weights[node], to: &slots, scratch: &scratch)
                    out.buffer[node].base?.deallocate()
                    if slots.isEmpty {
                        out.buffer[node] = Row(base: nil, count: 0)
                    } else {
                        let base = UnsafeMutablePointer<AliasTables.Slot>.allocate(capacity: slots.count)
                        slots.withUnsafeBufferPointer { base.initialize(from: $0.baseAddress!, count: $0.count) }
                        out.buffer[node] = Row(base: base, count: slots.count)
                    }
                }
            }
        }
    }

    /// Rebuilds every table (after the graph was loaded).
    public func refreshAll(in graph: ViewGraph) {
        refresh(Array(0..<UInt32(graph.nodeCount)), in: graph)
    }

    /// `perNode` walks of at most `length` nodes from each start that has out-edges, in start
    /// order; deterministic for a given graph, start list and seed.
    public func walks(from starts: [UInt32], perNode: Int, length: Int, seed: UInt64, nodeCount: Int) -> WalkCorpus {
        guard perNode > 0, length > 0, !starts.isEmpty else { return WalkCorpus(nodeCount: nodeCount) }
        let chunks = (starts.count + Self.startsPerChunk - 1) / Self.startsPerChunk
        var parts = [WalkCorpus](repeating: WalkCorpus(), count: chunks)
        parts.withUnsafeMutableBufferPointer { parts in
            let out = UnsafeMutableBufferPointerBox(parts)
            Self.forEachChunk(chunks) { c in
                let range = (c * Self.startsPerChunk)..<min(starts.count, (c + 1) * Self.startsPerChunk)
                out.buffer[c] = walks(from: starts[range], perNode: perNode, length: length,
                                      seed: SplitMix64.mix(seed ^ UInt64(c)))
            }
        }
        var corpus = WalkCorpus(nodeCount: nodeCount)
        corpus.tokens.reserveCapacity(parts.reduce(0) { $0 + $1.tokens.count })
        corpus.walkEnds.reserveCapacity(parts.reduce(0) { $0 + $1.walkEnds.count })
        for part in parts {
            let base = corpus.tokens.count
            corpus.tokens.append(contentsOf: part.tokens)
            corpus.walkEnds.append(contentsOf: part.walkEnds.lazy.map { $0 + base })
        }
        return corpus
    }

    /// The walks of one chunk. Walk `w` (in output order) has its own generator, seeded from
    /// (`seed`, `w`), so `lanes` walks advance in lockstep: on a large graph every step is a
    /// cache miss or two, and the lanes' independent loads overlap.
    private func walks(from starts: ArraySlice<UInt32>, perNode: Int, length: Int, seed: UInt64) -> WalkCorpus {
        var corpus = WalkCorpus()
        rows.withUnsafeBufferPointer { rows in
            var walkStarts: [UInt32] = []
            walkStarts.reserveCapacity(starts.count * perNode)
            for start in starts where Int(start) < rows.count && rows[Int(start)].count > 0 {
                for _ in 0..<perNode { walkStarts.append(start) }
            }
            corpus.tokens.reserveCapacity(walkStarts.count * length)
            corpus.walkEnds.reserveCapacity(walkStarts.count)
            let lanes = Self.lanes
            var node = [UInt32](repeating: 0, count: lanes)
            var rng = [Xoshiro256StarStar](repeating: Xoshiro256StarStar(seed: 0), count: lanes)
            var steps = [Int](repeating: 0, count: lanes)
            var buffer = [UInt32](repeating: 0, count: lanes * length)
            var first = 0
            while first < walkStarts.count {
                let n = min(lanes, walkStarts.count - first)
                for l in 0..<n {
                    node[l] = walkStarts[first + l]
                    rng[l] = Xoshiro256StarStar(seed: SplitMix64.mix(seed ^ UInt64(first + l)))
                    buffer[l * length] = node[l]
                    steps[l] = 1
                }
                var alive = n
                var step = 1
                while step < length && alive > 0 {
                    for l in 0..<n where steps[l] == step {
                        let row = rows[Int(node[l])]
                        if let next = AliasTables.sample(UnsafeBufferPointer(start: row.base, count: row.count), rng: &rng[l]) {
                            buffer[l * length + step] = next
                            node[l] = next
                            steps[l] = step + 1
                        } else {
                            alive -= 1
                        }
                    }
                    step += 1
                }
                for l in 0..<n {
                    corpus.tokens.append(contentsOf: buffer[(l * length)..<(l * length + steps[l])])
                    corpus.walkEnds.append(corpus.tokens.count)
                }
                first += n
            }
        }
        return corpus
    }

    /// Runs `body` for chunks `0..<count`, on all cores when there is more than one.
    private static func forEachChunk(_ count: Int, _ body: @Sendable (Int) -> Void) {
        if count <= 1 {
            for c in 0..<count { body(c) }
        } else {
            DispatchQueue.concurrentPerform(iterations: count, execute: body)
        }
    }
}

/// Lets chunks of a parallel loop write disjoint elements of one buffer.
private struct UnsafeMutableBufferPointerBox<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}
