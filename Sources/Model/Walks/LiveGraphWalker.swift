/// Weighted random walks over a changing graph through its ``AdjacencyCache`` (the hot
/// nodes' out-edges and alias tables; the rest is read from the cache's source as the walks
/// reach it, and kept). Same distribution as ``WalkGenerator``: P(j | i) = w_ij /
/// sum_k w_ik; a walk stops after `length` nodes or at a sink.
///
/// Walk starts are cut into fixed chunks drawn in parallel, each with its own seed derived
/// from the chunk number: the result depends on the graph, the starts and the seed, never
/// on the threads or on what the cache holds.
///
/// Not thread-safe, as its cache: one owner calls it at a time.
public struct LiveGraphWalker: Sendable {
    /// The adjacency the walks read (and fill with the nodes they reach).
    public let adjacency: AdjacencyCache

    /// Walk starts per chunk (fixed: part of what determines the walks).
    static let startsPerChunk = 512
    /// Walks drawn in lockstep within a chunk, so that their memory loads overlap.
    private static let lanes = 16

    public init(adjacency: AdjacencyCache) {
        self.adjacency = adjacency
    }

    /// `perNode` walks of at most `length` nodes from each start that has out-edges, in start
    /// order; deterministic for a given graph, start list and seed. Nodes the walks reach
    /// that are not held are read from the source and kept.
    public func walks(from starts: [UInt32], perNode: Int, length: Int, seed: UInt64, nodeCount: Int) throws -> WalkCorpus {
        guard perNode > 0, length > 0, !starts.isEmpty else { return WalkCorpus(nodeCount: nodeCount) }
        adjacency.grow(to: nodeCount)
        let chunks = (starts.count + Self.startsPerChunk - 1) / Self.startsPerChunk
        var parts = [ChunkWalks](repeating: ChunkWalks(), count: chunks)
        parts.withUnsafeMutableBufferPointer { parts in
            let out = UnsafeMutableBufferPointerBox(parts)
            AdjacencyCache.forEachChunk(chunks) { c in
                let range = (c * Self.startsPerChunk)..<min(starts.count, (c + 1) * Self.startsPerChunk)
                out.buffer[c] = walks(from: starts[range], perNode: perNode, length: length,
                                      seed: SplitMix64.mix(seed ^ UInt64(c)))
            }
        }
        // Keep what the chunks read (two chunks may have read the same node).
        for part in parts { adjacency.keep(part.loaded) }
        if let error = parts.lazy.compactMap(\.error).first { throw error }
        var corpus = WalkCorpus(nodeCount: nodeCount)
        corpus.tokens.reserveCapacity(parts.reduce(0) { $0 + $1.corpus.tokens.count })
        corpus.walkEnds.reserveCapacity(parts.reduce(0) { $0 + $1.corpus.walkEnds.count })
        for part in parts {
            let base = corpus.tokens.count
            corpus.tokens.append(contentsOf: part.corpus.tokens)
            corpus.walkEnds.append(contentsOf: part.corpus.walkEnds.lazy.map { $0 + base })
        }
        adjacency.markReferenced(corpus.tokens)
        return corpus
    }

    /// One chunk's walks and the nodes it read from the source.
    private struct ChunkWalks: @unchecked Sendable {
        var corpus = WalkCorpus()
        var loaded: [UInt32: AdjacencyCache.Row] = [:]
        var error: (any Error)?
    }

    /// The walks of one chunk. Walk `w` (in output order) has its own generator, seeded from
    /// (`seed`, `w`), so `lanes` walks advance in lockstep: on a large graph every step is a
    /// cache miss or two, and the lanes' independent loads overlap.
    private func walks(from starts: ArraySlice<UInt32>, perNode: Int, length: Int, seed: UInt64) -> ChunkWalks {
        var result = ChunkWalks()
        var scratch = AdjacencyCache.Scratch()
        adjacency.rows.withUnsafeBufferPointer { rows in
            /// The row of `node`: held, or read from the source (kept for this chunk).
            func row(_ node: UInt32) throws -> AdjacencyCache.Row {
                let row = rows[Int(node)]
                if row.held { return row }
                if let row = result.loaded[node] { return row }
                let (targets, weights) = try adjacency.source.outEdges(of: node)
                let loaded = AdjacencyCache.makeRow(targets: targets, weights: weights, scratch: &scratch)
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
                            if let next = AliasTables.sample(AdjacencyCache.slots(r), rng: &rng[l]) {
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

}
