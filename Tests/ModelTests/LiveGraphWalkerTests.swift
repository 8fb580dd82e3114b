import Testing

@testable import Model

@Suite struct LiveGraphWalkerTests {
    /// The edges of a small graph in two different insertion orders.
    static let edges: [(UInt32, UInt32, UInt32)] = [
        (0, 1, 1), (0, 2, 3), (0, 3, 6), (1, 0, 2), (2, 3, 1), (1, 2, 5), (2, 0, 4), (0, 4, 2),
    ]

    static func graph(reversed: Bool) -> ViewGraph {
        var graph = ViewGraph(nodeCount: 6)
        for (a, b, w) in reversed ? edges.reversed() : edges { graph.addTransition(from: a, to: b, count: w) }
        return graph
    }

    static func walker(_ graph: ViewGraph) -> LiveGraphWalker {
        LiveGraphWalker(adjacency: AdjacencyCache(source: graph))
    }

    @Test func walksDoNotDependOnEdgeInsertionOrder() throws {
        let a = try Self.walker(Self.graph(reversed: false)).walks(from: [0, 1, 2], perNode: 50, length: 10, seed: 5, nodeCount: 6)
        let b = try Self.walker(Self.graph(reversed: true)).walks(from: [0, 1, 2], perNode: 50, length: 10, seed: 5, nodeCount: 6)
        #expect(a.walkCount == 150)
        #expect(a == b)
        // The offline generator too (a graph rebuilt from stored edges walks the same).
        let c = WalkGenerator(graph: Self.graph(reversed: false)).generate(perNode: 20, length: 10, seed: 5)
        let d = WalkGenerator(graph: Self.graph(reversed: true)).generate(perNode: 20, length: 10, seed: 5)
        #expect(c == d)
    }

