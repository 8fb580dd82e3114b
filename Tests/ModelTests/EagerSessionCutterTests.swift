import Testing

@testable import Model

/// Graphs by node names (ids depend on release order), for comparing the eager path with
/// the batch path.
private struct NamedEdges: Equatable, CustomStringConvertible {
    var edges: [String: UInt64]
    var nodes: Set<String>

    init(_ builder: GraphBuilder) {
        var edges: [String: UInt64] = [:], nodes = Set<String>()
        for view in builder.views {
            for name in view.vocabulary.names { nodes.insert("\(view.name):\(name)") }
            for from in 0..<view.graph.nodeCount {
                for (k, to) in view.graph.targets[from].enumerated() {
                    let key = "\(view.name):\(view.vocabulary.name(of: UInt32(from)))->\(view.vocabulary.name(of: to))"
                    edges[key, default: 0] += UInt64(view.graph.weights[from][k])
                }
            }
        }
        self.edges = edges
        self.nodes = nodes
    }

    var description: String { "\(nodes.count) nodes, \(edges.count) edges" }

    func differences(_ other: NamedEdges) -> [String] {
        var out: [String] = []
        for key in Set(edges.keys).union(other.edges.keys).sorted() where edges[key] != other.edges[key] {
            out.append("\(key): \(edges[key] ?? 0) vs \(other.edges[key] ?? 0)")
        }
        let nodeDiff = nodes.symmetricDifference(other.nodes)
        if !nodeDiff.isEmpty { out.append("nodes on one side only: \(nodeDiff.sorted().prefix(5))") }
        return out
    }
}

/// Streams `arrivals` through an eager cutter (per partition of `partitions`), settling at
/// each partition's watermark after every batch of random size, then ends every session.
private func eagerGraphs(_ arrivals: [Event], config: PipelineConfig, partitions: Int, seed: UInt64)
    -> (graphs: GraphBuilder, late: Int)
{
    var rng = Xoshiro256StarStar(seed: seed)
    var builder = GraphBuilder(config: config)
    var cutters = Array(repeating: EagerSessionCutter(config: config.sessions), count: partitions)
    var clocks = Array(repeating: PartitionClock(), count: partitions)
    let lateness = config.sessions.allowedLatenessMilliseconds
    func part(_ user: String) -> Int { Int(user.dropFirst()).map { $0 % partitions } ?? 0 }
    func release(_ events: [Event], _ cursor: inout SessionCursor) { builder.extend(session: events, cursor: &cursor) }
    var i = 0
    while i < arrivals.count {
        let end = min(arrivals.count, i + 1 + rng.nextInt(below: 40))
        for event in arrivals[i..<end] {
            let p = part(event.user)
            if cutters[p].add(event) == .accepted { clocks[p].observe(user: event.user, millis: event.timestampMillis) }
        }
        for p in 0..<partitions {
            guard let clock = clocks[p].millis else { continue }
            _ = cutters[p].settle(watermark: clock - lateness, release: release)
        }
        i = end
    }
    for p in 0..<partitions { _ = cutters[p].finish(release: release) }
    return (builder, cutters.reduce(0) { $0 + $1.statistics.lateEvents })
}

/// Random events: users with sessions separated by random gaps (some within, some beyond the
/// session gap), items with fixed attributes, repeats, equal timestamps.
private func randomEvents(seed: UInt64, count: Int, gapSeconds: Int64) -> [Event] {
    var rng = Xoshiro256StarStar(seed: seed)
    let users = 3 + rng.nextInt(below: 12)
    var clock = Array(repeating: Int64(1_700_000_000_000), count: users)
    var events: [Event] = []
    for _ in 0..<count {
        let u = rng.nextInt(below: users)
        let step: Int64
        switch rng.nextInt(below: 10) {
        case 0: step = 0                                                     // same millisecond
        case 1: step = (gapSeconds + 1 + Int64(rng.nextInt(below: 600))) * 1000  // new session
        case 2: step = gapSeconds * 1000                                     // exactly the gap: same session
        default: step = Int64(rng.nextInt(below: 20_000))
        }
        clock[u] += step
        let k = rng.nextInt(below: 25)
        events.append(Event(user: "u\(u)", item: "i\(k)", timestampMillis: clock[u],
                            attributes: ["category": "c\(k % 4)", "shop": "s\(k % 3)"]))
    }
    return SessionCutter.sortedByTime(events)
}

/// Arrival order: each event delayed by a pseudo-random amount in `0...maxDelay` ms (so out
/// of order by at most that much). Events of one user with the same time get the same delay
/// and keep their order (no stream can tell their order apart otherwise).
private func arrivalOrder(_ events: [Event], maxDelay: Int64, seed: UInt64) -> [Event] {
    func delay(_ e: Event) -> Int64 {
        let h = SplitMix64.mix(seed ^ UInt64(bitPattern: e.timestampMillis) ^ UInt64(e.user.utf8.reduce(0) { $0 &* 31 &+ Int($1) }) << 20)
        return Int64(h % UInt64(maxDelay + 1))
    }
    return events.enumerated().map { ($0.element, $0.element.timestampMillis + delay($0.element), $0.offset) }
        .sorted { ($0.1, $0.2) < ($1.1, $1.2) }.map(\.0)
}

