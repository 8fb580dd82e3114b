import Foundation
import Kafka
import Model
import Store
@testable import Streaming
import Testing

/// Random events for `config`'s views: users with sessions separated by random gaps (within,
/// at and beyond the session gap), repeats, equal timestamps; each item has one value per
/// attribute view (some items none, some several, as a multi-valued field gives), as a
/// catalogue does.
private func randomStream(config: PipelineConfig, seed: UInt64, count: Int) -> [Event] {
    var rng = Xoshiro256StarStar(seed: seed)
    let users = 5 + rng.nextInt(below: 40)
    let items = 20 + rng.nextInt(below: 80)
    let gap = config.sessions.gapMilliseconds
    var clock = (0..<users).map { _ in Int64(1_700_000_000_000) + Int64(rng.nextInt(below: 3_600_000)) }
    var events: [Event] = []
    for _ in 0..<count {
        let u = rng.nextInt(below: users)
        switch rng.nextInt(below: 12) {
        case 0: break                                                      // same millisecond
        case 1: clock[u] += gap + 1 + Int64(rng.nextInt(below: 3_600_000))  // a new session
        case 2: clock[u] += gap                                            // exactly the gap: same session
        default: clock[u] += Int64(rng.nextInt(below: Int(min(gap, 120_000))))
        }
        let k = rng.nextInt(below: items)
        var attributes: [String: [String]] = [:]
        for (v, view) in config.views.enumerated() where (k + v) % 7 != 0 {
            // One to three values; overlapping sets (a b, b c, ...) exercise the collapse rule.
            let count = 1 + (k + 2 * v) % 3
            attributes[view.name] = (0..<count).map { j in "\(view.name)-\((k * (v + 3) + j) % (5 + 4 * v))" }
        }
        events.append(Event(user: "u\(u)", item: "i\(k)", timestampMillis: clock[u], attributeValues: attributes))
    }
    return SessionCutter.sortedByTime(events)
}

/// The order a stream would arrive in: each event late by a pseudo-random amount up to
/// `lateness` (events of one user with one time keep their order).
private func arrivals(_ events: [Event], lateness: Int64, seed: UInt64) -> [Event] {
    events.enumerated().map { offset, e in
        let h = SplitMix64.mix(seed ^ UInt64(bitPattern: e.timestampMillis) &* 31 ^ UInt64(e.user.utf8.reduce(0) { $0 &* 131 &+ Int($1) }))
        return (e, e.timestampMillis + Int64(h % UInt64(lateness + 1)), offset)
    }
    .sorted { ($0.1, $0.2) < ($1.1, $1.2) }.map(\.0)
}

/// Feeds `events` to a processor over a state directory in random batches, several
/// partitions keyed by user, closing and reopening the processor at random batches; ends
/// every session; returns the graphs and the late count.
private func ingestWithRestarts(_ events: [Event], config: PipelineConfig, partitions: Int, seed: UInt64,
                                pipelined: Bool) throws -> (NamedGraphs, UInt64) {
    var rng = Xoshiro256StarStar(seed: seed ^ 0xE4E4)
    var options = IngestOptions()
    options.pipelinedCommits = pipelined
    options.walksPerTouchedNode = 1
    let dir = try TemporaryDirectory()
    var (store, processor) = try openProcessor(dir.sub("state"), config: config, options: options)
    var i = 0
    var restarts = 0
    while i < events.count {
        let end = min(events.count, i + 1 + rng.nextInt(below: 120))
        var next = processor.allOffsets
        var records: [IngestRecord] = []
        var offsets: [TopicPartition: Int64] = [:]
        for event in events[i..<end] {
            let tp = partition(ofUser: event.user, partitions: partitions)
            records.append(IngestRecord(event: event, source: tp, offset: next[tp, default: 0]))
            next[tp, default: 0] += 1
            offsets[tp] = next[tp]
        }
        try processor.apply(IngestBatchInput(records: records, nextOffsets: offsets))
        i = end
        if rng.nextInt(below: 8) == 0 || (restarts == 0 && i >= events.count / 2 && i < events.count) {
            try processor.flush()
            store.close()
            (store, processor) = try openProcessor(dir.sub("state"), config: config, options: options)
            restarts += 1
        }
    }
    defer { store.close() }
    try processor.closeAllSessions()
    try processor.flush()
    #expect(restarts > 0)
    return (NamedGraphs(try processor.graphs), processor.status.counters["events.late"] ?? 0)
}

extension StreamingIngestTests {
    @Suite("Eager transitions equal the batch path", .serialized, .timeLimit(.minutes(5)))
    struct EagerEquivalence {
        static let pipelines = ["movielens-100k.yaml", "synthetic.yaml"]

