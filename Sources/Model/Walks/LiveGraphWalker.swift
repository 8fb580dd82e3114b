/// Weighted random walks straight over a changing ``ViewGraph``, for the streaming ingester:
/// after every batch it draws walks from the few touched nodes, where rebuilding alias
/// tables for the whole graph would cost O(edges) per batch.
///
/// Keeps, per node, the out-neighbours sorted by id and their cumulative weights (built on
/// first use, O(degree log degree)); a step is a binary search, O(log degree). Sorting makes
/// the walks independent of the order edges were inserted in, so a graph reloaded from
/// RocksDB (key order) walks exactly like the live one that wrote it. Call
/// ``invalidate(_:)`` for every node whose out-edges changed. Same distribution as ``WalkGenerator``: P(j | i) = w_ij / sum_k w_ik; a walk
/// stops after `length` nodes or at a sink.
public struct LiveGraphWalker: Sendable {
    private var cumulative: [[UInt64]] = []
    private var sortedTargets: [[UInt32]] = []

    public init() {}

    /// Forgets the cached weights of `node` (its out-edges changed).
    public mutating func invalidate(_ node: UInt32) {
        if Int(node) < cumulative.count {
            cumulative[Int(node)] = []
            sortedTargets[Int(node)] = []
        }
    }

    /// `perNode` walks of at most `length` nodes from each start that has out-edges, in start
    /// order; deterministic for a given graph, start list and seed.
    public mutating func walks(on graph: ViewGraph, from starts: [UInt32], perNode: Int, length: Int, seed: UInt64) -> WalkCorpus {
        var rng = Xoshiro256StarStar(seed: seed)
        var corpus = WalkCorpus(nodeCount: graph.nodeCount)
        guard perNode > 0, length > 0 else { return corpus }
        if cumulative.count < graph.nodeCount {
            sortedTargets.append(contentsOf: repeatElement([], count: graph.nodeCount - cumulative.count))
            cumulative.append(contentsOf: repeatElement([], count: graph.nodeCount - cumulative.count))
        }
        corpus.tokens.reserveCapacity(starts.count * perNode * length)
        for start in starts where graph.outDegree(start) > 0 {
            for _ in 0..<perNode {
                var node = start
                corpus.tokens.append(node)
                var steps = 1
                while steps < length, let next = step(graph, from: node, rng: &rng) {
                    corpus.tokens.append(next)
                    node = next
                    steps += 1
                }
                corpus.walkEnds.append(corpus.tokens.count)
            }
        }
        return corpus
    }

    private mutating func step(_ graph: ViewGraph, from node: UInt32, rng: inout Xoshiro256StarStar) -> UInt32? {
        let i = Int(node)
        guard i < graph.nodeCount else { return nil }
        let targets = graph.targets[i]
        guard !targets.isEmpty else { return nil }
        if cumulative[i].count != targets.count {
            let weights = graph.weights[i]
            let order = targets.indices.sorted { targets[$0] < targets[$1] }
            var sums = [UInt64]()
            sums.reserveCapacity(targets.count)
            var total: UInt64 = 0
            for k in order {
                total += UInt64(weights[k])
                sums.append(total)
            }
            cumulative[i] = sums
            sortedTargets[i] = order.map { targets[$0] }
        }
        let sums = cumulative[i]
        guard let total = sums.last, total > 0 else { return nil }
        let r = rng.next() % total
        // First index whose cumulative weight exceeds r.
        var lo = 0, hi = sums.count - 1
        while lo < hi {
            let mid = (lo + hi) >> 1
            if sums[mid] > r { hi = mid } else { lo = mid + 1 }
        }
        return sortedTargets[i][lo]
    }
}
