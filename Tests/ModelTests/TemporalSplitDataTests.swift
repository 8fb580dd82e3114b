import Testing

@testable import Model

@Suite struct TemporalSplitDataTests {
    let events = [
        dataEvent("u", "a", 0), dataEvent("u", "b", 10), dataEvent("u", "c", 20),  // before T = 100
        dataEvent("v", "d", 50),
        dataEvent("u", "a", 100), dataEvent("u", "a", 105), dataEvent("u", "b", 110), dataEvent("u", "x", 120), dataEvent("u", "c", 130),
        dataEvent("w", "c", 150), dataEvent("w", "d", 160),
        dataEvent("w", "a", 10_000),  // new session for w (gap > 1800 s)
    ]

    @Test func splitsByTimeIntoTrainingEventsAndSeenTestTransitions() {
        let split = TemporalSplit(events: events, cut: .time(100_000), sessions: PipelineConfig.Sessions())
        #expect(split.cutMillis == 100_000)
        #expect(split.trainingEvents == Array(events.prefix(4)))
        #expect(split.testEventCount == 8)
        // u: a a b x c -> a>b (seen), b>x, x>c (x unseen); w: c>d; w's later single event has no transition.
        #expect(split.testTransitions.count == 2)
        #expect(Set(split.testTransitions) == [.init(from: "a", to: "b"), .init(from: "c", to: "d")])
        #expect(split.unseenTransitions == 2)
    }

    @Test func splitsByFractionAtTheEventQuantile() {
        let split = TemporalSplit(events: events, cut: .fraction(0.5), sessions: PipelineConfig.Sessions())
        // Sorted times: 0 10 20 50 100 105 110 120 130 150 160 10000; index 6 -> 110 s.
        #expect(split.cutMillis == 110_000)
        #expect(split.trainingEvents.count == 6)
        #expect(split.trainingEvents.allSatisfy { $0.timestampMillis < 110_000 })
        #expect(split.testTransitions == [.init(from: "c", to: "d")])
    }
}
