import Model
import Testing

@Suite("Graph deltas by names (scale-out)")
struct NamedGraphDeltaTests {
    static func config() throws -> PipelineConfig {
        try PipelineConfig.parse(
            yaml: dataTestPipelineYAML + "\nviews:\n  - name: category\n    field: category\n  - name: shop\n    field: shop\n")
    }

    static func sessions(_ config: PipelineConfig, seed: UInt64) -> [Session] {
        var parameters = SyntheticEventGenerator.Parameters()
        parameters.users = 40
        parameters.items = 200
        parameters.events = 3_000
        parameters.seed = seed
        return SessionCutter.cut(SyntheticEventGenerator.sortedEvents(parameters), config: config.sessions).sessions
    }

    @Test("sessions cut into deltas by names (in parts, cursors across deltas) and applied give the builder that applying them directly gives, ids included")
    func deltasEqualDirectApplication() throws {
        let config = try Self.config()
        let sessions = Self.sessions(config, seed: 5)
        var direct = GraphBuilder(config: config)
        for s in sessions { direct.apply(s) }

        var replica = GraphBuilder(config: config)
        var cursors: [String: SessionCursor] = [:]
        var delta = NamedGraphDeltaBuilder(viewNames: config.viewNames)
        var deltas = 0
        func flush() throws {
            try replica.apply(delta.finish())
            delta = NamedGraphDeltaBuilder(viewNames: config.viewNames)
            deltas += 1
        }
        for (k, session) in sessions.enumerated() {
            // Every session in two parts, the second one often in the next delta.
            let cut = session.events.count / 2
            for part in [Array(session.events[..<cut]), Array(session.events[cut...])] where !part.isEmpty {
                var cursor = cursors[session.user] ?? SessionCursor()
                let known = replica
                delta.extend(session: part, cursor: &cursor) { item, view in
                    known.views[0].vocabulary.id(of: item).flatMap { known.attribute(ofItem: $0, view: view) }
                        .map { known.views[view].vocabulary.name(of: $0) }
                }
                cursors[session.user] = cursor
                if k % 3 == 0 { try flush() }
            }
            cursors[session.user] = nil
        }
        try flush()
        #expect(deltas > 10)
        #expect(replica == direct)
        #expect(replica.views.allSatisfy { $0.graph.edgeCount > 0 })
    }

    @Test("an item whose attribute the replica already knows keeps it, whatever a later event says (first value wins, as in one builder)")
    func knownAttributeWins() throws {
        let config = try Self.config()
        var replica = GraphBuilder(config: config)
        var first = NamedGraphDeltaBuilder(viewNames: config.viewNames)
        var c1 = SessionCursor()
        first.extend(session: [dataEvent("u", "i1", 1, ["category": "A"]), dataEvent("u", "i2", 2, ["category": "B"])],
                     cursor: &c1) { _, _ in nil }
        try replica.apply(first.finish())
        var second = NamedGraphDeltaBuilder(viewNames: config.viewNames)
        var c2 = SessionCursor()
        let known = replica
        second.extend(session: [dataEvent("v", "i1", 3, ["category": "Z"]), dataEvent("v", "i2", 4, ["category": "Z"])],
                      cursor: &c2) { item, view in
            known.views[0].vocabulary.id(of: item).flatMap { known.attribute(ofItem: $0, view: view) }
                .map { known.views[view].vocabulary.name(of: $0) }
        }
        let delta = second.finish()
        #expect(delta.attributes.isEmpty, "nothing new to assign")
        let update = try replica.apply(delta)
        #expect(update.newNodes.isEmpty)
        var direct = GraphBuilder(config: config)
        direct.apply(Session(user: "u", events: [dataEvent("u", "i1", 1, ["category": "A"]), dataEvent("u", "i2", 2, ["category": "B"])]))
        direct.apply(Session(user: "v", events: [dataEvent("v", "i1", 3, ["category": "Z"]), dataEvent("v", "i2", 4, ["category": "Z"])]))
        #expect(replica == direct)
    }

    @Test("a delta that does not fit (views, indices) throws and changes nothing")
    func invalidDeltaChangesNothing() throws {
        let config = try Self.config()
        var builder = GraphBuilder(config: config)
        builder.apply(Session(user: "u", events: [dataEvent("u", "a", 1, ["category": "c"]), dataEvent("u", "b", 2)]))
        let before = builder
        let bad = [
            NamedGraphDelta(names: [["x"]]),
            NamedGraphDelta(names: [["x", "y"], [], []], edges: [.init(view: 0, from: 0, to: 2, count: 1)]),
            NamedGraphDelta(names: [["x", "y"], [], []], edges: [.init(view: 3, from: 0, to: 1, count: 1)]),
            NamedGraphDelta(names: [["x"], ["c"], []], attributes: [.init(view: 0, item: 0, attribute: 0)]),
            NamedGraphDelta(names: [["x"], ["c"], []], attributes: [.init(view: 1, item: 0, attribute: 5)]),
        ]
        for delta in bad {
            #expect(throws: NamedGraphDeltaError.self) { try builder.apply(delta) }
            #expect(builder == before)
        }
    }

    @Test("item transitions carry the time of their first occurrence when tracked")
    func itemEdgeTimes() {
        var delta = NamedGraphDeltaBuilder(viewNames: ["item"], tracksItemEdgeTimes: true)
        var cursor = SessionCursor(item: "a")
        delta.extend(session: [dataEvent("u", "b", 10), dataEvent("u", "a", 20), dataEvent("u", "b", 30)], cursor: &cursor) { _, _ in nil }
        let d = delta.finish()
        let names = d.names[0]
        let times = d.itemEdgeTimes.map { "\(names[Int($0.from)])->\(names[Int($0.to)])@\($0.millis)" }
        #expect(times == ["a->b@10000", "b->a@20000"])
        #expect(d.edges.map(\.count).reduce(0, +) == 3)
    }
}
