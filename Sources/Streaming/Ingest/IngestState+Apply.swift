import EventSource
import Model
import Store

/// What one batch gathers on its way into its write batch.
private struct BatchWork {
    var outcome = IngestBatchOutcome()
    /// Per partition, the users whose state changed.
    var users: [SourcePartition: Set<String>] = [:]
    /// Graph changes of the events released, in release order.
    var updates: [GraphUpdate] = []
    /// Item transitions released (ids, time of the event completing each), for new-edge records.
    var itemTransitions: [(from: UInt32, to: UInt32, time: Int64)] = []
}

/// The summed edge increments of a batch.
struct SummedEdges {
    /// Per view, the nodes whose out-edges changed, ascending (the walk starts).
    var touched: [[UInt32]]
    /// Per view, the summed increments.
    var increments: [[(from: UInt32, to: UInt32, count: UInt32)]]
}

extension IngestState {
    /// Applies one batch in memory and commits it (or submits it, with pipelined commits),
    /// phase by phase. `endingAllSessions`: every session ends after the batch (end of a
    /// finite replay).
    mutating func apply(_ input: IngestBatchInput, endingAllSessions: Bool) throws -> IngestBatchOutcome {
        var work = BatchWork()
        let before = sessionStatistics
        admit(input.records, into: &work)
        settle(endingAll: endingAllSessions, into: &work)
        let after = sessionStatistics
        work.outcome.lateEvents = after.lateEvents - before.lateEvents
        work.outcome.overActiveEvents = after.overActiveEvents - before.overActiveEvents
        work.outcome.sessionsClosed = after.sessionsEmitted - before.sessionsEmitted
        let batch = WriteBatch()
        let increments = try writeGraphUpdates(work.updates, to: batch, outcome: &work.outcome)
        if options.trackNewEdges { try recordNewEdges(work.itemTransitions.map { ($0.from, $0.to, $0.time) }) }
        let edges = try sumEdgeIncrements(increments, to: batch)
        try persistUserStates(work.users, to: batch)
        try writeWalkBlocks(from: edges.touched, to: batch, outcome: &work.outcome)
        try recordOffsetsAndCounters(input, outcome: work.outcome, to: batch)
        try commit(batch, sparing: edges.touched)
        return work.outcome
    }

    private var sessionStatistics: EagerSessionCutter.Statistics {
        var total = EagerSessionCutter.Statistics()
        for p in partitions.values {
            total.lateEvents += p.cutter.statistics.lateEvents
            total.overActiveEvents += p.cutter.statistics.overActiveEvents
            total.sessionsEmitted += p.cutter.statistics.sessionsEmitted
        }
        return total
    }

    /// Phase 1, cut sessions: every event not applied before goes to its partition's cutter
    /// (accepted, late or from a bot) and, when accepted, moves the partition's clock.
    private mutating func admit(_ records: [IngestRecord], into work: inout BatchWork) {
        // Records come in runs of one partition: look the partition's state up once per run.
        var i = 0
        while i < records.count {
            let tp = records[i].source
            var end = i + 1
            while end < records.count, records[end].source == tp { end += 1 }
            var sessions = partitions.removeValue(forKey: tp) ?? newPartition()
            var users = work.users.removeValue(forKey: tp) ?? []
            let next = offsets[tp]
            for record in records[i..<end] {
                // Already applied (e.g. a batch collected across a rebalance, re-read by the new
                // owner from the stored offsets): skip, never apply twice.
                if let offset = record.offset, let next, offset < next {
                    work.outcome.skippedAlreadyApplied += 1
                    continue
                }
                users.insert(record.event.user)
                sessions.admit(record.event)
                work.outcome.events += 1
            }
            partitions[tp] = sessions
            work.users[tp] = users
            i = end
        }
    }

    /// Phases 2 and 3, sweep idle sessions and finalise transitions: each partition settles
    /// at its watermark (clock minus the allowed lateness), in partition order; the kept
    /// events released extend their sessions' view sequences in the graphs.
    private mutating func settle(endingAll: Bool, into work: inout BatchWork) {
        for tp in partitions.keys.sorted() {
            guard var sessions = partitions.removeValue(forKey: tp) else { continue }
            defer { partitions[tp] = sessions }
            let trackEdges = options.trackNewEdges
            func release(_ events: [Event], _ cursor: inout SessionCursor) {
                let previous = cursor.item
                work.updates.append(builder.extend(session: events, cursor: &cursor))
                guard trackEdges else { return }
                let vocabulary = builder.views[0].vocabulary
                var from = previous.flatMap { vocabulary.id(of: $0) }
                for event in events {
                    guard let to = vocabulary.id(of: event.item) else { continue }
                    if let f = from, f != to { work.itemTransitions.append((f, to, event.timestampMillis)) }
                    from = to
                }
            }
            if let changed = sessions.settle(endingAll: endingAll, release: release), !changed.isEmpty {
                work.users[tp, default: []].formUnion(changed)
            }
        }
    }

