import Foundation
import Testing
@testable import Model

/// Items on the unit circle at known angles, so cosine rankings are known by construction.
@Suite struct EvaluationNextItemTests {
    /// Angles 0, 10, 25, 45, 70, 100 degrees; item k's norm is k+1 (cosine ignores it).
    static let angles: [Double] = [0, 10, 25, 45, 70, 100]
    static var table: EmbeddingMatrix {
        let values = angles.enumerated().flatMap { k, a -> [Float] in
            let r = Double(k + 1)
            return [Float(r * cos(a * .pi / 180)), Float(r * sin(a * .pi / 180)), 0]
        }
        return EmbeddingMatrix(rows: angles.count, dim: 3, values: values)
    }

    /// Rank by angular distance, the query excluded: computed here from the angles alone.
    static func expectedRank(from a: Int, to b: Int) -> Int {
        let distance = angles.map { abs($0 - angles[a]) }
        return 1 + angles.indices.filter { $0 != a && $0 != b && distance[$0] < distance[b] }.count
    }

    @Test func ranksMatchAnglesByConstruction() {
        let evaluator = NextItemEvaluator(embeddings: Self.table)
        // From item 0 (0°): 1 (10°), 2 (25°), 3 (45°) -> rank 3.
        #expect(evaluator.rank(of: ItemTransition(from: 0, to: 3)) == 3)
        // From item 2 (25°): 1 (15° away), 3 (20°), 0 (25°) -> rank 3.
        #expect(evaluator.rank(of: ItemTransition(from: 2, to: 0)) == 3)
        for a in 0..<6 { for b in 0..<6 where a != b {
            #expect(evaluator.rank(of: ItemTransition(from: UInt32(a), to: UInt32(b))) == Self.expectedRank(from: a, to: b))
        } }
    }

    @Test func hitRateAndMRROverBatches() {
        var evaluator = NextItemEvaluator(embeddings: Self.table)
        evaluator.queryBatch = 2  // exercise several gemm batches
        let transitions = [
            ItemTransition(from: 0, to: 3),  // rank 3
            ItemTransition(from: 2, to: 0),  // rank 3
            ItemTransition(from: 5, to: 4),  // rank 1
            ItemTransition(from: 1, to: 5),  // rank 5
            ItemTransition(from: 4, to: 4),  // skipped: the query is excluded from its ranking
            ItemTransition(from: 9, to: 1),  // skipped: unknown item
        ]
        let result = evaluator.evaluate(transitions, ks: [1, 3, 5])
        #expect(result.evaluated == 4)
        #expect(result.skipped == 2)
        #expect(result.hitRate(at: 1) == 0.25)
        #expect(result.hitRate(at: 3) == 0.75)
        #expect(result.hitRate(at: 5) == 1.0)
        #expect(abs(result.mrr - (1.0 / 3 + 1.0 / 3 + 1 + 1.0 / 5) / 4) < 1e-12)
        // Codable for the JSON report.
        let decoded = try? JSONDecoder().decode(NextItemEvaluation.self, from: JSONEncoder().encode(result))
        #expect(decoded == result)
    }

    @Test func emptyInputGivesZeroes() {
        let result = NextItemEvaluator(embeddings: Self.table).evaluate([], ks: [10])
        #expect(result.evaluated == 0 && result.mrr == 0 && result.hitRate(at: 10) == 0)
    }
}
