import Dispatch

/// Where a ``LiveGraphWalker`` reads the out-edges of a node it does not hold.
public protocol OutEdgeSource: Sendable {
    /// The out-edges of `node`: targets ascending, weights parallel (empty for a sink or an
    /// unknown node). Called from several threads at once.
    func outEdges(of node: UInt32) throws -> (targets: [UInt32], weights: [UInt32])
}

extension ViewGraph: OutEdgeSource {
    public func outEdges(of node: UInt32) -> (targets: [UInt32], weights: [UInt32]) {
        Int(node) < nodeCount ? (targets[Int(node)], weights[Int(node)]) : ([], [])
    }
}

/// Weighted random walks over a changing graph whose adjacency lives elsewhere (the
/// streaming ingester's RocksDB), through a bounded cache of hot nodes: after every batch
/// the ingester adds the batch's edge increments and draws walks from the touched nodes.
///
/// Per held node, the walker keeps its out-edge weights and its alias table (the
/// ``AliasTables`` slots of that node, out-neighbours in id order): a step reads one slot,
/// O(1). A node not held is read from the ``OutEdgeSource`` when an increment or a walk
/// reaches it. ``evict(toAtMost:sparing:)`` drops nodes in clock order (a node used since the hand
/// last passed survives one more pass) until the held bytes fit a bound. Id order makes the
/// tables depend only on the weights, so a node read back from the source walks exactly
/// like the one that was evicted, and the walks never depend on what happens to be held.
///
/// Consistency is the caller's: the source must hold every increment the walker was given
/// for nodes it may evict (the ingester spares the nodes a batch changed until that batch
/// is committed), and the current weights of every node not held.
///
/// Walk starts are cut into fixed chunks drawn in parallel, each with its own seed derived
/// from the chunk number: the result depends on the graph, the starts and the seed, never
/// on the threads or the cache. Same distribution as ``WalkGenerator``: P(j | i) = w_ij /
/// sum_k w_ik; a walk stops after `length` nodes or at a sink.
///
/// Not thread-safe: one owner calls it at a time (the ingester does, under its lock); the
/// parallel chunks inside a call write disjoint nodes.
public final class LiveGraphWalker: @unchecked Sendable {
    /// One node. `block` holds the weights (UInt32 x degree) then the alias slots (x degree);
    /// nil for a sink or a node not held.
    private struct Row {
        var block: UnsafeMutableRawPointer?
        var degree: Int32 = 0
        var held = false
        var referenced = false
        /// Set only during ``evict(toAtMost:sparing:)``, for the spared nodes.
        var pinned = false
    }
    private typealias Slot = AliasTables.Slot

    private var rows: [Row] = []
    private let source: any OutEdgeSource
    private var hand = 0
    /// Bytes held (``bytes(degree:)`` summed over the held nodes).
    public private(set) var heldBytes = 0
    public private(set) var heldNodes = 0
    /// Nodes read from the source so far (cache misses).
    public private(set) var loads = 0

    /// Walk starts per chunk (fixed: part of what determines the walks).
    static let startsPerChunk = 512
    /// Nodes per chunk when adding increments.
    private static let nodesPerUpdateChunk = 1024
    /// Walks drawn in lockstep within a chunk, so that their memory loads overlap.
    private static let lanes = 16

    /// The bytes a held node of out-degree `degree` counts for: weights, slots and a block
    /// header.
    public static func bytes(degree: Int) -> Int { degree * (4 + MemoryLayout<Slot>.stride) + 32 }

    public init(source: any OutEdgeSource) {
        self.source = source
    }

    deinit {
        for row in rows { row.block?.deallocate() }
    }

    // MARK: Rows

    private static func weights(_ row: Row) -> UnsafeMutablePointer<UInt32>? {
        row.block?.assumingMemoryBound(to: UInt32.self)
    }

    private static func slots(_ row: Row) -> UnsafeBufferPointer<Slot> {
        UnsafeBufferPointer(start: row.block.map { ($0 + 4 * Int(row.degree)).assumingMemoryBound(to: Slot.self) },
                            count: Int(row.degree))
    }

    /// The out-edges of a held row, in id order.
    private static func edges(of row: Row) -> (targets: [UInt32], weights: [UInt32]) {
        let slots = slots(row)
        guard let w = weights(row) else { return ([], []) }
        return (slots.map(\.target), Array(UnsafeBufferPointer(start: w, count: slots.count)))
    }

