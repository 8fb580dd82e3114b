import Foundation
import Kafka
import Model
import Store
@testable import Streaming
import Testing

/// A user's partition, as a keyed producer would pick it (stable FNV-1a hash).
func partition(ofUser user: String, topic: String = "events", partitions: Int = 4) -> TopicPartition {
    var h: UInt32 = 2_166_136_261
    for b in user.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
    return TopicPartition(topic, Int32(h % UInt32(partitions)))
}

/// Feeds `events` to `processor` in batches, partition by user, with consecutive offsets.
func feed(_ events: [Event], to processor: IngestProcessor, batch: Int = 250) throws {
    var next: [TopicPartition: Int64] = processor.allOffsets
    for start in stride(from: 0, to: events.count, by: batch) {
        var records: [IngestRecord] = []
        var offsets: [TopicPartition: Int64] = [:]
        for event in events[start..<min(start + batch, events.count)] {
            let tp = partition(ofUser: event.user)
            records.append(IngestRecord(event: event, source: tp))
            next[tp, default: 0] += 1
            offsets[tp] = next[tp]
        }
        try processor.apply(IngestBatchInput(records: records, nextOffsets: offsets))
    }
}

/// Synthetic events with at most one event per (user, second), so a time order is unique per user.
func distinctTimeEvents(count: Int, seed: UInt64) -> [Event] {
    var seen = Set<String>()
    return syntheticEvents(count: count, seed: seed).filter { seen.insert("\($0.user)@\($0.timestampMillis)").inserted }
}

extension StreamingIngestTests {
    @Suite("IngestProcessor without a broker", .serialized, .timeLimit(.minutes(1)))
    struct Processor {
        @Test("events out of order within the lateness tolerance land in their sessions: graphs equal offline")
        func outOfOrderWithinTolerance() throws {
            var config = try syntheticPipeline()
            config.sessions.allowedLatenessSeconds = 300
            let events = distinctTimeEvents(count: 6_000, seed: 31)
            // Reorder by time plus a seeded jitter of up to 5 minutes (the allowed lateness).
            var rng = Xoshiro256StarStar(seed: 77)
            let shuffled = events.map { ($0, $0.timestampMillis + Int64(rng.nextInt(below: 300_000))) }
                .sorted { $0.1 < $1.1 }.map(\.0)
            var latest: [String: Int64] = [:]
            var inversions = 0
            for event in shuffled {
                if let t = latest[event.user], event.timestampMillis < t { inversions += 1 }
                latest[event.user] = max(latest[event.user] ?? .min, event.timestampMillis)
            }
            #expect(inversions > 100, "the jitter must reorder events of the same user (got \(inversions))")

            let dir = try TemporaryDirectory()
            let (store, processor) = try openProcessor(dir.sub("state"), config: config)
            defer { store.close() }
            try feed(shuffled, to: processor)
            #expect(processor.status.counters["events.late"] == nil || processor.status.counters["events.late"] == 0)
            try processor.closeAllSessions()
            let diff = try NamedGraphs(processor.graphs).differences(from: offlineGraphs(events, config: config))
            #expect(diff.isEmpty, "\(diff)")
        }

        @Test("an event older than what its user has final already is counted late and dropped")
        func lateBeyondToleranceIsCountedAndDropped() throws {
            let config = try syntheticPipeline()
            let gap = config.sessions.gapMilliseconds
            let t0: Int64 = 1_700_000_000_000
            func e(_ item: String, _ t: Int64) -> Event {
                Event(user: "u1", item: item, timestampMillis: t, attributes: ["category": "c-\(item)", "shop": "s-\(item)"])
            }
            let onTime = [e("a", t0), e("b", t0 + 60_000), e("c", t0 + 120_000)]
            let late = e("z", t0 - gap - 1)  // before a, which is final
            let dir = try TemporaryDirectory()
            let (store, processor) = try openProcessor(dir.sub("state"), config: config)
            defer { store.close() }
            try feed(onTime, to: processor)   // a and b are final (c is the clock)
            try feed([late], to: processor)
            #expect(processor.status.counters["events.late"] == 1)
            #expect(processor.status.counters["events.applied"] == 4)
            try processor.closeAllSessions()
            let items = try processor.graphs.views[0].vocabulary.names
            #expect(Set(items) == ["a", "b", "c"], "the late event must not enter the graph: \(items)")
        }

        @Test("walk rings stay bounded and every stored walk follows edges of its view")
        func walkRingsBoundedAndValid() throws {
            let config = try syntheticPipeline()
            let events = syntheticEvents(count: 6_000, seed: 3)
            var options = IngestOptions()
            options.walkRingCapacity = 64
            options.walksPerTouchedNode = 1
            let dir = try TemporaryDirectory()
            let (store, processor) = try openProcessor(dir.sub("state"), config: config, options: options)
            defer { store.close() }
            try feed(events, to: processor)
            let schema = try IngestSchema(store: store)
            let graphs = try processor.graphs
            for (v, view) in graphs.views.enumerated() {
                var stored = 0
                var invalid: [String] = []
                try schema.walks.scan { key, bytes in
                    let (walkView, _) = key.components
                    guard Int(walkView) == v else { return .continue }
                    let block: WalkCorpus
                    do { block = try WalkBlockCodec.decode(bytes) } catch {
                        invalid.append("malformed walk block \(key): \(error)")
                        return .continue
                    }
                    stored += block.walkCount
                    for w in 0..<block.walkCount {
                        let nodes = Array(block.walk(w))
                        if nodes.isEmpty { invalid.append("empty walk in \(key)") }
                        for (a, b) in zip(nodes, nodes.dropFirst()) where view.graph.weight(from: a, to: b) == 0 {
                            invalid.append("\(view.name): \(a)->\(b) is not an edge")
                        }
                    }
                    return .continue
                }
                #expect(stored <= options.walkRingCapacity, "view \(view.name) keeps \(stored) walks")
                #expect(stored == processor.status.views[v].walksInRing, "view \(view.name): status disagrees with the ring")
                #expect(stored > 0, "view \(view.name) has no walks")
                #expect(invalid.isEmpty, "\(invalid.prefix(5))")
            }
        }

