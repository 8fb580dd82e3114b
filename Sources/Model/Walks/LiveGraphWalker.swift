/// Weighted random walks straight over a changing ``ViewGraph``, without precomputed alias
/// tables: each step draws `r` in `[0, out-weight)` and scans the node's out-edges (O(degree)).
/// The streaming ingester uses it after every batch for the few touched nodes, where
/// rebuilding alias tables for the whole graph would cost O(edges) per batch.
/// Same distribution as ``WalkGenerator``: P(j | i) = w_ij / sum_k w_ik; stops at sinks.
public struct LiveGraphWalker {
    public init() {}

    /// `perNode` walks of at most `length` nodes from each start that has out-edges,
    /// deterministic for a given graph, start list and seed.
    public func walks(on graph: ViewGraph, from starts: [UInt32], perNode: Int, length: Int, seed: UInt64) -> WalkCorpus {
        var rng = Xoshiro256StarStar(seed: seed)
        var corpus = WalkCorpus(nodeCount: graph.nodeCount)
        guard perNode > 0, length > 0 else { return corpus }
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

    private func step(_ graph: ViewGraph, from node: UInt32, rng: inout Xoshiro256StarStar) -> UInt32? {
        let total = graph.outWeight(node)
        guard total > 0 else { return nil }
        var r = rng.next() % total
        let i = Int(node)
        let weights = graph.weights[i]
        for (k, w) in weights.enumerated() {
            if r < UInt64(w) { return graph.targets[i][k] }
            r -= UInt64(w)
        }
        return graph.targets[i].last
    }
}