        @Test("random streams, out of order within the lateness, restarts at random batches, several partitions: the final graphs equal the offline builder's, for every pipeline",
              arguments: pipelines, 0..<6)
        func randomStreams(pipeline: String, seed: UInt64) throws {
            var config = try PipelineConfig.load(path: repositoryRoot.appendingPathComponent("pipelines/\(pipeline)").path)
            var rng = Xoshiro256StarStar(seed: seed &* 7919 &+ UInt64(pipeline.utf8.count))
            // The pipeline's own sessions, and variations of the settings that hold events back.
            config.sessions.allowedLatenessSeconds = [0, 1, 30][rng.nextInt(below: 3)]
            if seed % 3 == 1 { config.sessions.minDwellSeconds = 5 }
            if seed % 3 == 2 { config.sessions.minLength = 3 }
            let events = randomStream(config: config, seed: seed, count: 600 + rng.nextInt(below: 900))
            let stream = arrivals(events, lateness: config.sessions.allowedLatenessMilliseconds, seed: seed)
            let (streamed, late) = try ingestWithRestarts(stream, config: config, partitions: 1 + rng.nextInt(below: 4),
                                                          seed: seed, pipelined: seed % 2 == 0)
            let offline = offlineGraphs(events, config: config)
            #expect(late == 0)
            #expect(offline.totalWeight > 0)
            let diff = streamed.differences(from: offline)
            #expect(diff.isEmpty, "\(pipeline) seed \(seed): \(diff)")
        }

        @Test("the synthetic generator's stream, restarts, four partitions: graphs equal offline")
        func syntheticGenerator() throws {
            let config = try syntheticPipeline()
            let events = syntheticEvents(count: 5_000, seed: 21)
            let (streamed, late) = try ingestWithRestarts(events, config: config, partitions: 4, seed: 21, pipelined: true)
            #expect(late == 0)
            let diff = streamed.differences(from: offlineGraphs(events, config: config))
            #expect(diff.isEmpty, "\(diff)")
        }

        @Test("transitions reach the graphs while their sessions are still open (gap 1800 s, lateness 1 s)")
        func eagerBeforeSessionsEnd() throws {
            let config = try syntheticPipeline()
            #expect(config.sessions.gapSeconds == 1800)
            let t0: Int64 = 1_700_000_000_000
            let dir = try TemporaryDirectory()
            let (store, processor) = try openProcessor(dir.sub("state"), config: config)
            defer { store.close() }
            // Two users browse without pausing; nothing closes a session.
            var events: [Event] = []
            for k in 0..<20 {
                for u in ["a", "b"] {
                    events.append(Event(user: u, item: "i\(k % 5)", timestampMillis: t0 + Int64(k) * 2_000,
                                        attributes: ["category": "c\(k % 2)", "shop": "s"]))
                }
            }
            try feed(events, to: processor, batch: 4)
            let status = processor.status
            #expect(status.openSessions == 2, "both sessions are still open")
            #expect(status.counters["sessions.closed"] == nil)
            let graphs = try processor.graphs
            let item = graphs.views[0]
            // Every transition up to the watermark (38 s - 1 s) is in: i0->i1->...->i4->i0 ... 18 per user.
            var weight: UInt64 = 0
            for from in 0..<item.graph.nodeCount { weight += item.graph.weights[from].reduce(0) { $0 + UInt64($1) } }
            #expect(weight == 2 * 18, "item transitions released so far: \(weight)")
            let feedEdges = try processor.trainingFeed(knownRows: []).walkNext
            #expect(feedEdges[0] > 0, "fresh walks were written from the released transitions")
        }

        @Test("a bot's released transitions stay; its later events are dropped and counted (events.over_active)")
        func botsAreCounted() throws {
            var config = try syntheticPipeline()
            config.sessions.maxEventsPerUser = 5
            config.sessions.allowedLatenessSeconds = 2
            let t0: Int64 = 1_700_000_000_000
            let dir = try TemporaryDirectory()
            let (store, processor) = try openProcessor(dir.sub("state"), config: config)
            defer { store.close() }
            let events = (0..<8).map { k in
                Event(user: "bot", item: "i\(k)", timestampMillis: t0 + Int64(k) * 1_000, attributes: ["category": "c", "shop": "s"])
            }
            // One user: the clock is its latest event, the watermark 2 s before it. After i4,
            // i0..i2 are final (i0 -> i1 -> i2 released); the 6th event (i5) marks the bot.
            try feed(events, to: processor, batch: 1)
            try processor.closeAllSessions()
            #expect(processor.status.counters["events.over_active"] == 5, "i3 and i4 pending, i5 to i7 after the limit: \(processor.status.counters)")
            let item = try processor.graphs.views[0]
            var weight: UInt64 = 0
            for from in 0..<item.graph.nodeCount { weight += item.graph.weights[from].reduce(0) { $0 + UInt64($1) } }
            #expect(weight == 2, "i0 -> i1 -> i2 was released before the limit, and stays")
        }
    }
}
