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
                    known.views[0].vocabulary.id(of: item).flatMap { known.attributes(ofItem: $0, view: view) }
                        .map { $0.map { known.views[view].vocabulary.name(of: $0) } }
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
            known.views[0].vocabulary.id(of: item).flatMap { known.attributes(ofItem: $0, view: view) }
                .map { $0.map { known.views[view].vocabulary.name(of: $0) } }
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

    @Test("multi-valued attributes: deltas (sessions in parts, value sets known to the replica or pending) give the builder direct application gives, value order included")
    func multiValuedDeltasEqualDirectApplication() throws {
        let config = try Self.config()
        // Items with 1-3 categories and a shop; a later event of an item may carry another
        // set, which loses to the first one everywhere.
        var rng = SplitMix64(seed: 11)
        var sessions: [Session] = []
        for s in 0..<120 {
            let user = "u\(s % 17)"
            var events: [Event] = []
            for k in 0..<(2 + Int(rng.next() % 6)) {
                let item = "i\(rng.next() % 40)"
                let categories = (0..<(1 + Int(rng.next() % 3))).map { _ in "c\(rng.next() % 8)" }
                events.append(Event(user: user, item: item, timestampMillis: Int64(s * 100 + k) * 1000,
                                    attributeValues: ["category": categories, "shop": ["s\(rng.next() % 5)"]]))
            }
            sessions.append(Session(user: user, events: events))
        }
        var direct = GraphBuilder(config: config)
        for s in sessions { direct.apply(s) }

        var replica = GraphBuilder(config: config)
        var pending: [String: [Int: [String]]] = [:]
        var delta = NamedGraphDeltaBuilder(viewNames: config.viewNames)
        func flush() throws {
            try replica.apply(delta.finish())
            delta = NamedGraphDeltaBuilder(viewNames: config.viewNames)
            pending = [:]
        }
        for (k, session) in sessions.enumerated() {
            let cut = session.events.count / 2
            var cursor = SessionCursor()
            for part in [Array(session.events[..<cut]), Array(session.events[cut...])] where !part.isEmpty {
                let known = replica
                let inFlight = pending
                delta.extend(session: part, cursor: &cursor) { item, view in
                    inFlight[item]?[view] ?? known.views[0].vocabulary.id(of: item).flatMap { known.attributes(ofItem: $0, view: view) }
                        .map { $0.map { known.views[view].vocabulary.name(of: $0) } }
                }
                // What the delta assigned so far is pending until it is applied (as the cutter keeps it).
                let d = delta.finish()
                pending = [:]
                for a in d.attributes {
                    pending[d.names[0][Int(a.item)], default: [:]][a.view, default: []].append(d.names[a.view][Int(a.attribute)])
                }
                if k % 4 == 0 { try flush() }
            }
        }
        try flush()
        #expect(replica == direct)
        #expect((0..<UInt32(direct.views[0].vocabulary.count)).contains { (direct.attributes(ofItem: $0, view: 1)?.count ?? 0) > 1 })
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
