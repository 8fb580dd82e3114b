import Foundation
import Kafka
import Model
import Store
import Streaming
import Testing

@Suite("State inspection (m2grl status)")
struct StatusInspectorTests {
    @Test("status read-only, while the processor holds the directory, agrees with the processor's own view")
    func statusMatchesProcessor() throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("state")
        var options = IngestOptions()
        options.walkRingCapacity = 300
        let (store, processor) = try openProcessor(path, config: try syntheticPipeline(), options: options)
        defer { store.close() }
        let events = distinctTimeEvents(count: 1_500, seed: 21)
        try feed(events, to: processor)
        try processor.closeAllSessions()
        // Counted by the processor in memory, and per partition here from what was fed.
        let expected = processor.status
        let graphs = try processor.graphs
        var perPartition: [TopicPartition: Int64] = [:]
        for e in events { perPartition[partition(ofUser: e.user), default: 0] += 1 }

        let inspector = try StateInspector.openReadOnly(path: path)
        defer { inspector.close() }
        let status = try inspector.status()
        #expect(status.views.map(\.name) == ["item", "category", "shop"])
        for (v, view) in status.views.enumerated() {
            #expect(view.nodes == graphs.views[v].vocabulary.count && view.nodes > 0, "\(view.name) nodes")
            #expect(view.edges == graphs.views[v].graph.edgeCount, "\(view.name) edges")
            #expect(view.walksInRing == expected.views[v].walksInRing, "\(view.name) walks")
            #expect(view.walksInRing > 0 && view.walksInRing <= 300)
        }
        #expect(status.views[1].itemsWithAttribute == graphs.alignmentPairs(to: "category")?.source.count)
        #expect(Dictionary(uniqueKeysWithValues: status.partitions.map { (TopicPartition($0.topic, $0.partition), $0.nextOffset) }) == perPartition)
        #expect(status.counters == expected.counters)
        #expect(status.counters["events.applied"] == UInt64(events.count))

        let text = StatusReport(stateDirectory: path, state: status, walkRingCapacity: 300).text()
        for (v, view) in graphs.views.enumerated() {
            #expect(text.contains("  \(view.name): \(view.vocabulary.count) nodes, \(view.graph.edgeCount) edges"), "\(text)")
            #expect(text.contains("walk ring \(expected.views[v].walksInRing) / 300"), "\(text)")
        }
        #expect(text.contains("events applied \(events.count)"))
        #expect(text.contains("no checkpoint yet"))
        let someTP = try #require(perPartition.keys.sorted().first)
        #expect(text.contains("  \(someTP.topic):\(someTP.partition) \(perPartition[someTP]!)"))
    }

    @Test("item attributes come back by name, as the graph builder recorded them")
    func attributesOfItems() throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("state")
        let (store, processor) = try openProcessor(path, config: try syntheticPipeline())
        defer { store.close() }
        try feed(distinctTimeEvents(count: 800, seed: 2), to: processor)
        try processor.closeAllSessions()
        let graphs = try processor.graphs
        let items = Array(graphs.views[0].vocabulary.names.prefix(5)) + ["no-such-item"]
        let inspector = try StateInspector(store: store)
        let found = try inspector.attributes(ofItems: items)
        #expect(found["no-such-item"] == nil)
        for item in items.dropLast() {
            let id = try #require(graphs.views[0].vocabulary.id(of: item))
            let expected = (1..<graphs.views.count).compactMap { v in
                graphs.attribute(ofItem: id, view: v).map { "\(graphs.views[v].name)=\(graphs.views[v].vocabulary.name(of: $0))" }
            }
            #expect(found[item]?.map { "\($0.view)=\($0.value)" } == expected, "\(item)")
        }
    }

    @Test("a directory without a state says so and what to do")
    func missingState() throws {
        let dir = try TemporaryDirectory()
        #expect(throws: StateInspectionError.noState(path: dir.path)) { try StateInspector.openReadOnly(path: dir.path) }
        let error = StateInspectionError.noState(path: "x")
        #expect(error.description.contains("m2grl serve"))
    }

    @Test("the report shows the checkpoint, task weights exp(-s), lag, and round-trips as JSON")
    func reportWithCheckpoint() throws {
        var partition = StateStatus.Partition(topic: "events", partition: 3, nextOffset: 90, eventTimeMs: 0)
        partition.setHighWatermark(100)
        #expect(partition.lag == 10)
        let status = StateStatus(views: [StateStatus.View(name: "item")], partitions: [partition], usersWithOpenState: 2,
                                 counters: ["events.applied": 90, "events.dead_lettered": 4])
        let checkpoint = CheckpointInfo(publishedVersion: 7, createdAt: "2026-01-01T00:00:00Z", inputOffsets: ["events:3": 80],
                                        eventTimeWatermarkMs: 0, taskLogVariances: ["intra:item": 0, "align:item->category": log(2)],
                                        rounds: 12, tokensTrained: 3_400)
        let report = StatusReport(stateDirectory: "s", state: status, checkpoint: checkpoint)
        #expect(report.taskWeights.map(\.task) == ["align:item->category", "intra:item"])
        #expect(abs(report.taskWeights[0].weight - 0.5) < 1e-12 && report.taskWeights[1].weight == 1)
        let text = report.text()
        #expect(text.contains("last published version 7"))
        #expect(text.contains("align:item->category=0.5000 intra:item=1.0000"))
        #expect(text.contains("events:3 90, end 100, lag 10"))
        #expect(text.contains("dead letters 4"))
        #expect(text.contains("walk ring 0 walks (capacity: see serve --walk-ring)"))
        let decoded = try JSONDecoder().decode(StatusReport.self, from: Data(try report.json().utf8))
        #expect(decoded == report)
        #expect(try report.json().contains("\"lag\" : 10"))
    }
}
