import Foundation
import Model
import Testing

@Suite struct VersionDiffTests {
    static func model(_ names: [String], _ values: [Float], alignments: [TrainedAlignment] = []) -> TrainedModel {
        let dim = 2
        return TrainedModel(dim: dim, views: [TrainedView(name: "item", nodeNames: names,
                                                          embeddings: EmbeddingMatrix(rows: names.count, dim: dim, values: values))],
                            alignments: alignments)
    }

    /// Old: a (1,0), b (0,1), c (1,1), d (-1,0). New, in another row order: b (0,2), a (1,0)
    /// unchanged, c (1,0), e (0,-1); d removed, e added.
    static let old = model(["a", "b", "c", "d"], [1, 0, 0, 1, 1, 1, -1, 0])
    static let new = model(["b", "a", "c", "e"], [0, 2, 1, 0, 1, 0, 0, -1])

    @Test("rows added, removed and changed are matched by name; cosines of old and new vectors")
    func countsAndCosines() throws {
        let view = try #require(try VersionDiff(old: Self.old, new: Self.new).views.first)
        #expect(view.oldRows == 4 && view.newRows == 4)
        #expect(view.added == 1 && view.removed == 1 && view.common == 3 && view.compared == 3)
        #expect(view.changed == 2, "b was scaled, c turned; a kept its bits")
        // Cosines: a 1, b 1 (same direction), c cos 45° = 0.70711. p1 = smallest, p50 = 2nd of 3.
        let cosine = try #require(view.cosine)
        #expect(abs(cosine.p1 - 0.5.squareRoot()) < 1e-9)
        #expect(cosine.p50 == 1 && cosine.count == 3)
        #expect(abs(cosine.mean - (2 + 0.5.squareRoot()) / 3) < 1e-9)
    }

    @Test("top-1 neighbour overlap by hand: equal scores keep the smaller row")
    func topOneOverlap() throws {
        var options = VersionDiff.Options()
        options.k = 1
        let view = try #require(try VersionDiff(old: Self.old, new: Self.new, options: options).views.first)
        // Old lists: a -> c (45°), b -> c (45°), c -> a (tie with b, a is row 0).
        // New lists (rows b, a, c, e): a -> c (cos 1); b -> a (cos 0, tie with c, a is row 1); c -> a.
        // Overlaps a 1, b 0, c 1: mean 2/3, p10 = the smallest.
        let n = try #require(view.neighbours)
        #expect(n.k == 1 && n.queries == 3 && !n.sampled)
        let overlap = try #require(n.overlap)
        #expect(abs(overlap.mean - 2.0 / 3) < 1e-12)
        #expect(overlap.p10 == 0 && overlap.p50 == 1)
    }

    @Test("with k above the view size, lists hold every other row and new nodes entering them count as churn")
    func shortListsAndNewNodes() throws {
        let view = try #require(try VersionDiff(old: Self.old, new: Self.new).views.first)   // k = 20
        // a: old {b, c, d}, new {b, c, e}: 2 of 3 shared; the same for b and c.
        let overlap = try #require(view.neighbours?.overlap)
        #expect(abs(overlap.mean - 2.0 / 3) < 1e-12 && abs(overlap.min - 2.0 / 3) < 1e-12)
    }

    @Test("--nodes restricts cosines and overlaps, not the row counts")
    func restrictedToNodes() throws {
        var options = VersionDiff.Options()
        options.nodes = ["c", "d", "zzz"]
        let view = try #require(try VersionDiff(old: Self.old, new: Self.new, options: options).views.first)
        #expect(view.compared == 1 && view.changed == 2 && view.added == 1)
        #expect(abs((view.cosine?.p50 ?? 0) - 0.5.squareRoot()) < 1e-9)
        #expect(view.neighbours?.queries == 1)
    }

    @Test("above the exact limit, a seeded sample of query nodes")
    func sampledQueries() throws {
        var options = VersionDiff.Options()
        options.exactQueryLimit = 2
        options.sampledQueries = 2
        let first = try #require(try VersionDiff(old: Self.old, new: Self.new, options: options).views.first?.neighbours)
        let again = try #require(try VersionDiff(old: Self.old, new: Self.new, options: options).views.first?.neighbours)
        #expect(first.sampled && first.queries == 2)
        #expect(first == again, "the sample is seeded")
    }

    @Test("identical versions: keep; small change with stable neighbours: update in place; the fixture: rebuild")
    func verdicts() throws {
        let same = try VersionDiff(old: Self.old, new: Self.old)
        #expect(same.verdict.action == .keep)
        #expect(same.views.first?.cosine?.min == 1 && same.views.first?.neighbours?.overlap?.min == 1)
        #expect(try VersionDiff(old: Self.old, new: Self.new).verdict.action == .rebuild)

        // Ten unit vectors 10° apart; the new version doubles the length of one: 1 of 10 rows
        // changed (10% <= 20%), every cosine and neighbour list the same.
        let names = (0..<10).map { "n\($0)" }
        let values = (0..<10).flatMap { i -> [Float] in
            let angle = Double(i) * 10 * .pi / 180
            return [Float(cos(angle)), Float(sin(angle))]
        }
        var scaled = values
        scaled[6] *= 2; scaled[7] *= 2
        let diff = try VersionDiff(old: Self.model(names, values), new: Self.model(names, scaled))
        #expect(diff.views.first?.changed == 1)
        #expect(diff.views.first?.neighbours?.overlap?.mean == 1)
        #expect(diff.verdict.action == .update)
        #expect(diff.verdict.summary.hasPrefix("update the index in place (item: 1 of 10 rows touched"))
    }

