import Foundation
import Testing
@testable import Model

/// Small corpora with known structure, shared by the training tests.
enum PlantedClusters {
    /// `clusters * perCluster` item nodes; node `n` is in cluster `n / perCluster`. Walks
    /// stay in the current cluster with probability `stay`, else jump to a random node.
    static func itemWalks(
        clusters: Int, perCluster: Int, walksPerNode: Int, walkLength: Int, stay: Double, seed: UInt64
    ) -> WalkCorpus {
        var rng = TrainingRNG(seed: seed, stream: 77)
        let n = clusters * perCluster
        var corpus = WalkCorpus(nodeCount: n)
        for _ in 0..<walksPerNode {
            for startNode in 0..<n {
                var walk = [UInt32(startNode)]
                var current = startNode
                while walk.count < walkLength {
                    if Double(rng.nextUnitFloat()) < stay {
                        let c = current / perCluster
                        current = c * perCluster + rng.nextIndex(perCluster)
                    } else {
                        current = rng.nextIndex(n)
                    }
                    walk.append(UInt32(current))
                }
                corpus.append(walk: walk)
            }
        }
        return corpus
    }

    /// Walks that ignore any structure: every step uniform over `nodes`.
    static func noiseWalks(nodes: Int, walks: Int, walkLength: Int, seed: UInt64) -> WalkCorpus {
        var rng = TrainingRNG(seed: seed, stream: 78)
        var corpus = WalkCorpus(nodeCount: nodes)
        for _ in 0..<walks { corpus.append(walk: (0..<walkLength).map { _ in UInt32(rng.nextIndex(nodes)) }) }
        return corpus
    }

    /// An item view over planted clusters, and optionally a category view (one category per
    /// cluster, walks over categories) with item -> category alignment pairs.
    static func data(clusters: Int = 10, perCluster: Int = 10, walksPerNode: Int = 4, walkLength: Int = 15,
                     withCategories: Bool = false, seed: UInt64 = 3) -> TrainingData {
        let items = itemWalks(clusters: clusters, perCluster: perCluster, walksPerNode: walksPerNode,
                              walkLength: walkLength, stay: 0.9, seed: seed)
        var views = [ViewTrainingData(name: "item", nodeNames: (0..<items.nodeCount).map { "i\($0)" }, corpus: items)]
        var alignments: [AlignmentPairs] = []
        if withCategories {
            var categoryWalks = WalkCorpus(nodeCount: clusters)
            for w in 0..<items.walkCount {
                var seq: [UInt32] = []
                for t in items.walk(w) {
                    let c = t / UInt32(perCluster)
                    if seq.last != c { seq.append(c) }
                }
                categoryWalks.append(walk: seq)
            }
            views.append(ViewTrainingData(name: "category", nodeNames: (0..<clusters).map { "c\($0)" },
                                          corpus: categoryWalks))
            let n = clusters * perCluster
            alignments.append(AlignmentPairs(
                sourceView: "item", targetView: "category",
                source: (0..<n).map { UInt32($0) }, target: (0..<n).map { UInt32($0 / perCluster) }))
        }
        return TrainingData(views: views, alignments: alignments)
    }

    /// Fraction of nodes whose nearest other node by cosine is in the same cluster.
    static func neighbourPurity(_ m: EmbeddingMatrix, perCluster: Int) -> Double {
        var normalized = m.values
        for r in 0..<m.rows {
            let norm = (0..<m.dim).reduce(Float(0)) { $0 + m.values[r * m.dim + $1] * m.values[r * m.dim + $1] }
            for j in 0..<m.dim { normalized[r * m.dim + j] /= max(norm.squareRoot(), 1e-12) }
        }
        var same = 0
        for a in 0..<m.rows {
            var best = -Float.infinity, bestIndex = -1
            for b in 0..<m.rows where b != a {
                var s: Float = 0
                for j in 0..<m.dim { s += normalized[a * m.dim + j] * normalized[b * m.dim + j] }
                if s > best { best = s; bestIndex = b }
            }
            if bestIndex / perCluster == a / perCluster { same += 1 }
        }
        return Double(same) / Double(m.rows)
    }
}

@Suite struct TrainingSupportTests {
    @Test func samplerFollowsUnigramToThe075() {
        let counts = [1, 0, 16, 81, 256]
        let sampler = UnigramSampler(counts: counts)
        var rng = TrainingRNG(seed: 9)
        var drawn = [Int](repeating: 0, count: counts.count)
        let draws = 400_000
        for _ in 0..<draws { drawn[Int(sampler.sample(using: &rng))] += 1 }
        let weights = counts.map { $0 > 0 ? pow(Double($0), 0.75) : 0 }
        let total = weights.reduce(0, +)
        #expect(drawn[1] == 0)
        for i in counts.indices where counts[i] > 0 {
            let expected = weights[i] / total
            #expect(abs(Double(drawn[i]) / Double(draws) - expected) < 0.005, "id \(i)")
        }
    }