    @Test func walksFollowEdgesStopAtSinksAndSkipSinkStarts() throws {
        let graph = Self.graph(reversed: false)
        let corpus = try Self.walker(graph).walks(from: [3, 0, 5, 99], perNode: 40, length: 6, seed: 1, nodeCount: 6)
        #expect(corpus.walkCount == 40)  // only 0 has out-edges among the starts
        for i in 0..<corpus.walkCount {
            let walk = Array(corpus.walk(i))
            #expect(walk.first == 0)
            for (x, y) in zip(walk, walk.dropFirst()) { #expect(graph.weight(from: x, to: y) > 0) }
            if walk.count < 6 { #expect(graph.outDegree(walk.last ?? 0) == 0) }
        }
    }

    @Test func transitionFrequenciesFollowWeights() throws {
        let corpus = try Self.walker(Self.graph(reversed: false)).walks(from: [0], perNode: 40_000, length: 2, seed: 3, nodeCount: 6)
        var counts = [Int](repeating: 0, count: 6)
        for i in 0..<corpus.walkCount { counts[Int(corpus.walk(i).last ?? 0)] += 1 }
        // Weights 1, 3, 6, 2 out of 12; standard error <= 0.0025, bound > 5 standard errors.
        for (node, w) in [(1, 1.0), (2, 3.0), (3, 6.0), (4, 2.0)] {
            #expect(abs(Double(counts[node]) / 40_000 - w / 12) < 0.015)
        }
    }

    @Test func manyStartsAreDeterministicAcrossParallelChunks() throws {
        // More starts than one chunk, so chunks are drawn in parallel.
        var graph = ViewGraph(nodeCount: 3000)
        for i in 0..<3000 { for j in 1...4 { graph.addTransition(from: UInt32(i), to: UInt32((i * 7 + j * 13) % 3000), count: UInt32(j)) } }
        let walker = Self.walker(graph)
        let starts = (0..<3000).map { UInt32($0) }
        let a = try walker.walks(from: starts, perNode: 2, length: 8, seed: 9, nodeCount: 3000)
        let b = try walker.walks(from: starts, perNode: 2, length: 8, seed: 9, nodeCount: 3000)
        #expect(a.walkCount == 6000)
        #expect(a == b)
        #expect((0..<a.walkCount).map { a.walk($0).first } == starts.flatMap { [$0, $0] })
        #expect(try a != walker.walks(from: starts, perNode: 2, length: 8, seed: 10, nodeCount: 3000))
    }

    /// A ring-like graph of `n` nodes, 4 weighted out-edges each.
    static func bigGraph(_ n: Int) -> ViewGraph {
        var graph = ViewGraph(nodeCount: n)
        for i in 0..<n { for j in 1...4 { graph.addTransition(from: UInt32(i), to: UInt32((i * 7 + j * 13) % n), count: UInt32(j)) } }
        return graph
    }

    @Test func addMergesIncrementsIntoHeldAndUnheldNodes() throws {
        var graph = ViewGraph(nodeCount: 5)
        graph.addTransition(from: 0, to: 1)
        graph.addTransition(from: 2, to: 3, count: 2)
        graph.addTransition(from: 3, to: 0, count: 4)
        let walker = Self.walker(graph)
        try walker.adjacency.load([0], nodeCount: 5)
        #expect(walker.adjacency.holds(0) && !walker.adjacency.holds(2) && walker.adjacency.loads == 1)
        // Node 0 is held, 2 is read from the source first, 4 is new; 0 -> 1 and 2 -> 3 grow, three edges are new.
        let increments: [(from: UInt32, to: UInt32, count: UInt32)] = [(0, 1, 3), (0, 2, 1_000_000), (2, 1, 5), (2, 3, 1), (4, 0, 2)]
        #expect(try walker.adjacency.add(increments, nodeCount: 5) == 3)
        #expect(walker.adjacency.loads == 3)
        var updated = graph
        for e in increments { updated.addTransition(from: e.from, to: e.to, count: e.count) }
        for from in 0..<UInt32(5) {
            for to in 0..<UInt32(5) where walker.adjacency.holds(from) {
                #expect(walker.adjacency.weight(from: from, to: to) == updated.weight(from: from, to: to), "weight \(from) -> \(to)")
            }
        }
        #expect(walker.adjacency.weight(from: 1, to: 0) == nil, "node 1 is not held")
        // The walks are those of a walker over the updated graph.
        let fresh = Self.walker(updated)
        let starts: [UInt32] = [0, 1, 2, 3, 4]
        #expect(try walker.walks(from: starts, perNode: 30, length: 6, seed: 4, nodeCount: 5)
            == fresh.walks(from: starts, perNode: 30, length: 6, seed: 4, nodeCount: 5))
    }

    @Test func walksDoNotDependOnWhatIsHeldAndEvictionKeepsTheBound() throws {
        let graph = Self.bigGraph(5000)
        let unbounded = Self.walker(graph)
        let bounded = Self.walker(graph)
        let bound = 40 * AdjacencyCache.bytes(degree: 4)
        for round in 0..<5 {
            let starts = (0..<400).map { UInt32(($0 * 37 + round * 1001) % 5000) }
            let a = try unbounded.walks(from: starts, perNode: 2, length: 10, seed: UInt64(round), nodeCount: 5000)
            let b = try bounded.walks(from: starts, perNode: 2, length: 10, seed: UInt64(round), nodeCount: 5000)
            #expect(a == b, "round \(round)")
            bounded.adjacency.evict(toAtMost: bound)
            #expect(bounded.adjacency.heldBytes <= bound)
            #expect(bounded.adjacency.heldNodes * AdjacencyCache.bytes(degree: 4) == bounded.adjacency.heldBytes)
        }
        #expect(unbounded.adjacency.heldBytes > 100 * bound, "the unbounded walker held what the walks reached")
        #expect(bounded.adjacency.loads > unbounded.adjacency.loads, "the bounded walker read evicted nodes again")
        bounded.adjacency.evict(toAtMost: 0)
        #expect(bounded.adjacency.heldBytes == 0 && bounded.adjacency.heldNodes == 0)
    }

    @Test func evictionKeepsRecentlyUsedNodes() throws {
        let graph = Self.bigGraph(2000)
        let walker = Self.walker(graph)
        try walker.adjacency.load((0..<2000).map { UInt32($0) }, nodeCount: 2000)
        // The clock hand passes everything once (clearing every mark) and drops a few.
        walker.adjacency.evict(toAtMost: walker.adjacency.heldBytes - 1)
        // Node 1500 is used again; the hand then sweeps on past it, dropping unused nodes and
        // sparing the used one (its mark is cleared instead).
        _ = try walker.adjacency.add([(1500, 1, 1)], nodeCount: 2000)
        walker.adjacency.evict(toAtMost: 300 * AdjacencyCache.bytes(degree: 4))
        #expect(walker.adjacency.holds(1500))
        #expect(!walker.adjacency.holds(1499) && !walker.adjacency.holds(1501))
        #expect(walker.adjacency.heldNodes <= 300)
    }

    @Test func evictionNeverDropsSparedNodes() throws {
        let graph = Self.bigGraph(2000)
        let walker = Self.walker(graph)
        try walker.adjacency.load((0..<2000).map { UInt32($0) }, nodeCount: 2000)
        let spared: [UInt32] = [3, 700, 701, 1999]
        let each = AdjacencyCache.bytes(degree: 4)
        // A bound the spared nodes alone exceed: everything else goes, the spared stay.
        walker.adjacency.evict(toAtMost: 2 * each, sparing: spared)
        #expect(spared.allSatisfy { walker.adjacency.holds($0) })
        #expect(walker.adjacency.heldNodes == spared.count && walker.adjacency.heldBytes == spared.count * each)
        // Once no longer spared, they go like any other node.
        walker.adjacency.evict(toAtMost: 2 * each)
        #expect(walker.adjacency.heldBytes <= 2 * each)
    }

    /// A source that fails for one node.
    struct FailingSource: OutEdgeSource {
        struct Failure: Error {}
        let graph: ViewGraph
        let failing: UInt32
        func outEdges(of node: UInt32) throws -> (targets: [UInt32], weights: [UInt32]) {
            if node == failing { throw Failure() }
            return graph.outEdges(of: node)
        }
    }

    @Test func sourceErrorsReachTheCaller() {
        let graph = Self.bigGraph(3000)
        let walker = LiveGraphWalker(adjacency: AdjacencyCache(source: FailingSource(graph: graph, failing: 7)))
        #expect(throws: FailingSource.Failure.self) {
            try walker.walks(from: (0..<3000).map { UInt32($0) }, perNode: 1, length: 5, seed: 1, nodeCount: 3000)
        }
        #expect(throws: FailingSource.Failure.self) { try walker.adjacency.add([(7, 1, 1)], nodeCount: 3000) }
    }
}
