import EventSource
import Model
import Store

/// What a replica did with one graph-delta record.
public enum DeltaApplication: Sendable, Equatable {
    case applied(IngestBatchOutcome)
    /// Not applied: its start is not the partition's mark (a duplicate, a deposed writer's
    /// record, a record after one that was lost), it does not fit the pipeline, or its
    /// fingerprint is not the deployment's.
    case skipped(reason: String)
}

extension IngestState {
    /// A scale-out replica applies one graph-delta record (docs/scale-out.md, "Applying"):
    /// only if its start is the mark of its input partition; then everything it changes, the
    /// new mark and `position` (the replica's next offset in the deltas log, under `log`) go
    /// into one write batch. A skipped record only moves `position`. Ids are assigned in
    /// application order, walk seeds follow the number of records applied.
    mutating func applyDelta(_ record: GraphDeltaRecord, fingerprint: UInt64, log: SourcePartition,
                             position: Int64) throws -> DeltaApplication {
        let tp = record.source
        let mark = offsets[tp] ?? 0
        var skipped: String?
        if record.fingerprint != fingerprint {
            skipped = "pipeline fingerprint \(String(record.fingerprint, radix: 16)), the deployment's is \(String(fingerprint, radix: 16))"
        } else if record.start != mark {
            skipped = "starts at \(record.start), the mark of \(tp) is \(mark)"
        }
        let batch = WriteBatch()
        if let skipped {
            try bumpCounter(record.fingerprint != fingerprint ? "deltas.foreign" : "deltas.skipped", 1, in: batch)
            try batch.put(schema.replicaPositions, CompositeKey(log.source, log.partition), UInt64(position))
            try commit(batch, sparing: [])
            return .skipped(reason: skipped)
        }
        let update: GraphUpdate
        do { update = try builder.apply(record.graph) } catch {
            try bumpCounter("deltas.invalid", 1, in: batch)
            try batch.put(schema.replicaPositions, CompositeKey(log.source, log.partition), UInt64(position))
            try commit(batch, sparing: [])
            return .skipped(reason: "\(error)")
        }
        var outcome = IngestBatchOutcome()
        let c = record.counters
        outcome.events = Int(clamping: c.events)
        outcome.lateEvents = Int(clamping: c.late)
        outcome.overActiveEvents = Int(clamping: c.overActive)
        outcome.sessionsClosed = Int(clamping: c.sessionsClosed)
        let increments = try writeGraphUpdates([update], to: batch, outcome: &outcome)
        if options.trackNewEdges { try recordNewEdges(itemTransitions(of: record.graph)) }
        let edges = try sumEdgeIncrements(increments, to: batch)
        for change in record.users {
            let key = CompositeKey(tp.source, tp.partition, change.user)
            if let state = change.state { try batch.put(schema.sessions, key, state) } else { try batch.delete(schema.sessions, key) }
        }
        try writeWalkBlocks(from: edges.touched, to: batch, outcome: &outcome)
        offsets[tp] = record.end
        try batch.put(schema.offsets, CompositeKey(tp.source, tp.partition), UInt64(bitPattern: record.end))
        var sessions = partitions[tp] ?? newPartition()
        sessions.clock = record.clock
        partitions[tp] = sessions
        try recordClock(record.clock, of: tp, to: batch)
        try recordCounters(outcome, deadLetters: Int(clamping: c.deadLettered), deadLettersLost: Int(clamping: c.deadLettersLost),
                           to: batch)
        try batch.put(schema.replicaPositions, CompositeKey(log.source, log.partition), UInt64(position))
        try commit(batch, sparing: edges.touched)
        return .applied(outcome)
    }

    /// The item transitions of a delta by this state's ids (after `builder.apply`), with the
    /// time of their first occurrence.
    private func itemTransitions(of delta: NamedGraphDelta) -> [(from: UInt32, to: UInt32, time: Int64)] {
        let vocabulary = builder.views[0].vocabulary, names = delta.names[0]
        return delta.itemEdgeTimes.compactMap { t in
            guard Int(t.from) < names.count, Int(t.to) < names.count,
                  let from = vocabulary.id(of: names[Int(t.from)]), let to = vocabulary.id(of: names[Int(t.to)]) else { return nil }
            return (from, to, t.millis)
        }
    }

    /// The replica's stored position in the deltas log `log` (nil: never read).
    func replicaPosition(_ log: SourcePartition) throws -> Int64? {
        try schema.replicaPositions.get(CompositeKey(log.source, log.partition)).map { Int64(bitPattern: $0) }
    }

    /// The stored user states and clock of one input partition, as its new owner's cutter
    /// starts from them.
    func partitionSessions(_ tp: SourcePartition) throws -> PartitionSessions {
        var sessions = newPartition()
        try schema.sessions.scan(prefix: CompositeKey(tp.source, tp.partition)) { key, bytes in
            let user = key.components.2
            do { sessions.cutter.restore(user: user, state: try UserStateCodec.decode(bytes, user: user)) } catch {
                throw IngestError.corruptState("session state of user \(user) in \(tp): \(error)")
            }
            return .continue
        }
        sessions.clock = partitions[tp]?.clock ?? PartitionClock()
        return sessions
    }
}
