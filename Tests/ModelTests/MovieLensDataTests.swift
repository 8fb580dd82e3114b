import Foundation
import Testing

@testable import Model
import ModelFiles

/// Runs only when `M2GRL_MOVIELENS_JSONL` names the file written by `ops/fetch-movielens`:
/// `M2GRL_MOVIELENS_JSONL=$(ops/fetch-movielens) swift test --filter MovieLensDataTests`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["M2GRL_MOVIELENS_JSONL"] != nil))
struct MovieLensDataTests {
    @Test func buildsTrainingDataFromTheConvertedFile() throws {
        let path = ProcessInfo.processInfo.environment["M2GRL_MOVIELENS_JSONL"] ?? ""
        let config = try PipelineConfig.load(path: "pipelines/movielens-100k.yaml")
        let (events, report) = try EventFileLoader(config: config).load(path: path)
        #expect(report.eventsAccepted == 100_000 && report.malformedCount == 0)
        #expect(Set(events.map(\.user)).count == 943)
        let data = TrainingDataBuilder(config: config).build(events: events)
        #expect(data.views.map(\.name) == ["item", "genre", "decade", "director"])
        let items = data.views[0].nodeNames.count
        let withDirector = Set(events.filter { $0.attributes["director"] != nil }.map(\.item))
        let director = try #require(data.alignments.first { $0.targetView == "director" })
        #expect(director.count < items)  // some movies have no director in the knowledge graph
        #expect(director.source.allSatisfy { withDirector.contains(data.views[0].nodeNames[Int($0)]) })
        // Every genre of a movie is a pair (ops/fetch-movielens writes them all): more pairs than movies.
        let genre = try #require(data.alignments.first { $0.targetView == "genre" })
        #expect(genre.count > Set(genre.source).count)
        let split = TemporalSplit(events: events, cut: .fraction(0.8), sessions: config.sessions)
        #expect(split.trainingEvents.count >= 79_000 && !split.testTransitions.isEmpty)
    }
}
