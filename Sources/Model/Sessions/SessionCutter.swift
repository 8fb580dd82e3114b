/// Cuts each user's events into sessions, incrementally.
///
/// Feed events one at a time (or in batches) with ``add(_:)``; keep per-user open sessions;
/// get closed sessions back as a later event of the same user arrives after a gap longer than
/// `gapSeconds`, when ``closeSessions(idleAt:)`` finds them idle, or at ``finish()``.
/// The batch path ``cut(_:config:)`` is built on the same code.
///
/// Rules (also in docs/configuration.md):
/// - A gap strictly greater than `gap_seconds` between consecutive events of a user starts
///   a new session.
/// - Out-of-order events: an event older than the user's latest event is inserted at its
///   time position into the user's open session if it is not older than
///   (open session start - gap); otherwise it belongs to a session already closed and is
///   dropped (counted in ``Statistics/lateEvents``). The batch path sorts by time first and
///   never sees late events.
/// - Dwell (`min_dwell_seconds`): an event's dwell is the time to the next event of the same
///   session; events with a smaller dwell are dropped when the session closes. The last event
///   of a session has no measurable dwell and is kept.
/// - `min_length`: a closed session is emitted only if its collapsed item sequence (after the
///   dwell filter) has at least this many items.
/// - `max_events_per_user`: once a user has sent more events than this, the user is treated
///   as a bot: the open session is discarded and later events are ignored. Incrementally this
///   only sees the events so far; the batch path counts each user's events first, so a bot's
///   sessions are all dropped.
public struct SessionCutter: Sendable {
    /// Counters since creation.
    public struct Statistics: Sendable, Equatable {
        public var eventsSeen = 0
        public var lateEvents = 0
        public var overActiveUsers = 0
        public var overActiveEvents = 0
        public var shortDwellEvents = 0
        public var sessionsEmitted = 0
        public var sessionsTooShort = 0
        public init() {}
    }

    /// One user's cutting state: what a streaming ingester persists per user so a restart
    /// continues exactly where it stopped.
    public struct UserState: Sendable, Equatable {
        public var eventCount = 0
        public var lastTimestamp = Int64.min
        public var open: [Event] = []
        public var isOverActive = false

        public init(eventCount: Int = 0, lastTimestamp: Int64 = .min, open: [Event] = [], isOverActive: Bool = false) {
            self.eventCount = eventCount
            self.lastTimestamp = lastTimestamp
            self.open = open
            self.isOverActive = isOverActive
        }
    }

    public let config: PipelineConfig.Sessions
    public internal(set) var statistics = Statistics()
    var users: [String: UserState] = [:]
    /// Users whose open session is not empty (so closing idle sessions scans only these).
    var openUsers: Set<String> = []
    private let gap: Int64

    public init(config: PipelineConfig.Sessions) {
        self.config = config
        self.gap = config.gapMilliseconds
    }

    /// Number of users with an open session.
    public var openSessionCount: Int { openUsers.count }

    /// Treats these users as over-active from now on (the batch path uses it to drop bots
    /// found by counting beforehand).
    public mutating func markOverActive<S: Sequence>(_ userNames: S) where S.Element == String {
        for user in userNames {
            var state = users[user] ?? UserState()
            if !state.isOverActive {
                state.isOverActive = true
                state.open = []
                statistics.overActiveUsers += 1
            }
            users[user] = state
            openUsers.remove(user)
        }
    }

