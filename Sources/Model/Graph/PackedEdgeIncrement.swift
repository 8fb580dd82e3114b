/// Edge increments packed into one integer each (`view << 96 | from << 64 | to << 32 |
/// count`), so that a batch's increments sort by edge and equal edges sum in one pass: the
/// form both single-instance ingestion and the scale-out delta builder sum in.
public enum PackedEdgeIncrement {
    @inlinable
    public static func pack(_ e: GraphUpdate.EdgeIncrement) -> UInt128 {
        UInt128(truncatingIfNeeded: e.view) << 96 | UInt128(e.from) << 64 | UInt128(e.to) << 32 | UInt128(e.count)
    }

    /// Calls `body` once per edge of `packed` (sorted here), in edge order, with the sum of its counts.
    @inlinable
    public static func forEachSum(_ packed: [UInt128],
                                  _ body: (_ view: Int, _ from: UInt32, _ to: UInt32, _ sum: UInt64) throws -> Void) rethrows {
        let sorted = packed.sorted()
        var k = 0
        while k < sorted.count {
            let edge = sorted[k] >> 32
            var sum: UInt64 = 0
            while k < sorted.count, sorted[k] >> 32 == edge {
                sum += UInt64(truncatingIfNeeded: sorted[k] & 0xFFFF_FFFF)
                k += 1
            }
            try body(Int(truncatingIfNeeded: edge >> 64), UInt32(truncatingIfNeeded: edge >> 32), UInt32(truncatingIfNeeded: edge), sum)
        }
    }
}
