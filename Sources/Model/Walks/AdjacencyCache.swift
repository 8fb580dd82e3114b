import Dispatch

/// Where an ``AdjacencyCache`` reads the out-edges of a node it does not hold.
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

/// The out-edges and alias tables of the hot nodes of a changing graph whose adjacency lives
/// elsewhere (the streaming ingester's RocksDB), within a bound on the bytes held: after
/// every batch the ingester adds the batch's edge increments, and ``LiveGraphWalker`` draws
/// walks from the touched nodes through it.
///
/// Per held node, the cache keeps its out-edge weights and its alias table (the
/// ``AliasTables`` slots of that node, out-neighbours in id order): a walk step reads one
/// slot, O(1). A node not held is read from the ``OutEdgeSource`` when an increment or a walk
/// reaches it. ``evict(toAtMost:sparing:)`` drops nodes in clock order (a node used since the hand
/// last passed survives one more pass) until the held bytes fit a bound. Id order makes the
/// tables depend only on the weights, so a node read back from the source walks exactly
/// like the one that was evicted, and the walks never depend on what happens to be held.
///
/// Consistency is the caller's: the source must hold every increment the cache was given
/// for nodes it may evict (the ingester spares the nodes a batch changed until that batch
/// is committed), and the current weights of every node not held.
///
/// Not thread-safe: one owner calls it at a time (the ingester does, under its lock); the
/// parallel chunks inside a call write disjoint nodes.
public final class AdjacencyCache: @unchecked Sendable {
    /// One node. `block` holds the weights (UInt32 x degree) then the alias slots (x degree);
    /// nil for a sink or a node not held.
    struct Row {
        var block: UnsafeMutableRawPointer?
        var degree: Int32 = 0
        var held = false
        var referenced = false
        /// Set only during ``evict(toAtMost:sparing:)``, for the spared nodes.
        var pinned = false
    }
    typealias Slot = AliasTables.Slot

    private(set) var rows: [Row] = []
    let source: any OutEdgeSource
    private var hand = 0
    /// Bytes held (``bytes(degree:)`` summed over the held nodes).
    public private(set) var heldBytes = 0
    public private(set) var heldNodes = 0
    /// Nodes read from the source so far (cache misses).
    public private(set) var loads = 0

    /// Nodes per chunk when adding increments.
    private static let nodesPerUpdateChunk = 1024

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

    static func slots(_ row: Row) -> UnsafeBufferPointer<Slot> {
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
    static func makeRow(targets: [UInt32], weights: [UInt32], scratch: inout Scratch) -> Row {
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

    struct Scratch {
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

    func grow(to nodeCount: Int) {
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

    // MARK: For the walker

    /// Keeps the rows that walk chunks read from the source (two chunks may have read the
    /// same node: the first row kept wins, the others are freed); each counts as a load.
    func keep(_ loaded: [UInt32: Row]) {
        for (node, row) in loaded {
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

    /// Marks `nodes` as used (the clock hand spares them on its next pass).
    func markReferenced(_ nodes: [UInt32]) {
        for node in nodes { rows[Int(node)].referenced = true }
    }

    /// Runs `body` for chunks `0..<count`, on all cores when there is more than one.
    static func forEachChunk(_ count: Int, _ body: @Sendable (Int) -> Void) {
        if count <= 1 {
            for c in 0..<count { body(c) }
        } else {
            DispatchQueue.concurrentPerform(iterations: count, execute: body)
        }
    }
}

/// Lets chunks of a parallel loop write disjoint elements of one buffer.
struct UnsafeMutableBufferPointerBox<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}
