import Foundation
import Testing

@testable import Model

/// `DiversityEvaluator` on a tiny fixed example, computed by hand.
@Suite struct DiversityEvaluatorTests {
    /// Items i0 (1,0), i1 (1,0.1), i2 (0,1), i3 (0.7,0.7); in the via space i0 (0,1), i1 (1,0),
    /// i2 (0,1), i3 (1,1). Genres: i0 a, i1 a, i2 b, i3 a c.
    /// Query i0, K = 2: item list [i1 (cos 0.995), i3 (0.707)]; via list [i2 (1), i3 (0.707)];
    /// mixed (round robin, item first) [i1, i2].
    @Test("hit rate, distinct values and mean pairwise cosine of each list equal the hand-computed ones")
    func handExample() throws {
        let items = EmbeddingMatrix(rows: 4, dim: 2, values: [1, 0, 1, 0.1, 0, 1, 0.7, 0.7])
        let via = EmbeddingMatrix(rows: 4, dim: 2, values: [0, 1, 1, 0, 0, 1, 1, 1])
        let genre = DiversityEvaluator.AttributeValuesByItem(view: "genre", values: [[0], [0], [1], [0, 2]])
        let evaluator = DiversityEvaluator(items: items, via: [.init(name: "via genre", space: via)], attributes: [genre])
        let transitions = [ItemTransition(from: 0, to: 2), ItemTransition(from: 0, to: 1), ItemTransition(from: 0, to: 0),
                           ItemTransition(from: 0, to: 9)]
        let e = try evaluator.evaluate(transitions, k: 2)
        #expect(e.evaluated == 2 && e.skipped == 2)
        #expect(e.lists.map(\.name) == ["item", "via genre", "mixed"])
        // item [i1, i3]: hits i1 once; genres {a, c}; cos(i1, i3) = 0.77 / (sqrt(1.01) sqrt(0.98)).
        // via [i2, i3]: hits i2 once; genres {b, a, c}; cos(i2, i3) = 0.7 / sqrt(0.98).
        // mixed [i1, i2]: hits both; genres {a, b}; cos(i1, i2) = 0.1 / sqrt(1.01).
        #expect(e.lists.map(\.hitRate) == [0.5, 0.5, 1.0])
        #expect(e.lists.map { $0.distinctValues.first?.mean } == [2, 3, 2])
        let expectedCosine = [0.77 / (1.01.squareRoot() * 0.98.squareRoot()), 0.7 / 0.98.squareRoot(), 0.1 / 1.01.squareRoot()]
        for (list, expected) in zip(e.lists, expectedCosine) {
            #expect(abs(list.meanPairwiseCosine - expected) < 1e-5, "\(list.name): \(list.meanPairwiseCosine) vs \(expected)")
        }
    }

    @Test("interleaving takes each list's next entry not taken yet, round robin, until k")
    func interleave() {
        #expect(DiversityEvaluator.interleave([[1, 2, 3], [2, 4], [5]], k: 5) == [1, 2, 5, 3, 4])
        #expect(DiversityEvaluator.interleave([[1, 2, 3], [2, 4], [5]], k: 2) == [1, 2])
        #expect(DiversityEvaluator.interleave([[1], [1]], k: 3) == [1])
    }

    @Test("mean pairwise cosine: a zero vector counts 0, one item gives 0")
    func pairwise() {
        let m = EmbeddingMatrix(rows: 3, dim: 2, values: [1, 0, 0, 0, 2, 0])
        #expect(DiversityEvaluator.meanPairwiseCosine([0, 2], items: m) == 1)
        #expect(abs(DiversityEvaluator.meanPairwiseCosine([0, 1, 2], items: m) - 1.0 / 3) < 1e-9)
        #expect(DiversityEvaluator.meanPairwiseCosine([0], items: m) == 0)
    }
}
