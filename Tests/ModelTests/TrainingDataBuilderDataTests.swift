import Foundation
import Testing

@testable import Model
import ModelFiles

@Suite struct TrainingDataBuilderDataTests {
    func config() throws -> PipelineConfig {
        try PipelineConfig.parse(
            yaml: dataTestPipelineYAML + """

                views:
                  - name: category
                    field: category
                  - name: shop
                    field: shop
                walks:
                  length: 6
                  per_node: 3
                  seed: 2
                alignments:
                  - to: shop
                  - to: category
                """)
    }

    @Test func buildsViewsItemFirstWithWalksAndAlignments() throws {
        var p = SyntheticEventGenerator.Parameters()
        p.users = 50
        p.items = 300
        p.events = 4_000
        let events = Array(SyntheticEventGenerator(parameters: p))
        let data = TrainingDataBuilder(config: try config()).build(events: events)
        #expect(data.views.map(\.name) == ["item", "category", "shop"])
        for view in data.views {
            #expect(view.corpus.nodeCount == view.nodeNames.count)
            #expect(view.corpus.walkCount > 0)
            #expect(view.corpus.tokens.allSatisfy { Int($0) < view.nodeNames.count })
            #expect((0..<view.corpus.walkCount).allSatisfy { (2...6).contains(view.corpus.walk($0).count) })
        }
        #expect(data.alignments.map(\.targetView) == ["shop", "category"])
        let items = data.views[0].nodeNames
        let categories = data.views[1].nodeNames
        let categoryOf = Dictionary(events.map { ($0.item, $0.attribute("category") ?? "") }, uniquingKeysWith: { a, _ in a })
        let pairs = data.alignments[1]
        #expect(pairs.count == items.count)  // every synthetic item has a category
        for (s, t) in zip(pairs.source, pairs.target) { #expect(categoryOf[items[Int(s)]] == categories[Int(t)]) }
        #expect(TrainingDataBuilder(config: try config()).build(events: events) == data)  // deterministic
    }

    @Test func buildingFromAFileMatchesBuildingFromEvents() throws {
        var p = SyntheticEventGenerator.Parameters()
        p.users = 30
        p.items = 200
        p.events = 2_000
        p.concurrentSessions = 10
        let generator = SyntheticEventGenerator(parameters: p)
        let events = Array(generator)
        let lines = events.map { SyntheticEventGenerator.jsonLine($0) }
        var shuffled = lines
        var rng = Xoshiro256StarStar(seed: 1)
        rng.shuffle(&shuffled)
        let sortedFile = try writeDataTestFile(lines.joined(), suffix: ".jsonl")
        let shuffledFile = try writeDataTestFile(shuffled.joined(), suffix: ".jsonl")
        for maxEvents in [nil, 60] {
            var config = try config()
            config.sessions.maxEventsPerUser = maxEvents
            let builder = TrainingDataBuilder(config: config)
            let fromEvents = builder.build(events: events)
            let (fromSorted, report) = try builder.build(eventFile: sortedFile)
            let (fromShuffled, _) = try builder.build(eventFile: shuffledFile)
            #expect(report.eventsAccepted == events.count)
            #expect(fromSorted == fromEvents)
            #expect(fromShuffled == fromEvents)
            if maxEvents != nil {
                #expect(builder.buildGraphs(events: events).sessions.overActiveUsers > 0)
            }
        }
    }

    @Test func loadsAWalksCorpusAsOneItemView() throws {
        let path = try writeDataTestFile("a b c\n\nb  c\td\n", suffix: ".txt")
        let data = try WalkCorpusLoader.load(path: path)
        #expect(data.views.count == 1 && data.alignments.isEmpty)
        #expect(data.views[0].name == "item")
        #expect(data.views[0].nodeNames == ["a", "b", "c", "d"])
        #expect(data.views[0].corpus == WalkCorpus(tokens: [0, 1, 2, 1, 2, 3], walkEnds: [3, 6], nodeCount: 4))
        let empty = try writeDataTestFile("\n \n")
        #expect(throws: WalkCorpusLoader.LoadError.empty(path: empty)) { try WalkCorpusLoader.load(path: empty) }
    }
}