private func sessions(gap: Double, minLength: Int, dwell: Double?, lateness: Double) -> PipelineConfig {
    PipelineConfig(
        name: "eager", events: PipelineConfig.Events(),
        views: [PipelineConfig.View(name: "category", field: "category"), PipelineConfig.View(name: "shop", field: "shop")],
        sessions: PipelineConfig.Sessions(gapSeconds: gap, minLength: minLength, minDwellSeconds: dwell,
                                          allowedLatenessSeconds: lateness))
}

@Suite struct EagerSessionCutterTests {
    @Test("random streams out of order within the lateness: the eager graphs equal the batch graphs",
          arguments: 0..<60)
    func equalsBatch(seed: UInt64) {
        var rng = Xoshiro256StarStar(seed: 1000 + seed)
        let gap = Double([60, 300, 1800][rng.nextInt(below: 3)])
        let minLength = 1 + rng.nextInt(below: 4)
        let dwell: Double? = [nil, 1, 5][rng.nextInt(below: 3)]
        let lateness = Double([0, 2, 30][rng.nextInt(below: 3)])
        let config = sessions(gap: gap, minLength: minLength, dwell: dwell, lateness: lateness)
        let events = randomEvents(seed: seed, count: 300 + rng.nextInt(below: 500), gapSeconds: Int64(gap))
        let arrivals = arrivalOrder(events, maxDelay: config.sessions.allowedLatenessMilliseconds, seed: seed)
        let (eager, late) = eagerGraphs(arrivals, config: config, partitions: 1 + rng.nextInt(below: 3), seed: seed)
        let batch = TrainingDataBuilder(config: config).buildGraphs(events: events).builder
        #expect(late == 0)
        let diff = NamedEdges(eager).differences(NamedEdges(batch))
        #expect(diff.isEmpty, "gap \(gap) min_length \(minLength) dwell \(String(describing: dwell)) lateness \(lateness): \(diff.prefix(5))")
        #expect(!NamedEdges(batch).edges.isEmpty)
    }

    @Test("a transition enters the graphs once the watermark passes the event completing it, long before the session ends")
    func releasesBeforeTheSessionEnds() {
        let config = sessions(gap: 1800, minLength: 2, dwell: nil, lateness: 2)
        var cutter = EagerSessionCutter(config: config.sessions)
        var builder = GraphBuilder(config: config)
        func release(_ events: [Event], _ cursor: inout SessionCursor) { builder.extend(session: events, cursor: &cursor) }
        cutter.add(dataEvent("u", "a", 100, ["category": "x"]))
        cutter.add(dataEvent("u", "b", 110, ["category": "y"]))
        _ = cutter.settle(watermark: 109_000, release: release)   // b (110 s) not final yet
        #expect(builder.views[0].graph.edgeCount == 0)
        #expect(builder.views[0].vocabulary.count == 0, "a alone is held: the session is shorter than min_length")
        let changed = cutter.settle(watermark: 110_000, release: release)
        #expect(changed == ["u"])
        #expect(builder.views[0].graph.weight(from: 0, to: 1) == 1)
        #expect(builder.views[1].graph.weight(from: 0, to: 1) == 1, "category x -> y")
        cutter.add(dataEvent("u", "c", 120))
        _ = cutter.settle(watermark: 125_000, release: release)
        #expect(builder.views[0].vocabulary.id(of: "c").map { builder.views[0].graph.weight(from: 1, to: $0) } == 1)
        #expect(cutter.openSessionCount == 1, "the session goes on")
    }

    @Test("an event older than what is final is counted late and dropped; one within it is inserted in order")
    func lateEvents() {
        let config = sessions(gap: 1800, minLength: 2, dwell: nil, lateness: 2)
        var cutter = EagerSessionCutter(config: config.sessions)
        var builder = GraphBuilder(config: config)
        func release(_ events: [Event], _ cursor: inout SessionCursor) { builder.extend(session: events, cursor: &cursor) }
        cutter.add(dataEvent("u", "a", 100))
        cutter.add(dataEvent("u", "c", 200))
        _ = cutter.settle(watermark: 150_000, release: release)   // a final, c not
        #expect(cutter.add(dataEvent("u", "z", 99)) == .late)      // before a: would change a final fact
        #expect(cutter.add(dataEvent("u", "b", 160)) == .accepted)   // between a and c, neither final: fine
        _ = cutter.finish(release: release)
        let items = builder.views[0].vocabulary
        let weight = { (x: String, y: String) in builder.views[0].graph.weight(from: items.id(of: x)!, to: items.id(of: y)!) }
        #expect(weight("a", "b") == 1 && weight("b", "c") == 1 && weight("a", "c") == 0)
        #expect(items.id(of: "z") == nil)
        #expect(cutter.statistics.lateEvents == 1)
    }