        @Test("pipelined commits: a background write that fails is reported by the next flush, apply and training feed, and none of it reaches the disk")
        func pipelinedWriteFailure() throws {
            let config = try syntheticPipeline()
            let events = syntheticEvents(count: 600, seed: 23)
            var options = IngestOptions()
            options.pipelinedCommits = true
            let dir = try TemporaryDirectory()
            let writeDelay = WriteDelay()
            let (store, processor) = try openProcessor(dir.sub("state"), config: config, options: options, writeDelay: writeDelay)
            try feed(Array(events[0..<300]), to: processor)
            try processor.flush()
            let onDisk = processor.allOffsets
            #expect(!onDisk.isEmpty)
            // The next batch is applied and submitted; its write is held back, and the store
            // closes before it runs, so the write fails on the commit thread.
            writeDelay.seconds = 0.3
            try feed(Array(events[300..<550]), to: processor)
            #expect(processor.allOffsets != onDisk, "applied in memory")
            store.close()
            #expect(throws: IngestError.self) { try processor.flush() }
            #expect(throws: IngestError.self) { try processor.apply(IngestBatchInput(records: [], nextOffsets: [:])) }
            #expect(throws: IngestError.self) { try processor.trainingFeed(knownRows: []) }
            let (store2, reopened) = try openProcessor(dir.sub("state"), config: config)
            defer { store2.close() }
            #expect(reopened.allOffsets == onDisk, "the failed batch left nothing on disk")
        }

        @Test("a bounded adjacency cache evicts between batches and reads nodes back: the same graphs, walks and new-edge records as unbounded, across a restart; also with each batch written while the next is applied",
              arguments: [false, true])
        func boundedAdjacencyCache(pipelined: Bool) throws {
            let config = try syntheticPipeline()
            var bounded = config
            bounded.ingest.adjacencyCacheBytes = 24 * 1024
            let events = syntheticEvents(count: 12_000, seed: 41)
            var options = IngestOptions()
            options.trackNewEdges = true
            let dir = try TemporaryDirectory()
            // The reference writes every batch before the next (the pipelined run must match it).
            let (refStore, reference) = try openProcessor(dir.sub("reference"), config: config, options: options)
            defer { refStore.close() }
            options.pipelinedCommits = pipelined
            try feed(events, to: reference)
            try reference.closeAllSessions()
            #expect(reference.status.adjacencyBytes > 4 * bounded.ingest.adjacencyCacheBytes, "the graph is much larger than the bound")

            var loads = 0
            var newEdges: [NewEdge] = []
            let half = events.count / 2
            for (part, range) in [(0, 0..<half), (1, half..<events.count)] {
                // A restart between the halves: the second processor starts with nothing held.
                let writeDelay = WriteDelay()
                let (store, processor) = try openProcessor(dir.sub("bounded"), config: bounded, options: options, writeDelay: writeDelay)
                defer { store.close() }
                // Every batch is applied (reading evicted nodes back) while the previous one is
                // still being written.
                if pipelined { writeDelay.seconds = 0.01 }
                for (n, start) in stride(from: range.lowerBound, to: range.upperBound, by: 1_000).enumerated() {
                    try feed(Array(events[start..<min(start + 1_000, range.upperBound)]), to: processor)
                    // Pipelined, the nodes of the batch in flight stay until it is written: the
                    // bound holds once it is (checked every third call; the others keep a
                    // write in flight while the next batches read evicted nodes back).
                    if pipelined, n % 3 == 2 { try processor.flush() }
                    if !pipelined || n % 3 == 2 {
                        #expect(processor.status.adjacencyBytes <= bounded.ingest.adjacencyCacheBytes, "held after a batch, part \(part)")
                    }
                }
                if part == 1 { try processor.closeAllSessions() }
                // The restart (part 0) and the comparison (part 1) read what is on disk.
                try processor.flush()
                newEdges += try processor.trainingFeed(knownRows: []).newEdges
                loads += processor.status.adjacencyLoads
                if part == 1 {
                    #expect(try NamedGraphs(processor.graphs) == NamedGraphs(reference.graphs))
                    #expect(processor.status.views.map(\.edges) == reference.status.views.map(\.edges))
                    let a = try graphState(store), b = try graphState(refStore)
                    #expect(a == b, "identical vocabularies, edges, attributes and walks; differing: \(a.keys.sorted().filter { a[$0] != b[$0] })")
                }
            }
            #expect(loads > 2 * reference.status.adjacencyLoads, "the bounded cache read evicted nodes back (\(loads) loads)")
            #expect(try newEdges == reference.trainingFeed(knownRows: []).newEdges)
            #expect(!newEdges.isEmpty)
        }
    }
}