    /// A held row for out-edges `targets` (ascending) with `weights`.
    private static func makeRow(targets: [UInt32], weights: [UInt32], scratch: inout Scratch) -> Row {
        guard !targets.isEmpty else { return Row(block: nil, degree: 0, held: true, referenced: true) }
        scratch.slots.removeAll(keepingCapacity: true)
        AliasTables.appendSlots(targets: targets, weights: weights, to: &scratch.slots, scratch: &scratch.alias)
        let d = targets.count
        let block = UnsafeMutableRawPointer.allocate(byteCount: d * (4 + MemoryLayout<Slot>.stride), alignment: 8)
        weights.withUnsafeBufferPointer { block.bindMemory(to: UInt32.self, capacity: d).initialize(from: $0.baseAddress!, count: d) }
        scratch.slots.withUnsafeBufferPointer {
            (block + 4 * d).bindMemory(to: Slot.self, capacity: d).initialize(from: $0.baseAddress!, count: d)
        }
        return Row(block: block, degree: Int32(d), held: true, referenced: true)
    }

    private struct Scratch {
        var slots: [Slot] = []
        var alias = AliasTables.Scratch()
    }

    /// What one parallel chunk changed in the counters (applied after the chunks).
    private struct ChunkTally {
        var bytes = 0
        var nodes = 0
        var loads = 0
        var newEdges = 0
        var error: (any Error)?
    }

    private func grow(to nodeCount: Int) {
        if rows.count < nodeCount { rows.append(contentsOf: repeatElement(Row(), count: nodeCount - rows.count)) }
    }

    // MARK: Updates

    /// Adds `count` observations to every edge `from -> to` of `edges` (sorted by `from`,
    /// then `to`; each edge once), reading a node's out-edges from the source first when it
    /// is not held, and rebuilds those nodes' tables. Returns how many of the edges are new.
    /// On a source error some nodes may be updated and others not: discard the walker.
    public func add(_ edges: [(from: UInt32, to: UInt32, count: UInt32)], nodeCount: Int) throws -> Int {
        grow(to: max(nodeCount, Int(edges.last?.from ?? 0) + 1))
        // The runs of one source node.
        let groups: [Range<Int>] = {
            var groups: [Range<Int>] = []
            var i = 0
            while i < edges.count {
                var j = i + 1
                while j < edges.count && edges[j].from == edges[i].from { j += 1 }
                groups.append(i..<j)
                i = j
            }
            return groups
        }()
        return try updateRows(count: groups.count) { rows, k, scratch, tally in
            let group = groups[k]
            let node = Int(edges[group.lowerBound].from)
            let old = rows[node]
            let (targets, weights): ([UInt32], [UInt32])
            if old.held {
                (targets, weights) = Self.edges(of: old)
            } else {
                (targets, weights) = try self.source.outEdges(of: UInt32(node))
                tally.loads += 1
            }
            var mergedTargets: [UInt32] = [], mergedWeights: [UInt32] = []
            mergedTargets.reserveCapacity(targets.count + group.count)
            mergedWeights.reserveCapacity(targets.count + group.count)
            var a = 0
            for e in edges[group] {
                while a < targets.count && targets[a] < e.to {
                    mergedTargets.append(targets[a])
                    mergedWeights.append(weights[a])
                    a += 1
                }
                if a < targets.count && targets[a] == e.to {
                    let (sum, overflow) = weights[a].addingReportingOverflow(e.count)
                    mergedTargets.append(e.to)
                    mergedWeights.append(overflow ? .max : sum)
                    a += 1
                } else {
                    mergedTargets.append(e.to)
                    mergedWeights.append(e.count)
                    tally.newEdges += 1
                }
            }
            mergedTargets.append(contentsOf: targets[a...])
            mergedWeights.append(contentsOf: weights[a...])
            return Self.makeRow(targets: mergedTargets, weights: mergedWeights, scratch: &scratch)
        } node: { k in Int(edges[groups[k].lowerBound].from) }.newEdges
    }