    @Test("alignments: unchanged, changed (relative Frobenius change), added, removed")
    func alignments() throws {
        func w(_ values: [Float], to target: String = "genre") -> TrainedAlignment {
            TrainedAlignment(sourceView: "item", targetView: target, activation: .identity,
                             matrix: EmbeddingMatrix(rows: 2, dim: 2, values: values))
        }
        let a = Self.model(["x"], [1, 0], alignments: [w([1, 0, 0, 1]), w([1, 0, 0, 1], to: "decade"), w([1, 0, 0, 1], to: "shop")])
        let b = Self.model(["x"], [1, 0], alignments: [w([1, 0, 0, 2]), w([1, 0, 0, 1], to: "decade"), w([0, 0, 0, 0], to: "director")])
        let diffs = try VersionDiff(old: a, new: b).alignments
        let byTarget = Dictionary(uniqueKeysWithValues: diffs.map { ($0.targetView, $0) })
        #expect(byTarget["genre"]?.status == .changed)
        #expect(abs((byTarget["genre"]?.relativeChange ?? 0) - 0.5.squareRoot()) < 1e-12, "|diag(0,1)| / |I| = 1/sqrt 2")
        #expect(byTarget["decade"]?.status == .unchanged && byTarget["decade"]?.relativeChange == 0)
        #expect(byTarget["shop"]?.status == .removed && byTarget["director"]?.status == .added)
    }

    @Test("views in one version only, unknown views and different dims")
    func viewsAndErrors() throws {
        let other = TrainedModel(dim: 2, views: [TrainedView(name: "genre", nodeNames: ["g"],
                                                             embeddings: EmbeddingMatrix(rows: 1, dim: 2, values: [1, 1]))],
                                 alignments: [])
        let diff = try VersionDiff(old: Self.old, new: other)
        #expect(diff.views.map(\.view) == ["item", "genre"])
        #expect(diff.views[0].removed == 4 && diff.views[0].cosine == nil && diff.views[0].neighbours == nil)
        #expect(diff.views[1].added == 1)
        var options = VersionDiff.Options()
        options.views = ["shop"]
        #expect(throws: VersionDiffError.self) { try VersionDiff(old: Self.old, new: Self.new, options: options) }
        let wide = TrainedModel(dim: 3, views: [TrainedView(name: "item", nodeNames: ["a"],
                                                            embeddings: EmbeddingMatrix(rows: 1, dim: 3, values: [1, 0, 0]))],
                                alignments: [])
        #expect(throws: VersionDiffError.dimensionMismatch(view: "item", old: 2, new: 3)) { try VersionDiff(old: Self.old, new: wide) }
    }

    @Test("a zero vector: cosine 1 against zero, 0 against anything else; NaN is counted, not summarised")
    func degenerateVectors() throws {
        let a = Self.model(["z", "y", "q"], [0, 0, 0, 0, 1, 1])
        let b = Self.model(["z", "y", "q"], [0, 0, 1, 0, .nan, 1])
        let cosine = try #require(try VersionDiff(old: a, new: b).views.first?.cosine)
        #expect(cosine.count == 2 && cosine.min == 0 && cosine.p50 == 0 && cosine.nonFinite == 1)
        // A NaN row ranks last in every list, whatever its position in the scan.
        let table = EmbeddingMatrix(rows: 4, dim: 2, values: [.nan, 1, 1, 0, 0.9, 0.1, 0, 1])
        #expect(NeighbourLists(table: table).lists(of: [1, 3], k: 2) == [[2, 3], [2, 1]])
        #expect(NeighbourLists(table: table).lists(of: [1], k: 3) == [[2, 3, 0]])
    }

    @Test("nearest-rank percentiles")
    func percentiles() throws {
        let s = try #require(DistributionSummary([4, 1, 3, 2]))
        #expect(s.min == 1 && s.p1 == 1 && s.p10 == 1 && s.p50 == 2 && s.mean == 2.5 && s.nonFinite == nil)
        let hundred = try #require(DistributionSummary((1...100).map(Double.init)))
        #expect(hundred.p1 == 1 && hundred.p10 == 10 && hundred.p50 == 50)
        #expect(DistributionSummary([Double]()) == nil && DistributionSummary([Double.nan]) == nil)
    }

    @Test("neighbour lists in several blocks equal one search per query")
    func blockedListsMatchSingleSearches() throws {
        var rng = Xoshiro256StarStar(seed: 5)
        let rows = 37, dim = 5
        let values = (0..<(rows * dim)).map { _ in Float(Int(rng.next() % 2001) - 1000) / 1000 }
        let table = EmbeddingMatrix(rows: rows, dim: dim, values: values)
        let queries = [0, 36, 5, 5, 17]
        let lists = NeighbourLists(table: table, maxBlockScores: 2 * rows).lists(of: queries, k: 4)
        let search = NearestNeighbors(candidates: table)
        for (q, list) in zip(queries, lists) {
            let expected = try search.nearest(to: Array(table.row(q)), k: 4, excluding: [q]).map(\.row)
            #expect(list == expected, "query \(q)")
        }
    }
}
