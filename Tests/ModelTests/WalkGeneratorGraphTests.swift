import Testing

@testable import Model

@Suite struct WalkGeneratorGraphTests {
    /// 0 -> 1 (1), 0 -> 2 (3), 0 -> 3 (6); 1 -> 0 (2); 2 -> 3 (1); 3 is a sink; 4 is isolated.
    func sampleGraph() -> ViewGraph {
        var graph = ViewGraph(nodeCount: 5)
        graph.addTransition(from: 0, to: 1, count: 1)
        graph.addTransition(from: 0, to: 2, count: 3)
        graph.addTransition(from: 0, to: 3, count: 6)
        graph.addTransition(from: 1, to: 0, count: 2)
        graph.addTransition(from: 2, to: 3)
        return graph
    }

    @Test func walksFollowExistingEdgesAndStopAtSinks() {
        let graph = sampleGraph()
        let corpus = WalkGenerator(graph: graph).generate(perNode: 50, length: 8, seed: 3)
        #expect(corpus.walkCount == 3 * 50)  // nodes 0, 1, 2 have out-edges
        #expect(corpus.nodeCount == 5)
        for i in 0..<corpus.walkCount {
            let walk = Array(corpus.walk(i))
            #expect(walk.count >= 2 && walk.count <= 8)
            #expect(walk.first != 3 && walk.first != 4)
            for (a, b) in zip(walk, walk.dropFirst()) { #expect(graph.weight(from: a, to: b) > 0) }
            if walk.count < 8 { #expect(graph.outDegree(walk.last ?? 0) == 0) }
            #expect(!walk.dropLast().contains(3))  // a sink can only end a walk
        }
    }

    @Test func walksAreDeterministicBySeed() {
        let generator = WalkGenerator(graph: sampleGraph())
        let a = generator.generate(perNode: 20, length: 10, seed: 42)
        let b = generator.generate(perNode: 20, length: 10, seed: 42)
        let c = generator.generate(perNode: 20, length: 10, seed: 43)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func transitionFrequenciesApproachNormalisedWeights() {
        let generator = WalkGenerator(graph: sampleGraph())
        let corpus = generator.generate(from: [0], perNode: 20_000, length: 2, seed: 7)
        var counts = [Int](repeating: 0, count: 5)
        for i in 0..<corpus.walkCount { counts[Int(corpus.walk(i).last ?? 0)] += 1 }
        let n = Double(corpus.walkCount)
        // Expected 0.1, 0.3, 0.6; standard error ≤ 0.0035, bound is > 5 standard errors.
        #expect(abs(Double(counts[1]) / n - 0.1) < 0.02)
        #expect(abs(Double(counts[2]) / n - 0.3) < 0.02)
        #expect(abs(Double(counts[3]) / n - 0.6) < 0.02)
        #expect(counts[0] == 0 && counts[4] == 0)
    }

    @Test func aliasTablesMatchSkewedAndUniformWeights() {
        var graph = ViewGraph(nodeCount: 6)
        let weights: [UInt32] = [1, 1, 1, 1, 96]
        for (k, w) in weights.enumerated() { graph.addTransition(from: 0, to: UInt32(k + 1), count: w) }
        let corpus = WalkGenerator(graph: graph).generate(from: [0], perNode: 20_000, length: 2, seed: 11)
        var counts = [Int](repeating: 0, count: 6)
        for i in 0..<corpus.walkCount { counts[Int(corpus.walk(i).last ?? 0)] += 1 }
        for (k, w) in weights.enumerated() {
            #expect(abs(Double(counts[k + 1]) / 20_000 - Double(w) / 100) < 0.01)
        }
    }

    @Test func walksFromGivenStartsOnlyStartThere() {
        let corpus = WalkGenerator(graph: sampleGraph()).generate(from: [1, 3, 4, 99], perNode: 5, length: 4, seed: 1)
        #expect(corpus.walkCount == 5)  // sinks, isolated and unknown nodes are skipped
        #expect((0..<corpus.walkCount).allSatisfy { corpus.walk($0).first == 1 })
    }

    @Test func seededGeneratorIsReproducibleAndUniform() {
        var a = Xoshiro256StarStar(seed: 9)
        var b = Xoshiro256StarStar(seed: 9)
        #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in b.next() })
        var counts = [Int](repeating: 0, count: 4)
        for _ in 0..<40_000 { counts[a.nextInt(below: 4)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 500 })
    }
}
