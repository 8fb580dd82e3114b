/// Keeps published vectors of nodes without new events where they were
/// (`online.stability_pull`): after a streaming round, each such row `x` moves back toward
/// its last published value `p` by the fraction `strength`:
///
///     x <- p + (1 - strength) (x - p)
///
/// This is the proximal step of an L2 penalty `λ/2 |x - p|²` with `strength = λ / (1 + λ)`.
/// At 1 the row is `p` again, bit for bit (so a delta version does not carry it); at 0
/// nothing moves. Rows that are not pulled, and rows beyond the anchor (nodes newer than
/// the published version), are left as trained.
public enum StabilityPull {
    /// Pulls every row `r < anchorRows` of `table` with `keep[r] == false` (rows beyond
    /// `keep` count as not kept) toward `anchor` (row-major, `table.dim` floats per row).
    /// Returns the number of rows pulled.
    @discardableResult
    public static func apply(strength: Float, to table: EmbeddingTable, anchor: [Float], keep: [Bool]) -> Int {
        guard strength > 0 else { return 0 }
        let dim = table.dim
        let rows = min(table.rows, anchor.count / dim)
        let retain = 1 - min(strength, 1)
        var pulled = 0
        anchor.withUnsafeBufferPointer { p in
            for r in 0..<rows where !(r < keep.count && keep[r]) {
                let x = table.rowPointer(r)
                let base = r * dim
                if retain == 0 {
                    for d in 0..<dim { x[d] = p[base + d] }
                } else {
                    for d in 0..<dim { x[d] = p[base + d] + retain * (x[d] - p[base + d]) }
                }
                pulled += 1
            }
        }
        return pulled
    }
}