    /// Adds one event; returns the session it closed, if any (the user's previous one).
    public mutating func add(_ event: Event) -> Session? {
        statistics.eventsSeen += 1
        var state = users.removeValue(forKey: event.user) ?? UserState()
        let wasOpen = !state.open.isEmpty
        defer {
            users[event.user] = state
            if wasOpen && state.open.isEmpty { openUsers.remove(event.user) }
            if !wasOpen && !state.open.isEmpty { openUsers.insert(event.user) }
        }
        if state.isOverActive {
            statistics.overActiveEvents += 1
            return nil
        }
        state.eventCount += 1
        if let limit = config.maxEventsPerUser, state.eventCount > limit {
            state.isOverActive = true
            statistics.overActiveUsers += 1
            statistics.overActiveEvents += state.open.count + 1
            state.open = []
            return nil
        }
        let t = event.timestampMillis
        if t >= state.lastTimestamp {
            state.lastTimestamp = t
            if let last = state.open.last, t - last.timestampMillis > gap {
                let closed = state.open
                state.open = [event]
                return close(user: event.user, closed)
            }
            state.open.append(event)
            return nil
        }
        // Out of order for this user.
        guard let first = state.open.first, t >= first.timestampMillis - gap else {
            statistics.lateEvents += 1
            return nil
        }
        let position = state.open.lastIndex { $0.timestampMillis <= t }.map { $0 + 1 } ?? 0
        state.open.insert(event, at: position)
        return nil
    }

    /// Adds events in order, appending the sessions they close to `closed`.
    public mutating func add<S: Sequence>(_ events: S, closed: inout [Session]) where S.Element == Event {
        for event in events {
            if let session = add(event) { closed.append(session) }
        }
    }

    /// Closes the open sessions whose last event is more than the gap before `nowMillis`
    /// (the streaming ingester calls this with the stream's clock). Ordered by last event
    /// time, then user.
    public mutating func closeSessions(idleAt nowMillis: Int64) -> [Session] {
        let gap = self.gap
        return closeOpen { nowMillis - $0 > gap }
    }

    /// Closes every open session (end of input). Ordered by last event time, then user.
    public mutating func finish() -> [Session] {
        closeOpen { _ in true }
    }

    mutating func closeOpen(where shouldClose: (Int64) -> Bool) -> [Session] {
        var closing: [(user: String, last: Int64)] = []
        for user in openUsers {
            if let last = users[user]?.open.last?.timestampMillis, shouldClose(last) { closing.append((user, last)) }
        }
        closing.sort { ($0.last, $0.user) < ($1.last, $1.user) }
        var sessions: [Session] = []
        for (user, _) in closing {
            guard var state = users[user] else { continue }
            let events = state.open
            state.open = []
            users[user] = state
            openUsers.remove(user)
            if let session = close(user: user, events) { sessions.append(session) }
        }
        return sessions
    }

    private mutating func close(user: String, _ events: [Event]) -> Session? {
        var kept = events
        if let threshold = config.minDwellMilliseconds, events.count > 1 {
            kept = []
            kept.reserveCapacity(events.count)
            for (i, event) in events.enumerated() {
                let isLast = i == events.count - 1
                if isLast || events[i + 1].timestampMillis - event.timestampMillis >= threshold {
                    kept.append(event)
                } else {
                    statistics.shortDwellEvents += 1
                }
            }
        }
        let session = Session(user: user, events: kept)
        if session.collapsedItems.count < config.minLength {
            statistics.sessionsTooShort += 1
            return nil
        }
        statistics.sessionsEmitted += 1
        return session
    }
}

extension SessionCutter {
    /// Batch path: stable-sorts events by time, drops over-active users (counted over all
    /// events), feeds the incremental cutter and flushes it. Sessions come in closing order.
    public static func cut(_ events: [Event], config: PipelineConfig.Sessions) -> (
        sessions: [Session], statistics: Statistics
    ) {
        var cutter = SessionCutter(config: config)
        if let limit = config.maxEventsPerUser {
            var counts: [String: Int] = [:]
            for event in events { counts[event.user, default: 0] += 1 }
            cutter.markOverActive(counts.filter { $0.value > limit }.keys.sorted())
        }
        var sessions: [Session] = []
        cutter.add(sortedByTime(events), closed: &sessions)
        sessions.append(contentsOf: cutter.finish())
        return (sessions, cutter.statistics)
    }

    /// Events stable-sorted by timestamp (ties keep input order).
    public static func sortedByTime(_ events: [Event]) -> [Event] {
        if zip(events, events.dropFirst()).allSatisfy({ $0.timestampMillis <= $1.timestampMillis }) { return events }
        return events.enumerated().sorted {
            ($0.element.timestampMillis, $0.offset) < ($1.element.timestampMillis, $1.offset)
        }.map(\.element)
    }
}