    /// Reads the nodes of `nodes` that are not held from the source.
    public func load(_ nodes: [UInt32], nodeCount: Int) throws {
        grow(to: max(nodeCount, Int(nodes.max() ?? 0) + 1))
        let missing = Array(Set(nodes.filter { !rows[Int($0)].held })).sorted()
        _ = try updateRows(count: missing.count) { _, k, scratch, tally in
            let (targets, weights) = try self.source.outEdges(of: missing[k])
            tally.loads += 1
            return Self.makeRow(targets: targets, weights: weights, scratch: &scratch)
        } node: { k in Int(missing[k]) }
    }

    /// Replaces the rows of `count` distinct nodes (`node(k)`) by `build(rows, k, ...)`, in
    /// parallel chunks; accounts for the bytes.
    private func updateRows(
        count: Int,
        _ build: @Sendable (UnsafeMutableBufferPointer<Row>, Int, inout Scratch, inout ChunkTally) throws -> Row,
        node: @Sendable (Int) -> Int
    ) throws -> ChunkTally {
        let chunk = Self.nodesPerUpdateChunk
        let chunks = (count + chunk - 1) / chunk
        var tallies = [ChunkTally](repeating: ChunkTally(), count: chunks)
        rows.withUnsafeMutableBufferPointer { rows in
            let out = UnsafeMutableBufferPointerBox(rows)
            tallies.withUnsafeMutableBufferPointer { tallies in
                let results = UnsafeMutableBufferPointerBox(tallies)
                Self.forEachChunk(chunks) { c in
                    var scratch = Scratch()
                    var tally = ChunkTally()
                    for k in (c * chunk)..<min(count, (c + 1) * chunk) {
                        let n = node(k)
                        let old = out.buffer[n]
                        do {
                            let row = try build(out.buffer, k, &scratch, &tally)
                            if old.held {
                                tally.bytes -= Self.bytes(degree: Int(old.degree))
                                tally.nodes -= 1
                            }
                            old.block?.deallocate()
                            out.buffer[n] = row
                            tally.bytes += Self.bytes(degree: Int(row.degree))
                            tally.nodes += 1
                        } catch {
                            tally.error = error
                            break
                        }
                    }
                    results.buffer[c] = tally
                }
            }
        }
        var total = ChunkTally()
        for t in tallies {
            total.bytes += t.bytes
            total.nodes += t.nodes
            total.loads += t.loads
            total.newEdges += t.newEdges
        }
        heldBytes += total.bytes
        heldNodes += total.nodes
        loads += total.loads
        if let error = tallies.lazy.compactMap(\.error).first { throw error }
        return total
    }

