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
        var walker = LiveGraphWalker()
        walker.refreshAll(in: graph)
        return walker
    }

    @Test func walksDoNotDependOnEdgeInsertionOrder() {
        let a = Self.walker(Self.graph(reversed: false)).walks(from: [0, 1, 2], perNode: 50, length: 10, seed: 5, nodeCount: 6)
        let b = Self.walker(Self.graph(reversed: true)).walks(from: [0, 1, 2], perNode: 50, length: 10, seed: 5, nodeCount: 6)
        #expect(a.walkCount == 150)
        #expect(a == b)
        // The offline generator too (a graph rebuilt from stored edges walks the same).
        let c = WalkGenerator(graph: Self.graph(reversed: false)).generate(perNode: 20, length: 10, seed: 5)
        let d = WalkGenerator(graph: Self.graph(reversed: true)).generate(perNode: 20, length: 10, seed: 5)
        #expect(c == d)
    }

    @Test func walksFollowEdgesStopAtSinksAndSkipSinkStarts() {
        let graph = Self.graph(reversed: false)
        let corpus = Self.walker(graph).walks(from: [3, 0, 5, 99], perNode: 40, length: 6, seed: 1, nodeCount: 6)
        #expect(corpus.walkCount == 40)  // only 0 has out-edges among the starts
        for i in 0..<corpus.walkCount {
            let walk = Array(corpus.walk(i))
            #expect(walk.first == 0)
            for (x, y) in zip(walk, walk.dropFirst()) { #expect(graph.weight(from: x, to: y) > 0) }
            if walk.count < 6 { #expect(graph.outDegree(walk.last ?? 0) == 0) }
        }
    }

    @Test func transitionFrequenciesFollowWeights() {
        let corpus = Self.walker(Self.graph(reversed: false)).walks(from: [0], perNode: 40_000, length: 2, seed: 3, nodeCount: 6)
        var counts = [Int](repeating: 0, count: 6)
        for i in 0..<corpus.walkCount { counts[Int(corpus.walk(i).last ?? 0)] += 1 }
        // Weights 1, 3, 6, 2 out of 12; standard error <= 0.0025, bound > 5 standard errors.
        for (node, w) in [(1, 1.0), (2, 3.0), (3, 6.0), (4, 2.0)] {
            #expect(abs(Double(counts[node]) / 40_000 - w / 12) < 0.015)
        }
    }

    @Test func manyStartsAreDeterministicAcrossParallelChunks() {
        // More starts than one chunk, so chunks are drawn in parallel.
        var graph = ViewGraph(nodeCount: 3000)
        for i in 0..<3000 { for j in 1...4 { graph.addTransition(from: UInt32(i), to: UInt32((i * 7 + j * 13) % 3000), count: UInt32(j)) } }
        let walker = Self.walker(graph)
        let starts = (0..<3000).map { UInt32($0) }
        let a = walker.walks(from: starts, perNode: 2, length: 8, seed: 9, nodeCount: 3000)
        let b = walker.walks(from: starts, perNode: 2, length: 8, seed: 9, nodeCount: 3000)
        #expect(a.walkCount == 6000)
        #expect(a == b)
        #expect((0..<a.walkCount).map { a.walk($0).first } == starts.flatMap { [$0, $0] })
        #expect(a != walker.walks(from: starts, perNode: 2, length: 8, seed: 10, nodeCount: 3000))
    }

    @Test func refreshPicksUpChangedOutEdges() {
        var graph = ViewGraph(nodeCount: 4)
        graph.addTransition(from: 0, to: 1)
        var walker = Self.walker(graph)
        graph.addTransition(from: 0, to: 2, count: 1_000_000)
        graph.addTransition(from: 2, to: 3)
        // Not refreshed yet: the old table (0 -> 1 only) is used.
        let stale = walker.walks(from: [0], perNode: 20, length: 2, seed: 2, nodeCount: 4)
        #expect((0..<stale.walkCount).allSatisfy { stale.walk($0).last == 1 })
        walker.refresh([0, 2], in: graph)
        let fresh = walker.walks(from: [0], perNode: 20, length: 3, seed: 2, nodeCount: 4)
        #expect((0..<fresh.walkCount).allSatisfy { Array(fresh.walk($0)) == [0, 2, 3] })
    }
}
