import Foundation
import Testing

@testable import Model
import ModelFiles

@Suite struct SyntheticEventsDataTests {
    func parameters(seed: UInt64) -> SyntheticEventGenerator.Parameters {
        var p = SyntheticEventGenerator.Parameters()
        p.users = 100
        p.items = 500
        p.categories = 10
        p.shops = 30
        p.events = 5_000
        p.seed = seed
        return p
    }

    @Test func deterministicBySeed() {
        let a = Array(SyntheticEventGenerator(parameters: parameters(seed: 1)))
        let b = Array(SyntheticEventGenerator(parameters: parameters(seed: 1)))
        let c = Array(SyntheticEventGenerator(parameters: parameters(seed: 2)))
        #expect(a.count == 5_000)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func itemsHaveOneCategoryAndShopsSellOneCategory() {
        let events = Array(SyntheticEventGenerator(parameters: parameters(seed: 3)))
        var itemCategory: [String: String] = [:]
        var shopCategory: [String: String] = [:]
        for e in events {
            let category = e.attribute("category") ?? "?"
            #expect(itemCategory.updateValue(category, forKey: e.item) ?? category == category)
            #expect(shopCategory.updateValue(category, forKey: e.attribute("shop") ?? "?") ?? category == category)
        }
    }

    @Test func eventsAreTimeOrderedAndUserSessionsSeparatedByMoreThanTheGap() {
        let p = parameters(seed: 4)
        let events = Array(SyntheticEventGenerator(parameters: p))
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.timestampMillis <= $1.timestampMillis })
        #expect(Set(events.prefix(50).map(\.user)).count > 5)  // sessions of several users interleave
        var last: [String: Int64] = [:]
        for e in events {
            if let previous = last[e.user] {
                let gap = (e.timestampMillis - previous) / 1000
                #expect(gap < 305 || gap > p.sessionGapSeconds)
            }
            last[e.user] = e.timestampMillis
        }
        let (sessions, _) = SessionCutter.cut(events, config: PipelineConfig.Sessions(gapSeconds: Double(p.sessionGapSeconds), minLength: 1))
        // Within a generated session consecutive events are < 305 s apart, so the cutter
        // recovers roughly one session per 2..12 events (mean 7).
        let meanLength = Double(events.count) / Double(sessions.count)
        #expect(meanLength > 5 && meanLength < 9)
    }

    @Test func sameCategoryCoOccursInSessionsMoreThanChance() {
        let events = Array(SyntheticEventGenerator(parameters: parameters(seed: 5)))
        let (sessions, _) = SessionCutter.cut(events, config: PipelineConfig.Sessions(gapSeconds: 1800))
        var same = 0
        var pairs = 0
        var categoryCounts: [String: Int] = [:]
        for e in events { categoryCounts[e.attribute("category") ?? "", default: 0] += 1 }
        for session in sessions {
            for (a, b) in zip(session.events, session.events.dropFirst()) {
                pairs += 1
                if a.attribute("category") == b.attribute("category") { same += 1 }
            }
        }
        let chance = categoryCounts.values.reduce(0.0) { $0 + pow(Double($1) / Double(events.count), 2) }
        #expect(Double(same) / Double(pairs) > 3 * chance)
    }

    @Test func popularityIsSkewed() {
        let events = Array(SyntheticEventGenerator(parameters: parameters(seed: 6)))
        var counts: [String: Int] = [:]
        for e in events { counts[e.item, default: 0] += 1 }
        let sorted = counts.values.sorted(by: >)
        let top = sorted.prefix(sorted.count / 10).reduce(0, +)
        #expect(Double(top) / Double(events.count) > 0.3)  // top 10% of items well above 10% of events
    }

    @Test func writesJSONLThatTheLoaderReadsBack() throws {
        let path = NSTemporaryDirectory() + "m2grl-synthetic-\(UUID().uuidString).jsonl"
        var p = parameters(seed: 7)
        p.events = 300
        let generator = SyntheticEventGenerator(parameters: p)
        #expect(try generator.writeJSONL(to: path) == 300)
        let config = try PipelineConfig.load(path: "pipelines/synthetic.yaml")
        let (loaded, report) = try EventFileLoader(config: config).load(path: path)
        #expect(report.malformedCount == 0)
        #expect(loaded == Array(generator))
    }
}