    /// New nodes and attributes into the write batch; the edge increments packed
    /// view | from | to | count for summing.
    func writeGraphUpdates(_ updates: [GraphUpdate], to batch: WriteBatch,
                                   outcome: inout IngestBatchOutcome) throws -> [UInt128] {
        var increments: [UInt128] = []
        for update in updates {
            for n in update.newNodes { try batch.put(schema.vocab, CompositeKey(UInt16(n.view), n.id), n.name) }
            for a in update.attributes {
                if a.position == 0 {
                    try batch.put(schema.attrs, CompositeKey(UInt16(a.view), a.item), UInt64(a.attribute))
                } else {
                    try batch.put(schema.furtherAttrs, CompositeKey(UInt16(a.view), a.item, a.position), UInt64(a.attribute))
                }
            }
            for e in update.edges { increments.append(PackedEdgeIncrement.pack(e)) }
            outcome.newNodes += update.newNodes.count
            outcome.edgeIncrements += update.edges.count
        }
        return increments
    }

    /// Item transitions not in the item graph before this batch, with the time of the event
    /// that completes each; the first one per edge. Their source nodes' out-edges are read
    /// into the adjacency cache first.
    mutating func recordNewEdges(_ transitions: [(from: UInt32, to: UInt32, time: Int64)]) throws {
        guard !transitions.isEmpty else { return }
        let vocabulary = builder.views[0].vocabulary
        try adjacency[0].load(transitions.map(\.from), nodeCount: vocabulary.count)
        var seen = Set<UInt64>()
        for t in transitions where adjacency[0].weight(from: t.from, to: t.to) == 0 {
            guard seen.insert(UInt64(t.from) << 32 | UInt64(t.to)).inserted else { continue }
            pendingNewEdges.append(NewEdge(from: vocabulary.names[Int(t.from)], eventTimeMs: t.time))
        }
        if pendingNewEdges.count > options.newEdgeBacklog { pendingNewEdges.removeFirst(pendingNewEdges.count - options.newEdgeBacklog) }
    }

    /// Phase 4, sum edge increments: sorted and summed per edge (one merge per distinct
    /// edge), then added to the adjacency caches.
    mutating func sumEdgeIncrements(_ packed: [UInt128], to batch: WriteBatch) throws -> SummedEdges {
        var edges = SummedEdges(touched: Array(repeating: [], count: builder.views.count),
                                increments: Array(repeating: [], count: builder.views.count))
        try PackedEdgeIncrement.forEachSum(packed) { view, from, to, sum in
            try batch.add(schema.edges, CompositeKey(UInt16(truncatingIfNeeded: view), from, to), sum)
            edges.increments[view].append((from, to, UInt32(clamping: sum)))
            if edges.touched[view].last != from { edges.touched[view].append(from) }
        }
        for v in edges.increments.indices where !edges.increments[v].isEmpty {
            edgeCounts[v] += try adjacency[v].add(edges.increments[v], nodeCount: builder.views[v].vocabulary.count)
        }
        return edges
    }

    /// Phase 5, persist user state: the changed users' states, or their deletion.
    private func persistUserStates(_ users: [SourcePartition: Set<String>], to batch: WriteBatch) throws {
        for (tp, names) in users {
            let cutter = partitions[tp]?.cutter
            for user in names {
                let key = CompositeKey(tp.source, tp.partition, user)
                if let state = cutter?.state(ofUser: user) {
                    try batch.put(schema.sessions, key, UserStateCodec.encode(state))
                } else {
                    try batch.delete(schema.sessions, key)
                }
            }
        }
    }

