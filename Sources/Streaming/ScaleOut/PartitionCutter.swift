import Kafka
import Model

/// The cutter of one input partition owned by this instance (docs/scale-out.md, "Cutting"):
/// its sessions and clock in memory, the input offset its next record starts at, and the
/// records it produced that its replica has not applied yet. `cut` turns one batch of the
/// partition into one `GraphDeltaRecord` by names: the same final transitions, user states
/// and counters a single instance would apply for that batch. Pure (no Kafka, no store).
struct PartitionCutter: Sendable {
    /// A record produced and not yet known applied.
    struct InFlight: Sendable, Equatable {
        var start: Int64
        var end: Int64
        var since: ContinuousClock.Instant
    }

    let source: TopicPartition
    private(set) var sessions: PartitionSessions
    /// The start of the next record: the mark of the partition plus what is in flight.
    private(set) var position: Int64
    private(set) var inFlight: [InFlight] = []
    /// Attribute nodes assigned by the records in flight (item -> view -> node), which the
    /// replica does not know yet.
    private var pendingAttributes: [String: [Int: [String]]] = [:]

    /// A cutter resuming `source` at `mark` from the replica's `sessions`.
    init(source: TopicPartition, sessions: PartitionSessions, mark: Int64) {
        self.source = source
        self.sessions = sessions
        self.position = mark
    }

    /// What a cut needs besides the batch.
    struct Context: Sendable {
        var fingerprint: UInt64
        var writer: GraphDeltaRecord.Writer
        var viewNames: [String]
        var tracksItemEdgeTimes: Bool
        /// The attribute nodes the replica records for items (see `IngestProcessor.attributeNames`).
        var knownAttributes: @Sendable ([String]) -> [String: [Int: [String]]]
    }

    /// Cuts the batch `records` (this partition's decoded events, in offset order; those below
    /// `position` were covered already and are left out) whose messages end at `end` (one past
    /// the last offset, rejected messages included) into the next record, and moves `position`
    /// to `end`. nil when `end` does not move past `position`.
    mutating func cut(_ records: [IngestRecord], end: Int64, deadLetters: Int, deadLettersLost: Int,
                      context: Context) -> GraphDeltaRecord? {
        guard end > position else { return nil }
        let before = sessions.cutter.statistics
        var counters = GraphDeltaRecord.Counters()
        var users = Set<String>()
        for record in records where (record.offset ?? .max) >= position {
            users.insert(record.event.user)
            sessions.admit(record.event)
            counters.events += 1
        }
        var delta = NamedGraphDeltaBuilder(viewNames: context.viewNames, tracksItemEdgeTimes: context.tracksItemEdgeTimes)
        let pending = pendingAttributes
        let changed = sessions.settle(endingAll: false) { released, cursor in
            let known = context.knownAttributes(released.map(\.item))
            delta.extend(session: released, cursor: &cursor) { item, view in pending[item]?[view] ?? known[item]?[view] }
        }
        users.formUnion(changed ?? [])
        let graph = delta.finish()
        for a in graph.attributes {  // positions in order per item and view
            pendingAttributes[graph.names[0][Int(a.item)], default: [:]][a.view, default: []].append(graph.names[a.view][Int(a.attribute)])
        }
        let after = sessions.cutter.statistics
        counters.deadLettered = UInt64(max(0, deadLetters))
        counters.deadLettersLost = UInt64(max(0, deadLettersLost))
        counters.late = UInt64(max(0, after.lateEvents - before.lateEvents))
        counters.overActive = UInt64(max(0, after.overActiveEvents - before.overActiveEvents))
        counters.sessionsClosed = UInt64(max(0, after.sessionsEmitted - before.sessionsEmitted))
        let userChanges = users.sorted().map { user in
            GraphDeltaRecord.UserChange(user: user, state: sessions.cutter.state(ofUser: user).map(UserStateCodec.encode))
        }
        let record = GraphDeltaRecord(
            fingerprint: context.fingerprint, writer: context.writer, source: source, start: position, end: end,
            counters: counters, clock: sessions.clock, graph: graph, users: userChanges)
        inFlight.append(InFlight(start: position, end: end, since: .now))
        position = end
        return record
    }

    /// What the replica's report of one of this instance's records means for the cutter.
    enum Verdict: Equatable {
        /// Applied as expected (the oldest record in flight).
        case applied
        /// Not one of the records in flight (an older incarnation's, or already handled).
        case unrelated
        /// The partition's state in the replica is not what this cutter built on: re-sync.
        case fenced
    }

    /// Takes in the replica's report of a record of this instance.
    mutating func take(_ report: ReplicaProgress.Report) -> Verdict {
        guard let index = inFlight.firstIndex(where: { $0.start == report.start && $0.end == report.end }) else { return .unrelated }
        guard report.applied, index == 0 else { return .fenced }
        inFlight.removeFirst()
        if inFlight.isEmpty { pendingAttributes = [:] }
        return .applied
    }
}
