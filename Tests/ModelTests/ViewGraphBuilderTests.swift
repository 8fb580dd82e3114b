import Testing

@testable import Model

@Suite struct ViewGraphBuilderTests {
    let genre = ["a": "g1", "b": "g1", "c": "g2", "d": "g2"]
    func ev(_ user: String, _ item: String, _ t: Int64) -> Event {
        dataEvent(user, item, t, genre[item].map { ["genre": $0] } ?? [:])
    }

    @Test func vocabularyAssignsDenseIdsInFirstAppearanceOrder() {
        var vocabulary = Vocabulary()
        #expect(vocabulary.intern("x") == 0)
        #expect(vocabulary.intern("y") == 1)
        #expect(vocabulary.intern("x") == 0)
        #expect(vocabulary.id(of: "z") == nil)
        #expect(vocabulary.names == ["x", "y"] && vocabulary.name(of: 1) == "y")
        #expect(Vocabulary(["q", "r", "q"]).names == ["q", "r"])
    }

    @Test func edgeWeightsEqualHandCountedTransitions() {
        // Session 1: a b a b c     -> item a>b ×2, b>a ×1, b>c ×1; genre g1 g2 (a b a b collapse)
        // Session 2: b b c d a     -> item b>c, c>d, d>a;        genre g1 g2 g1
        let sessions = [
            Session(user: "u", events: [ev("u", "a", 0), ev("u", "b", 1), ev("u", "a", 2), ev("u", "b", 3), ev("u", "c", 4)]),
            Session(user: "v", events: [ev("v", "b", 0), ev("v", "b", 1), ev("v", "c", 2), ev("v", "d", 3), ev("v", "a", 4)]),
        ]
        var builder = GraphBuilder(viewNames: ["item", "genre"])
        builder.apply(sessions)
        let items = builder.views[0]
        #expect(items.vocabulary.names == ["a", "b", "c", "d"])
        func w(_ view: Int, _ from: String, _ to: String) -> UInt32 {
            let v = builder.views[view].vocabulary
            guard let f = v.id(of: from), let t = v.id(of: to) else { return 0 }
            return builder.views[view].graph.weight(from: f, to: t)
        }
        #expect(w(0, "a", "b") == 2)
        #expect(w(0, "b", "a") == 1)
        #expect(w(0, "b", "c") == 2)
        #expect(w(0, "c", "d") == 1)
        #expect(w(0, "d", "a") == 1)
        #expect(w(0, "b", "b") == 0)
        #expect(items.graph.edgeCount == 5)
        #expect(builder.views[1].vocabulary.names == ["g1", "g2"])
        #expect(w(1, "g1", "g2") == 2)
        #expect(w(1, "g2", "g1") == 1)
        #expect(builder.views[1].graph.edgeCount == 2)
    }

    @Test func highDegreeNodesKeepCountsAndOrder() {
        var graph = ViewGraph()
        var expected = [UInt32](repeating: 0, count: 41)
        for round in 0..<3 {
            for to in stride(from: 40, through: 1, by: -1) where to % (round + 1) == 0 {
                graph.addTransition(from: 0, to: UInt32(to))
                expected[to] += 1
            }
        }
        #expect(graph.edgeCount == 40)
        #expect(graph.targets[0] == (1...40).map { UInt32($0) })  // id order, whatever the arrival order
        for to in 1...40 { #expect(graph.weight(from: 0, to: UInt32(to)) == expected[to]) }
        #expect(graph.weight(from: 0, to: 0) == 0 && graph.weight(from: 7, to: 1) == 0)
        #expect(graph.outWeight(0) == UInt64(expected.reduce(0, +)))
    }

    @Test func firstAttributeValueForAnItemWins() throws {
        var builder = GraphBuilder(viewNames: ["item", "genre"])
        builder.apply(Session(user: "u", events: [dataEvent("u", "a", 0, ["genre": "g1"]), dataEvent("u", "b", 1)]))
        builder.apply(Session(user: "u", events: [dataEvent("u", "a", 9, ["genre": "g9"]), dataEvent("u", "b", 10, ["genre": "g2"])]))
        let pairs = try #require(builder.alignmentPairs(to: "genre"))
        let names = zip(pairs.source, pairs.target).map {
            (builder.views[0].vocabulary.name(of: $0), builder.views[1].vocabulary.name(of: $1))
        }
        #expect(names.map(\.0) == ["a", "b"])
        #expect(names.map(\.1) == ["g1", "g2"])
        #expect(builder.views[1].vocabulary.id(of: "g9") == nil)
        #expect(builder.alignmentPairs(to: "shop") == nil)
    }

    @Test func updateReportsEdgeIncrementsAndNewNodes() {
        var builder = GraphBuilder(viewNames: ["item", "genre"])
        let update = builder.apply(Session(user: "u", events: [ev("u", "a", 0), ev("u", "c", 1), ev("u", "a", 2), ev("u", "c", 3)]))
        #expect(update.edges.filter { $0.view == 0 }.map { [$0.from, $0.to, $0.count] } == [[0, 1, 2], [1, 0, 1]])
        #expect(update.newNodes.map(\.name) == ["a", "g1", "c", "g2"])
        #expect(update.attributes.count == 2)
        #expect(update.touchedNodes(view: 0) == [0, 1])
    }

    @Test func incrementalEventByEventMatchesBatch() throws {
        let config = try PipelineConfig.parse(
            yaml: dataTestPipelineYAML + "\nviews:\n  - name: category\n    field: category\n  - name: shop\n    field: shop\n")
        var parameters = SyntheticEventGenerator.Parameters()
        parameters.users = 40
        parameters.items = 200
        parameters.events = 3_000
        parameters.seed = 5
        let events = SyntheticEventGenerator.sortedEvents(parameters)

        let batch = TrainingDataBuilder(config: config).buildGraphs(events: events).builder

        var cutter = SessionCutter(config: config.sessions)
        var incremental = GraphBuilder(config: config)
        var edgeTotals = [UInt64](repeating: 0, count: 3)
        for e in events {
            if let session = cutter.add(e) {
                for inc in incremental.apply(session).edges { edgeTotals[inc.view] += UInt64(inc.count) }
            }
        }
        for session in cutter.finish() {
            for inc in incremental.apply(session).edges { edgeTotals[inc.view] += UInt64(inc.count) }
        }
        #expect(incremental == batch)

        // Restoring the recorded updates onto a fresh builder reproduces it.
        var restored = GraphBuilder(config: config)
        var rebuilt = GraphBuilder(config: config)
        for session in SessionCutter.cut(events, config: config.sessions).sessions {
            try restored.restore(rebuilt.apply(session))
        }
        #expect(restored == batch)
        let update = rebuilt.apply(Session(user: "x", events: [dataEvent("x", "new", 1), dataEvent("x", "i0", 2)]))
        try restored.restore(update)
        #expect(restored == rebuilt)
        #expect(throws: GraphRestoreError.self) { try restored.restore(update) }  // "new" already has its id
        #expect(batch.views.map(\.graph.edgeCount).allSatisfy { $0 > 0 })
        for v in 0..<3 {
            let total = (0..<batch.views[v].graph.nodeCount).reduce(UInt64(0)) { $0 + batch.views[v].graph.outWeight(UInt32($1)) }
            #expect(total == edgeTotals[v])
        }
    }
}

extension SyntheticEventGenerator {
    /// All events of a small generator, in time order.
    static func sortedEvents(_ parameters: Parameters) -> [Event] {
        SessionCutter.sortedByTime(Array(SyntheticEventGenerator(parameters: parameters)))
    }
}