    /// Phase 6, walk blocks: fresh walks from the touched nodes, one block per view per
    /// batch, into the view's ring (the oldest blocks evicted beyond its capacity).
    mutating func writeWalkBlocks(from touched: [[UInt32]], to batch: WriteBatch,
                                          outcome: inout IngestBatchOutcome) throws {
        guard options.walksPerTouchedNode > 0 else { return }
        let batchSeq = (counters["batches"] ?? 0) + 1
        for v in 0..<builder.views.count where !touched[v].isEmpty {
            let seed = SplitMix64.mix(config.walks.seed ^ SplitMix64.mix(UInt64(v) << 48 ^ batchSeq))
            var corpus = try LiveGraphWalker(adjacency: adjacency[v]).walks(
                from: touched[v], perNode: options.walksPerTouchedNode,
                length: config.walks.length, seed: seed, nodeCount: builder.views[v].vocabulary.count)
            guard corpus.walkCount > 0 else { continue }
            if corpus.walkCount > options.walkRingCapacity {
                // A block never exceeds the ring: keep its last `capacity` walks, so the
                // newest block always survives the eviction below.
                let drop = corpus.walkCount - options.walkRingCapacity
                let cut = corpus.walkEnds[drop - 1]
                corpus = WalkCorpus(tokens: Array(corpus.tokens[cut...]), walkEnds: corpus.walkEnds[drop...].map { $0 - cut },
                                    nodeCount: corpus.nodeCount)
            }
            try batch.put(schema.walks, CompositeKey(UInt16(v), walkNext[v]), WalkBlockCodec.encode(corpus))
            ringBlocks[v].append(WalkRingBlock(start: walkNext[v], count: corpus.walkCount))
            let capacity = UInt64(options.walkRingCapacity)
            let oldTail = walkNext[v] > capacity ? walkNext[v] - capacity : 0
            walkNext[v] += UInt64(corpus.walkCount)
            outcome.walksWritten += corpus.walkCount
            if walkNext[v] > capacity {
                // Drops the blocks that start before the ring's new tail (the ring keeps about
                // `capacity` walks: at most one block more is evicted). Only the range newly
                // passed is deleted, so range tombstones do not pile up.
                let newTail = walkNext[v] - capacity
                try batch.deleteRange(schema.walks, from: CompositeKey(UInt16(v), oldTail), to: CompositeKey(UInt16(v), newTail))
                ringBlocks[v].removeAll { $0.start < newTail }
            }
            counters["walks.next.\(v)"] = walkNext[v]
            try batch.put(schema.meta, "walks.next.\(v)", walkNext[v])
        }
    }

    /// Phase 7, offsets and counters: the next offsets, the clocks of the partitions read,
    /// and the batch's counters, in the same write batch as the state they describe.
    private mutating func recordOffsetsAndCounters(_ input: IngestBatchInput, outcome: IngestBatchOutcome,
                                                   to batch: WriteBatch) throws {
        for (tp, next) in input.nextOffsets where next > (offsets[tp] ?? .min) {
            offsets[tp] = next
            try batch.put(schema.offsets, CompositeKey(tp.source, tp.partition), UInt64(bitPattern: next))
        }
        for tp in Set(input.records.map(\.source)) {
            guard let clock = partitions[tp]?.clock else { continue }
            try recordClock(clock, of: tp, to: batch)
        }
        try recordCounters(outcome, deadLetters: input.deadLetters, deadLettersLost: input.deadLettersLost, to: batch)
    }

    /// A partition's event clock (nothing before its first event).
    func recordClock(_ clock: PartitionClock, of tp: SourcePartition, to batch: WriteBatch) throws {
        guard let t = clock.millis else { return }
        try batch.put(schema.eventClock, CompositeKey(tp.source, tp.partition), UInt64(bitPattern: t))
        try batch.put(schema.clockMarks, CompositeKey(tp.source, tp.partition), PartitionClockCodec.encode(clock))
    }

    /// One batch's counters (`batches` one more), in memory and in the write batch.
    mutating func recordCounters(_ outcome: IngestBatchOutcome, deadLetters: Int, deadLettersLost: Int,
                                 to batch: WriteBatch) throws {
        try bumpCounter("batches", 1, in: batch)
        try bumpCounter("events.applied", outcome.events, in: batch)
        try bumpCounter("events.dead_lettered", deadLetters, in: batch)
        try bumpCounter("events.dead_letters_lost", deadLettersLost, in: batch)
        try bumpCounter("events.late", outcome.lateEvents, in: batch)
        try bumpCounter("events.over_active", outcome.overActiveEvents, in: batch)
        try bumpCounter("sessions.closed", outcome.sessionsClosed, in: batch)
        try bumpCounter("walks.written", outcome.walksWritten, in: batch)
    }

    /// Adds `delta` (> 0) to counter `name`.
    mutating func bumpCounter(_ name: String, _ delta: Int, in batch: WriteBatch) throws {
        guard delta > 0 else { return }
        counters[name, default: 0] &+= UInt64(delta)
        try batch.add(schema.meta, name, UInt64(delta))
    }

    /// Phase 8, commit: the write batch to RocksDB, then the adjacency cache back within its
    /// bound (pipelined: the previous batch must be on disk first, then every held node's
    /// weights are stored except this batch's, so only its nodes must stay).
    mutating func commit(_ batch: WriteBatch, sparing touched: [[UInt32]]) throws {
        if options.pipelinedCommits {
            try commits.waitIdle()
            evictAdjacency(sparing: touched)
            try commits.submit(batch, sync: options.syncWrites)
        } else {
            try store.write(batch, sync: options.syncWrites)
            evictAdjacency()
        }
    }
}
