/// Weighted random walks over one ``ViewGraph``: from node `i` the next node is `j` with
/// probability w_ij / sum_k w_ik; a walk stops after `length` nodes or at a node with no
/// out-edges. Deterministic for a given graph and seed.
public struct WalkGenerator: Sendable {
    private let tables: AliasTables
    /// Nodes with at least one out-edge, ascending: the start nodes of ``generate(perNode:length:seed:)``.
    public let startNodes: [UInt32]
    public let nodeCount: Int

    /// Builds the alias tables of `graph` as it is now (later changes to the graph need a new
    /// generator).
    public init(graph: ViewGraph) {
        tables = AliasTables(graph: graph)
        nodeCount = graph.nodeCount
        startNodes = (0..<graph.nodeCount).filter { graph.outDegree(UInt32($0)) > 0 }.map { UInt32($0) }
    }

    /// One walk of at most `length` nodes starting at `start` (included), appended to `corpus`.
    public func walk(from start: UInt32, length: Int, rng: inout Xoshiro256StarStar, into corpus: inout WalkCorpus) {
        guard Int(start) < nodeCount, length > 0 else { return }
        var node = start
        corpus.tokens.append(node)
        var steps = 1
        while steps < length, let next = tables.next(from: Int(node), rng: &rng) {
            corpus.tokens.append(next)
            node = next
            steps += 1
        }
        corpus.walkEnds.append(corpus.tokens.count)
    }

    /// `perNode` walks from every node that has out-edges. Each round visits the start nodes
    /// in a freshly shuffled order.
    public func generate(perNode: Int, length: Int, seed: UInt64) -> WalkCorpus {
        generate(from: startNodes, perNode: perNode, length: length, seed: seed)
    }

    /// `perNode` walks from each of `starts` (e.g. the nodes touched by a stream update);
    /// starts that are sinks yield single-node walks and are skipped. Rounds are shuffled as
    /// in ``generate(perNode:length:seed:)``.
    public func generate(from starts: [UInt32], perNode: Int, length: Int, seed: UInt64) -> WalkCorpus {
        var rng = Xoshiro256StarStar(seed: seed)
        var order = starts.filter { Int($0) < nodeCount && tables.degree(Int($0)) > 0 }
        var corpus = WalkCorpus(nodeCount: nodeCount)
        corpus.tokens.reserveCapacity(order.count * max(perNode, 0) * max(length, 0))
        corpus.walkEnds.reserveCapacity(order.count * max(perNode, 0))
        for _ in 0..<max(perNode, 0) {
            rng.shuffle(&order)
            for start in order { walk(from: start, length: length, rng: &rng, into: &corpus) }
        }
        return corpus
    }
}
