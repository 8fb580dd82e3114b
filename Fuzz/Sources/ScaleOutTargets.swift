import Kafka
import Model
@testable import Streaming

/// The graph-deltas log of a scale-out deployment (docs/scale-out.md): one record, decoded as
/// a replica does, then applied to a builder of the pipeline's three views (`graph-delta`).
enum ScaleOutTargets {
    static let viewNames = ["item", "category", "shop"]

    static let graphDelta = FuzzTarget(name: "graph-delta", run: { bytes in
        guard let record = try? GraphDeltaCodec.decode(bytes) else { return false }
        // decode(encode(r)) == r: what a replica accepted, a cutter can write.
        let again = Result { try GraphDeltaCodec.decode(GraphDeltaCodec.encode(record)) }
        FuzzCheck.require((try? again.get()) == record, "\(record) re-encoded decodes to \(again)")
        // Applying it throws (it does not fit) or changes the builder; twice, so that the
        // second meets nodes and value sets the first one recorded.
        var builder = GraphBuilder(viewNames: viewNames)
        for _ in 0..<2 {
            let before = builder
            do { _ = try builder.apply(record.graph) } catch {
                FuzzCheck.require(builder == before, "a delta that does not fit changed the builder: \(error)")
            }
        }
        return true
    }, seeds: {
        var seeds: [String: [UInt8]] = [:]
        let writer = GraphDeltaRecord.Writer(instance: "a", incarnation: 0x1234)
        let source = TopicPartition("events", 3)
        seeds["empty"] = GraphDeltaCodec.encode(GraphDeltaRecord(
            fingerprint: 7, writer: writer, source: source, start: 0, end: 1, graph: NamedGraphDelta(names: [[], [], []])))
        // A cut of two sessions (one value set of two genres), with user states and times.
        let t0: Int64 = 1_700_000_000_000
        var delta = NamedGraphDeltaBuilder(viewNames: viewNames, tracksItemEdgeTimes: true)
        var cursor = SessionCursor()
        delta.extend(session: [
            Event(user: "u", item: "i1", timestampMillis: t0, attributeValues: ["category": ["c1", "c2"], "shop": ["s1"]]),
            Event(user: "u", item: "i2", timestampMillis: t0 + 1_000, attributeValues: ["category": ["c3"], "shop": ["s1"]]),
            Event(user: "u", item: "i1", timestampMillis: t0 + 2_000),
        ], cursor: &cursor) { _, _ in nil }
        var counters = GraphDeltaRecord.Counters()
        counters.events = 3
        counters.sessionsClosed = 1
        let state = UserStateCodec.encode(EagerSessionCutter.UserState(
            eventCount: 1, lastTimestamp: t0 + 2_000, pending: [Event(user: "v", item: "i2", timestampMillis: t0 + 2_000)]))
        seeds["sessions"] = GraphDeltaCodec.encode(GraphDeltaRecord(
            fingerprint: 7, writer: writer, source: source, start: 10, end: 14, counters: counters,
            clock: PartitionClock(leader: .init(user: "u", millis: t0 + 2_000), runnerUp: .init(user: "v", millis: t0)),
            graph: delta.finish(), users: [.init(user: "v", state: state), .init(user: "w", state: nil)]))
        return seeds
    })
}