    /// The weight of `from -> to` (0 when there is no such edge), or nil when `from` is not
    /// held.
    public func weight(from: UInt32, to: UInt32) -> UInt32? {
        guard Int(from) < rows.count, rows[Int(from)].held else { return nil }
        let row = rows[Int(from)]
        let slots = Self.slots(row)
        var lo = 0, hi = slots.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if slots[mid].target < to { lo = mid + 1 } else { hi = mid }
        }
        guard lo < slots.count, slots[lo].target == to, let w = Self.weights(row) else { return 0 }
        return w[lo]
    }

    /// Whether `node`'s out-edges are held.
    public func holds(_ node: UInt32) -> Bool { Int(node) < rows.count && rows[Int(node)].held }

    // MARK: Eviction

    /// Drops nodes in clock order until at most `limit` bytes are held: the hand clears the
    /// mark of a node used since it last passed (by a walk or an update) and drops an
    /// unmarked one. Only for nodes whose current weights the source holds: the nodes of
    /// `sparing` (increments the source may not have yet) are never dropped, so the held
    /// bytes can stay above `limit` when they alone exceed it.
    public func evict(toAtMost limit: Int, sparing: [UInt32] = []) {
        guard heldBytes > max(limit, 0), !rows.isEmpty else { return }
        for node in sparing where Int(node) < rows.count { rows[Int(node)].pinned = true }
        defer { for node in sparing where Int(node) < rows.count { rows[Int(node)].pinned = false } }
        // Two passes clear every mark; a third finds only spared nodes left.
        var steps = 0
        while heldBytes > max(limit, 0) && steps < 3 * rows.count {
            if hand >= rows.count { hand = 0 }
            if rows[hand].held && !rows[hand].pinned {
                if rows[hand].referenced {
                    rows[hand].referenced = false
                } else {
                    rows[hand].block?.deallocate()
                    heldBytes -= Self.bytes(degree: Int(rows[hand].degree))
                    heldNodes -= 1
                    rows[hand] = Row()
                }
            }
            hand += 1
            steps += 1
        }
    }

    // MARK: Walks

    /// `perNode` walks of at most `length` nodes from each start that has out-edges, in start
    /// order; deterministic for a given graph, start list and seed. Nodes the walks reach
    /// that are not held are read from the source and kept.
    public func walks(from starts: [UInt32], perNode: Int, length: Int, seed: UInt64, nodeCount: Int) throws -> WalkCorpus {
        guard perNode > 0, length > 0, !starts.isEmpty else { return WalkCorpus(nodeCount: nodeCount) }
        grow(to: nodeCount)
        let chunks = (starts.count + Self.startsPerChunk - 1) / Self.startsPerChunk
        var parts = [ChunkWalks](repeating: ChunkWalks(), count: chunks)
        parts.withUnsafeMutableBufferPointer { parts in
            let out = UnsafeMutableBufferPointerBox(parts)
            Self.forEachChunk(chunks) { c in
                let range = (c * Self.startsPerChunk)..<min(starts.count, (c + 1) * Self.startsPerChunk)
                out.buffer[c] = walks(from: starts[range], perNode: perNode, length: length,
                                      seed: SplitMix64.mix(seed ^ UInt64(c)))
            }
        }
        // Keep what the chunks read (two chunks may have read the same node).
        for part in parts {
            for (node, row) in part.loaded {
                loads += 1
                if rows[Int(node)].held {
                    row.block?.deallocate()
                } else {
                    rows[Int(node)] = row
                    heldBytes += Self.bytes(degree: Int(row.degree))
                    heldNodes += 1
                }
            }
        }
        if let error = parts.lazy.compactMap(\.error).first { throw error }
        var corpus = WalkCorpus(nodeCount: nodeCount)
        corpus.tokens.reserveCapacity(parts.reduce(0) { $0 + $1.corpus.tokens.count })
        corpus.walkEnds.reserveCapacity(parts.reduce(0) { $0 + $1.corpus.walkEnds.count })
        for part in parts {
            let base = corpus.tokens.count
            corpus.tokens.append(contentsOf: part.corpus.tokens)
            corpus.walkEnds.append(contentsOf: part.corpus.walkEnds.lazy.map { $0 + base })
        }
        for node in corpus.tokens { rows[Int(node)].referenced = true }
        return corpus
    }

    /// One chunk's walks and the nodes it read from the source.
    private struct ChunkWalks: @unchecked Sendable {
        var corpus = WalkCorpus()
        var loaded: [UInt32: Row] = [:]
        var error: (any Error)?
    }

    /// The walks of one chunk. Walk `w` (in output order) has its own generator, seeded from
    /// (`seed`, `w`), so `lanes` walks advance in lockstep: on a large graph every step is a
    /// cache miss or two, and the lanes' independent loads overlap.
    private func walks(from starts: ArraySlice<UInt32>, perNode: Int, length: Int, seed: UInt64) -> ChunkWalks {
        var result = ChunkWalks()
        var scratch = Scratch()
        rows.withUnsafeBufferPointer { rows in
            /// The row of `node`: held, or read from the source (kept for this chunk).
            func row(_ node: UInt32) throws -> Row {
                let row = rows[Int(node)]
                if row.held { return row }
                if let row = result.loaded[node] { return row }
                let (targets, weights) = try source.outEdges(of: node)
                let loaded = Self.makeRow(targets: targets, weights: weights, scratch: &scratch)
                result.loaded[node] = loaded
                return loaded
            }
            do {
                var walkStarts: [UInt32] = []
                walkStarts.reserveCapacity(starts.count * perNode)
                for start in starts where Int(start) < rows.count {
                    if try row(start).degree > 0 { walkStarts.append(contentsOf: repeatElement(start, count: perNode)) }
                }
                result.corpus.tokens.reserveCapacity(walkStarts.count * length)
                result.corpus.walkEnds.reserveCapacity(walkStarts.count)
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
                            var r = rows[Int(node[l])]
                            if !r.held { r = try row(node[l]) }
                            if let next = AliasTables.sample(Self.slots(r), rng: &rng[l]) {
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
                        result.corpus.tokens.append(contentsOf: buffer[(l * length)..<(l * length + steps[l])])
                        result.corpus.walkEnds.append(result.corpus.tokens.count)
                    }
                    first += n
                }
            } catch {
                result.error = error
            }
        }
        return result
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
