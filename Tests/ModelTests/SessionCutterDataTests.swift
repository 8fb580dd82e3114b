import Testing

@testable import Model

@Suite struct SessionCutterDataTests {
    @Test func splitsWhereTheGapExceedsTheThreshold() {
        let events = [
            dataEvent("u", "a", 0), dataEvent("u", "b", 100), dataEvent("u", "c", 200),  // gap 100 ≤ 100: same session
            dataEvent("u", "d", 301), dataEvent("u", "e", 350),  // gap 101 > 100: new session
            dataEvent("v", "a", 10), dataEvent("v", "b", 500),  // v: gap 490 splits into singletons
        ]
        let config = PipelineConfig.Sessions(gapSeconds: 100, minLength: 1)
        let (sessions, stats) = SessionCutter.cut(events, config: config)
        let byUser = Dictionary(grouping: sessions, by: \.user).mapValues { $0.map(\.collapsedItems) }
        #expect(byUser["u"] == [["a", "b", "c"], ["d", "e"]])
        #expect(byUser["v"] == [["a"], ["b"]])
        #expect(stats.sessionsEmitted == 4)
    }

    @Test func minLengthCountsCollapsedItems() {
        let events = [dataEvent("u", "a", 0), dataEvent("u", "a", 1), dataEvent("u", "a", 2), dataEvent("w", "a", 0), dataEvent("w", "b", 1)]
        let (sessions, stats) = SessionCutter.cut(events, config: PipelineConfig.Sessions(gapSeconds: 60, minLength: 2))
        #expect(sessions.map(\.user) == ["w"])
        #expect(stats.sessionsTooShort == 1)
    }

    @Test func consecutiveRepeatsAreCollapsed() {
        #expect(collapseRepeats(["a", "a", "b", "b", "b", "a", "c", "c"]) == ["a", "b", "a", "c"])
        #expect(collapseRepeats([Int]()) == [])
    }

    @Test func incrementalCutterClosesOnGapIdleAndFinish() {
        var cutter = SessionCutter(config: PipelineConfig.Sessions(gapSeconds: 60, minLength: 2))
        #expect(cutter.add(dataEvent("u", "a", 0)) == nil)
        #expect(cutter.add(dataEvent("u", "b", 30)) == nil)
        #expect(cutter.add(dataEvent("v", "x", 40)) == nil)
        #expect(cutter.add(dataEvent("v", "y", 50)) == nil)
        let closed = cutter.add(dataEvent("u", "c", 200))  // gap 170 > 60 closes u's first session
        #expect(closed?.collapsedItems == ["a", "b"])
        #expect(cutter.closeSessions(idleAt: 100).isEmpty)  // v idle 50 s ≤ 60
        #expect(cutter.closeSessions(idleAt: 111_000).map(\.collapsedItems) == [["x", "y"]])
        #expect(cutter.openSessionCount == 1)
        #expect(cutter.add(dataEvent("u", "d", 210)) == nil)
        #expect(cutter.finish().map(\.collapsedItems) == [["c", "d"]])
        #expect(cutter.openSessionCount == 0)
    }

    @Test func outOfOrderEventsAreInsertedOrDroppedAsLate() {
        var cutter = SessionCutter(config: PipelineConfig.Sessions(gapSeconds: 60, minLength: 1))
        _ = cutter.add(dataEvent("u", "b", 200))
        _ = cutter.add(dataEvent("u", "c", 220))
        _ = cutter.add(dataEvent("u", "a", 150))  // ≥ start - gap (140): inserted first
        _ = cutter.add(dataEvent("u", "z", 50))  // < new start - gap (90): belongs to a closed session, dropped
        #expect(cutter.statistics.lateEvents == 1)
        #expect(cutter.finish().map(\.collapsedItems) == [["a", "b", "c"]])
    }

    @Test func dwellFilterDropsShortDwellButKeepsTheLastEvent() {
        let events = [dataEvent("u", "a", 0), dataEvent("u", "b", 10), dataEvent("u", "c", 11), dataEvent("u", "d", 30)]
        let config = PipelineConfig.Sessions(gapSeconds: 60, minLength: 1, minDwellSeconds: 5)
        let (sessions, stats) = SessionCutter.cut(events, config: config)
        // dwell(a) = 10, dwell(b) = 1 < 5 (dropped), dwell(c) = 19, d is last (kept).
        #expect(sessions.map(\.collapsedItems) == [["a", "c", "d"]])
        #expect(stats.shortDwellEvents == 1)
    }

    @Test func overActiveUsersAreDropped() {
        var events = (0..<10).map { dataEvent("bot", "i\($0)", Int64($0)) }
        events += [dataEvent("human", "a", 0), dataEvent("human", "b", 1)]
        let config = PipelineConfig.Sessions(gapSeconds: 60, minLength: 2, maxEventsPerUser: 5)
        let (sessions, stats) = SessionCutter.cut(events, config: config)
        #expect(sessions.map(\.user) == ["human"])
        #expect(stats.overActiveUsers == 1 && stats.overActiveEvents == 10)

        var incremental = SessionCutter(config: config)
        for e in events { _ = incremental.add(e) }
        #expect(incremental.finish().map(\.user) == ["human"])
        #expect(incremental.statistics.overActiveUsers == 1)
    }

    @Test func batchCutSortsByTime() {
        let events = [dataEvent("u", "c", 20), dataEvent("u", "a", 0), dataEvent("u", "b", 10)]
        let (sessions, stats) = SessionCutter.cut(events, config: PipelineConfig.Sessions(gapSeconds: 60))
        #expect(sessions.map(\.collapsedItems) == [["a", "b", "c"]])
        #expect(stats.lateEvents == 0)
    }
}