    @Test("min_length 3: the first transitions are held until the session reaches three items, then released together; a short session releases nothing")
    func minLengthHoldsTransitions() {
        let config = sessions(gap: 60, minLength: 3, dwell: nil, lateness: 0)
        var cutter = EagerSessionCutter(config: config.sessions)
        var builder = GraphBuilder(config: config)
        func release(_ events: [Event], _ cursor: inout SessionCursor) { builder.extend(session: events, cursor: &cursor) }
        cutter.add(dataEvent("u", "a", 0))
        cutter.add(dataEvent("u", "b", 10))
        cutter.add(dataEvent("v", "x", 10))
        cutter.add(dataEvent("v", "y", 20))
        _ = cutter.settle(watermark: 20_000, release: release)
        #expect(builder.views[0].graph.edgeCount == 0, "two items each: held")
        cutter.add(dataEvent("u", "c", 30))
        _ = cutter.settle(watermark: 30_000, release: release)
        #expect(builder.views[0].graph.edgeCount == 2, "a->b and b->c released together")
        _ = cutter.settle(watermark: 200_000, release: release)   // both sessions end
        #expect(builder.views[0].vocabulary.id(of: "x") == nil, "v's session stayed short: dropped")
        #expect(cutter.statistics.sessionsTooShort == 1)
        #expect(cutter.statistics.sessionsEmitted == 1)
        #expect(cutter.userNames.isEmpty, "users with nothing pending are forgotten")
    }

    @Test("dwell decided by the next final event, or by the watermark passing the event's time plus min_dwell_seconds")
    func dwellDecisions() {
        let config = sessions(gap: 1800, minLength: 2, dwell: 5, lateness: 0)
        var cutter = EagerSessionCutter(config: config.sessions)
        var builder = GraphBuilder(config: config)
        func release(_ events: [Event], _ cursor: inout SessionCursor) { builder.extend(session: events, cursor: &cursor) }
        cutter.add(dataEvent("u", "a", 0))
        cutter.add(dataEvent("u", "b", 10))
        cutter.add(dataEvent("u", "x", 12))   // b's dwell 2 s < 5: b is dropped
        _ = cutter.settle(watermark: 12_000, release: release)
        #expect(builder.views[0].graph.edgeCount == 0, "x's dwell is not known yet")
        _ = cutter.settle(watermark: 17_000, release: release)  // any next event comes >= 17 s: x kept
        let items = builder.views[0].vocabulary
        #expect(builder.views[0].graph.weight(from: items.id(of: "a")!, to: items.id(of: "x")!) == 1)
        #expect(items.id(of: "b") == nil)
        #expect(cutter.add(dataEvent("u", "y", 16)) == .late, "would shorten x's decided dwell")
        #expect(cutter.statistics.shortDwellEvents == 1)
    }

    @Test("bots: released transitions stay, pending events are dropped and later ones ignored")
    func botRule() {
        var config = sessions(gap: 1800, minLength: 2, dwell: nil, lateness: 0)
        config.sessions.maxEventsPerUser = 3
        var cutter = EagerSessionCutter(config: config.sessions)
        var builder = GraphBuilder(config: config)
        func release(_ events: [Event], _ cursor: inout SessionCursor) { builder.extend(session: events, cursor: &cursor) }
        cutter.add(dataEvent("bot", "a", 0))
        cutter.add(dataEvent("bot", "b", 1))
        _ = cutter.settle(watermark: 1_000, release: release)
        cutter.add(dataEvent("bot", "c", 2))
        #expect(cutter.add(dataEvent("bot", "d", 3)) == .overActive)
        #expect(cutter.add(dataEvent("bot", "e", 4)) == .overActive)
        _ = cutter.finish(release: release)
        #expect(builder.views[0].graph.edgeCount == 1, "a->b was released before the limit")
        #expect(cutter.statistics.overActiveUsers == 1)
        #expect(cutter.statistics.overActiveEvents == 3, "c (pending), d, e")
    }

    @Test("the partition clock follows the second-latest user: one user cannot drag it")
    func partitionClock() {
        var clock = PartitionClock()
        #expect(clock.millis == nil)
        clock.observe(user: "a", millis: 100)
        #expect(clock.millis == 100)
        clock.observe(user: "b", millis: 200)
        #expect(clock.millis == 100)
        clock.observe(user: "rogue", millis: 7_000_000_000_000)  // year 2191
        #expect(clock.millis == 200)
        clock.observe(user: "rogue", millis: 7_000_000_000_001)
        #expect(clock.millis == 200)
        clock.observe(user: "a", millis: 300)
        #expect(clock.millis == 300)
        clock.observe(user: "b", millis: 250)
        #expect(clock.millis == 300)
        clock.observe(user: "c", millis: 400)
        #expect(clock.millis == 400)
    }
}