    @Test func samplerWithAllZeroCountsIsUniform() {
        let sampler = UnigramSampler(counts: [0, 0, 0, 0])
        var rng = TrainingRNG(seed: 2)
        var drawn = [Int](repeating: 0, count: 4)
        for _ in 0..<40_000 { drawn[Int(sampler.sample(using: &rng))] += 1 }
        #expect(drawn.allSatisfy { abs($0 - 10_000) < 600 })
    }

    @Test func tableGrowsKeepingRowsAndInitialisesPerKind() {
        var rng = TrainingRNG(seed: 4)
        let table = EmbeddingTable(rows: 3, dim: 8, initialization: .uniform, rng: &rng)
        #expect(table.buffer.allSatisfy { abs($0) <= 0.5 / 8 })
        #expect(table.buffer.contains { $0 != 0 })
        let before = Array(table.buffer)
        for _ in 0..<100 { table.appendRows(1, initialization: .zeros, rng: &rng) }
        #expect(table.rows == 103)
        #expect(Array(table.buffer[0..<24]) == before)
        #expect(table.buffer[24...].allSatisfy { $0 == 0 })
        let identity = EmbeddingTable(rows: 4, dim: 4, initialization: .identity, rng: &rng)
        #expect(identity.matrixCopy().values == [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1])
    }

    @Test func rngIsReproducibleAndStreamsDiffer() {
        var a = TrainingRNG(seed: 5), b = TrainingRNG(seed: 5), c = TrainingRNG(seed: 5, stream: 1)
        let xa = (0..<8).map { _ in a.next() }, xb = (0..<8).map { _ in b.next() }
        let xc = (0..<8).map { _ in c.next() }
        #expect(xa == xb)
        #expect(xa != xc)
        for _ in 0..<1000 {
            let i = a.nextIndex(7)
            #expect(i >= 0 && i < 7)
            let f = a.nextUnitFloat()
            #expect(f >= 0 && f < 1)
        }
    }

    @Test func vectorKernelsMatchScalarLoops() {
        for n in [1, 7, 8, 15, 33, 64, 100, 128] {
            let x = (0..<n).map { Float($0 % 7) * 0.25 - 0.5 }
            var y = (0..<n).map { Float($0 % 5) * 0.125 }
            let expectedDot = zip(x, y).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            let expectedAxpy = zip(x, y).map { 0.5 * $0 + $1 }
            let dot = x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in
                VectorKernels.dot(xb.baseAddress!, yb.baseAddress!, n) } }
            #expect(abs(dot - expectedDot) < 1e-4)
            x.withUnsafeBufferPointer { xb in y.withUnsafeMutableBufferPointer { yb in
                VectorKernels.axpy(0.5, xb.baseAddress!, yb.baseAddress!, n) } }
            #expect(zip(y, expectedAxpy).allSatisfy { abs($0 - $1) < 1e-6 })
            // Fused pair update: acc += g*c, then c += g*e.
            var c = x, acc = [Float](repeating: 1, count: n)
            let e = y
            let expectedAcc = c.map { 1 + 0.25 * $0 }, expectedC = zip(c, e).map { $0 + 0.25 * $1 }
            c.withUnsafeMutableBufferPointer { cb in acc.withUnsafeMutableBufferPointer { ab in e.withUnsafeBufferPointer { eb in
                VectorKernels.accumulateAndUpdate(0.25, c: cb.baseAddress!, e: eb.baseAddress!, acc: ab.baseAddress!, n) } } }
            #expect(zip(acc, expectedAcc).allSatisfy { abs($0 - $1) < 1e-6 })
            #expect(zip(c, expectedC).allSatisfy { abs($0 - $1) < 1e-6 })
        }
    }
}

@Suite struct LogisticTests {
    /// The fast path's fused sigmoid/loss against double-precision references, over the
    /// whole range logits take (and beyond, where float sigmoids saturate).
    @Test func sigmoidAndLossMatchExactValues() {
        var worstSigmoid = 0.0, worstLoss = 0.0
        for step in -4000...4000 {
            let x = Float(step) / 100
            let fused = Logistic.sigmoidAndLoss(x)
            let xd = Double(x)
            let sigmoid = 1 / (1 + Foundation.exp(-xd))
            let loss = xd > 0 ? Foundation.log1p(Foundation.exp(-xd)) : -xd + Foundation.log1p(Foundation.exp(xd))
            worstSigmoid = max(worstSigmoid, abs(Double(fused.sigmoid) - sigmoid), abs(Double(fused.complement) - (1 - sigmoid)))
            worstLoss = max(worstLoss, abs(Double(fused.loss) - loss) / max(1, loss))
            #expect(fused.complement >= 0 && fused.sigmoid >= 0)
        }
        #expect(worstSigmoid < 1e-6, "sigmoid error \(worstSigmoid)")
        #expect(worstLoss < 1e-6, "loss error \(worstLoss)")
        for e in stride(from: Float(0), through: 1, by: 1.0 / 1024) {
            #expect(abs(Double(Logistic.log1pUnit(e)) - Foundation.log1p(Double(e))) < 2e-7)
        }
    }
}
