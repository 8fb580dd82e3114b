import Model
import Testing

@Suite struct StabilityPullTests {
    func table(_ values: [Float]) -> EmbeddingTable { EmbeddingTable(rows: values.count / 2, dim: 2, values: values) }

    @Test("rows not kept move toward the anchor by the strength; kept rows and rows beyond the anchor stay")
    func pullsOnlyUnkeptRowsWithinTheAnchor() {
        let t = table([1, 2, 3, 4, 5, 6, 7, 8])   // 4 rows
        let anchor: [Float] = [0, 0, 1, 1, 2, 2]  // the first 3 rows were published
        // keep: row 0 visited; row 1 not; row 2 beyond `keep` (not kept); row 3 beyond the anchor.
        let pulled = StabilityPull.apply(strength: 0.25, to: t, anchor: anchor, keep: [true, false])
        #expect(pulled == 2)
        // row 1: 1 + 0.75 * (3 - 1) = 2.5, 1 + 0.75 * (4 - 1) = 3.25; row 2: 2 + 0.75 * 3 = 4.25, 2 + 0.75 * 4 = 5.
        #expect(Array(t.buffer) == [1, 2, 2.5, 3.25, 4.25, 5, 7, 8])
    }

    @Test("strength 1 restores the anchor bit for bit; strength 0 changes nothing")
    func extremes() {
        let anchor: [Float] = [0.1, -0.3, 1e-8, 3]
        let t = table([0.7, 0.2, 1, -1e-9])
        #expect(StabilityPull.apply(strength: 0, to: t, anchor: anchor, keep: []) == 0)
        #expect(Array(t.buffer) == [0.7, 0.2, 1, -1e-9])
        #expect(StabilityPull.apply(strength: 1, to: t, anchor: anchor, keep: []) == 2)
        #expect(Array(t.buffer).map(\.bitPattern) == anchor.map(\.bitPattern))
    }
}
