import Dispatch

/// Weighted random walks straight over a changing ``ViewGraph``, for the streaming ingester:
/// after every batch it draws walks from the few touched nodes, where rebuilding alias
/// tables for the whole graph would cost O(edges) per batch.
///
/// Keeps, per node, its own alias table (the ``AliasTables`` slots of that node, out-
/// neighbours in id order): a step reads one slot, O(1). Id order makes the walks
/// independent of the order edges were inserted in, so a graph reloaded from RocksDB (key
/// order) walks exactly like the live one that wrote it.
///
/// Tables are rebuilt by ``refresh(_:in:)`` for every node whose out-edges changed (and by
/// ``refreshAll(in:)`` after a load); drawing walks only reads them, so the starts are cut
/// into fixed chunks drawn in parallel, each with its own seed derived from the chunk
/// number: the result depends on the graph, the starts and the seed, never on the threads.
/// Same distribution as ``WalkGenerator``: P(j | i) = w_ij / sum_k w_ik; a walk stops after
/// `length` nodes or at a sink.
public struct LiveGraphWalker: Sendable {
    /// Per node: its alias slots; empty for a sink.
    private var rows: [[AliasTables.Slot]] = []
    /// Walk starts per chunk (fixed: part of what determines the walks).
    static let startsPerChunk = 512
    /// Nodes per chunk when rebuilding tables.
    private static let nodesPerRefreshChunk = 4096

    public init() {}

    /// Rebuilds the tables of `nodes` (their out-edges changed) from `graph`.
    public mutating func refresh(_ nodes: [UInt32], in graph: ViewGraph) {
        if rows.count < graph.nodeCount { rows.append(contentsOf: repeatElement([], count: graph.nodeCount - rows.count)) }
        let chunk = Self.nodesPerRefreshChunk
        rows.withUnsafeMutableBufferPointer { rows in
            let out = UnsafeMutableBufferPointerBox(rows)
            Self.forEachChunk((nodes.count + chunk - 1) / chunk) { c in
                var scratch = AliasTables.Scratch()
                for k in (c * chunk)..<min(nodes.count, (c + 1) * chunk) {
                    let node = Int(nodes[k])
                    guard node < graph.nodeCount else { continue }
                    var slots: [AliasTables.Slot] = []
                    slots.reserveCapacity(graph.targets[node].count)
                    AliasTables.appendSlots(targets: graph.targets[node], weights: graph.weights[node], to: &slots, scratch: &scratch)
                    out.buffer[node] = slots
                }
            }
        }
    }

    /// Rebuilds every table (after the graph was loaded).
    public mutating func refreshAll(in graph: ViewGraph) {
        rows = []
        refresh((0..<UInt32(graph.nodeCount)).map { $0 }, in: graph)
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

    private func walks(from starts: ArraySlice<UInt32>, perNode: Int, length: Int, seed: UInt64) -> WalkCorpus {
        var rng = Xoshiro256StarStar(seed: seed)
        var corpus = WalkCorpus()
        corpus.tokens.reserveCapacity(starts.count * perNode * length)
        corpus.walkEnds.reserveCapacity(starts.count * perNode)
        rows.withUnsafeBufferPointer { rows in
            for start in starts where Int(start) < rows.count && !rows[Int(start)].isEmpty {
                for _ in 0..<perNode {
                    var node = start
                    corpus.tokens.append(node)
                    var steps = 1
                    while steps < length, let next = Self.step(rows[Int(node)], rng: &rng) {
                        corpus.tokens.append(next)
                        node = next
                        steps += 1
                    }
                    corpus.walkEnds.append(corpus.tokens.count)
                }
            }
        }
        return corpus
    }

    @inline(__always)
    private static func step(_ row: [AliasTables.Slot], rng: inout Xoshiro256StarStar) -> UInt32? {
        row.withUnsafeBufferPointer { AliasTables.sample($0, rng: &rng) }
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
