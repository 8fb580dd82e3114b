import EventSource
import Model

/// The scale-out side of the processor (docs/scale-out.md): a replica applies graph-delta
/// records; an owner reads its partitions' states and the attributes items already have.
extension IngestProcessor {
    /// Applies one graph-delta record if its start is the mark of its input partition (see
    /// `DeltaApplication`), storing `position` (the next offset of the deltas log `log` to
    /// read) in the same write. Same failure rule as `apply`: after a failed write the
    /// processor refuses everything until restarted.
    public func applyDelta(_ record: GraphDeltaRecord, fingerprint: UInt64, log: SourcePartition,
                           position: Int64) throws -> DeltaApplication {
        try state.withLock { s in
            if let failed = s.failed { throw IngestError.needsRestart("\(failed)") }
            do {
                return try s.applyDelta(record, fingerprint: fingerprint, log: log, position: position)
            } catch {
                s.failed = error
                throw error
            }
        }
    }

    /// The replica's position in the deltas log `log` as stored (nil: never read).
    public func replicaPosition(_ log: SourcePartition) throws -> Int64? {
        try state.withLock { s in
            try s.ensureCommitted()
            return try s.replicaPosition(log)
        }
    }

    /// The mark of an input partition: the next input offset covered by applied records (0:
    /// none yet).
    public func mark(of tp: SourcePartition) -> Int64 {
        state.withLock { $0.offsets[tp] ?? 0 }
    }

    /// The user states and clock of input partition `tp`, as applied (waits for the write
    /// in flight).
    func partitionSessions(_ tp: SourcePartition) throws -> PartitionSessions {
        try state.withLock { s in
            try s.ensureCommitted()
            return try s.partitionSessions(tp)
        }
    }

    /// Per item (by name), the attribute nodes (names, the item's value set in order) the
    /// state records in each attribute view (index into the pipeline's views) where it has any.
    func attributeNames(of items: some Sequence<String>) -> [String: [Int: [String]]] {
        state.withLock { s in
            var out: [String: [Int: [String]]] = [:]
            let builder = s.builder
            for item in items where out[item] == nil {
                guard let id = builder.views[0].vocabulary.id(of: item) else { continue }
                var known: [Int: [String]] = [:]
                for v in 1..<max(builder.views.count, 1) {
                    if let values = builder.attributes(ofItem: id, view: v) { known[v] = values.map { builder.views[v].vocabulary.name(of: $0) } }
                }
                if !known.isEmpty { out[item] = known }
            }
            return out
        }
    }
}
