import Model
import Store

/// One view's out-edges as committed in the ingest state's `edges` family: what the live
/// adjacency cache reads for a node it does not hold (a prefix scan of (view, node)).
struct StoredOutEdges: OutEdgeSource {
    let edges: Keyspace<IngestSchema.EdgeKey, UInt64LittleEndianCodec>
    let view: UInt16

    func outEdges(of node: UInt32) throws -> (targets: [UInt32], weights: [UInt32]) {
        var targets: [UInt32] = [], weights: [UInt32] = []
        try edges.scan(prefix: CompositeKey(view, node)) { key, weight in
            targets.append(key.components.2)
            weights.append(UInt32(clamping: weight))
            return .continue
        }
        return (targets, weights)
    }
}
