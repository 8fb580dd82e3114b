/// The evaluation split (method.md, "Evaluation protocol"): train on events before a time T,
/// test on transitions `a -> b` between consecutive distinct items of sessions after T where
/// both items were seen before T.
public struct TemporalSplit: Sendable {
    /// Where to cut.
    public enum Cut: Sendable, Equatable {
        /// T in milliseconds since the epoch.
        case time(Int64)
        /// T = the timestamp at this quantile of all events (0 < fraction < 1).
        case fraction(Double)
    }

    /// One test transition, as item names.
    public struct Transition: Sendable, Equatable, Hashable {
        public var from: String
        public var to: String
        public init(from: String, to: String) {
            self.from = from
            self.to = to
        }
    }

    /// T in milliseconds; training events are those with `timestampMillis < cutMillis`.
    public var cutMillis: Int64
    /// Events before T, in input order.
    public var trainingEvents: [Event]
    /// Test transitions, session by session in the order the cutter closes sessions
    /// (duplicates kept: each observation counts).
    public var testTransitions: [Transition]
    /// Events at or after T.
    public var testEventCount: Int
    /// Transitions after T dropped because an item was not seen before T.
    public var unseenTransitions: Int

    /// Splits `events`. Test sessions are cut with the same gap (`sessions.gapSeconds`); the
    /// other session filters are not applied to the test side.
    public init(events: [Event], cut: Cut, sessions: PipelineConfig.Sessions) {
        let t: Int64
        switch cut {
        case .time(let millis): t = millis
        case .fraction(let fraction):
            let times = events.map(\.timestampMillis).sorted()
            let index = min(max(Int((Double(times.count) * fraction).rounded(.down)), 0), max(times.count - 1, 0))
            t = times.isEmpty ? 0 : times[index]
        }
        cutMillis = t
        trainingEvents = events.filter { $0.timestampMillis < t }
        let seen = Set(trainingEvents.map(\.item))
        let testEvents = events.filter { $0.timestampMillis >= t }
        testEventCount = testEvents.count
        var testConfig = PipelineConfig.Sessions(gapSeconds: sessions.gapSeconds, minLength: 2)
        testConfig.minDwellSeconds = nil
        let (testSessions, _) = SessionCutter.cut(testEvents, config: testConfig)
        var transitions: [Transition] = []
        var unseen = 0
        for session in testSessions {
            let items = session.collapsedItems
            for (a, b) in zip(items, items.dropFirst()) {
                if seen.contains(a) && seen.contains(b) {
                    transitions.append(Transition(from: a, to: b))
                } else {
                    unseen += 1
                }
            }
        }
        testTransitions = transitions
        unseenTransitions = unseen
    }
}
