import Foundation
import Testing
import Model

@Suite struct NeighborsTests {
    /// Unit vectors at known angles in the plane, plus one scaled copy: cosine ignores length.
    static let angles: [Double] = [0, 10, 90, 35, 180, 20]
    static func table() -> EmbeddingMatrix {
        var values: [Float] = []
        for (i, a) in angles.enumerated() {
            let scale = i == 5 ? 7.0 : 1.0  // row 5 is long; cosine must not care
            values += [Float(scale * cos(a * .pi / 180)), Float(scale * sin(a * .pi / 180))]
        }
        return EmbeddingMatrix(rows: angles.count, dim: 2, values: values)
    }

    @Test func cosineOrderFollowsTheAngleToTheQuery() throws {
        let search = NearestNeighbors(candidates: Self.table())
        // Query: row 0 (angle 0). Expected order: smallest angle difference first, self excluded.
        let expected = Self.angles.indices.filter { $0 != 0 }.sorted { abs(Self.angles[$0]) < abs(Self.angles[$1]) }
        let found = try search.nearest(to: [1, 0], k: 10, excluding: [0])
        #expect(found.map(\.row) == expected)  // [1 (10°), 5 (20°), 3 (35°), 2 (90°), 4 (180°)]
        #expect(abs(found[0].score - Float(cos(10 * Double.pi / 180))) < 1e-6)
        #expect(abs(found.last!.score + 1) < 1e-6)
        #expect(try search.nearest(to: [1, 0], k: 2, excluding: [0]).map(\.row) == Array(expected.prefix(2)))
    }

    @Test func dotScoresFavourLongRowsAndTiesKeepTheSmallerRow() throws {
        let search = NearestNeighbors(candidates: Self.table(), similarity: .dot)
        let found = try search.nearest(to: [1, 0], k: 2)
        #expect(found.map(\.row) == [5, 0])  // 7·cos 20° > 1
        let ties = NearestNeighbors(candidates: EmbeddingMatrix(rows: 3, dim: 1, values: [2, 2, 1]), similarity: .dot)
        #expect(try ties.nearest(to: [1], k: 3).map(\.row) == [0, 1, 2])
        #expect(throws: NearestNeighborsError.self) { try search.nearest(to: [1, 0, 0], k: 1) }
        #expect(try search.nearest(to: [1, 0], k: 0).isEmpty)
    }

    @Test func projectionIsActivationOfRowTimesW() throws {
        let e = EmbeddingMatrix(rows: 2, dim: 2, values: [1, 2, -1, 0.5])
        let w = EmbeddingMatrix(rows: 2, dim: 2, values: [0.5, -1, 2, 0.25])
        // Row 0: [1*0.5 + 2*2, 1*-1 + 2*0.25] = [4.5, -0.5]; row 1: [-0.5 + 1, 1 + 0.125] = [0.5, 1.125].
        let linear = try AlignedSpace.project(e, through: TrainedAlignment(sourceView: "item", targetView: "category", activation: .identity, matrix: w))
        #expect(linear.values == [4.5, -0.5, 0.5, 1.125])
        let squashed = try AlignedSpace.project(e, through: TrainedAlignment(sourceView: "item", targetView: "category", activation: .sigmoid, matrix: w))
        for (got, x) in zip(squashed.values, [4.5, -0.5, 0.5, 1.125] as [Float]) {
            #expect(abs(got - 1 / (1 + exp(-x))) < 1e-6)
        }
        let wrong = TrainedAlignment(sourceView: "item", targetView: "category", activation: .identity,
                                     matrix: EmbeddingMatrix(rows: 3, dim: 3, values: Array(repeating: 0, count: 9)))
        #expect(throws: NearestNeighborsError.self) { try AlignedSpace.project(e, through: wrong) }
    }

    @Test func alignmentIsFoundInEitherDirection() {
        let w = EmbeddingMatrix(rows: 1, dim: 1, values: [1])
        let model = TrainedModel(dim: 1, views: [], alignments: [
            TrainedAlignment(sourceView: "item", targetView: "shop", activation: .identity, matrix: w)])
        #expect(AlignedSpace.alignment(between: "shop", and: "item", in: model)?.targetView == "shop")
        #expect(AlignedSpace.alignment(between: "item", and: "shop", in: model)?.targetView == "shop")
        #expect(AlignedSpace.alignment(between: "item", and: "category", in: model) == nil)
    }
}
