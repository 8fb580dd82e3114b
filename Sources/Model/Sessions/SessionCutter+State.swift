extension SessionCutter {
    /// The cutting state of `user`, or nil when the user has none.
    public func state(ofUser user: String) -> UserState? { users[user] }

    /// Every user with state (for persisting or inspecting), in no particular order.
    public var userNames: Dictionary<String, UserState>.Keys { users.keys }

    /// Replaces the state of `user` (restoring from a store); `nil` removes it.
    public mutating func restore(user: String, state: UserState?) {
        users[user] = state
        if let state, !state.open.isEmpty { openUsers.insert(user) } else { openUsers.remove(user) }
    }

    /// Replaces the counters (restoring from a store).
    public mutating func restore(statistics: Statistics) {
        self.statistics = statistics
    }

    /// Latest event time over all users (the stream's event-time clock), or nil.
    public var latestEventTime: Int64? {
        users.values.lazy.map(\.lastTimestamp).filter { $0 != .min }.max()
    }
}

extension SessionCutter {
    /// Like ``closeSessions(idleAt:)``, but also names every user whose open session was
    /// closed, including sessions dropped as too short (their state changed too).
    public mutating func closeIdleSessions(at nowMillis: Int64) -> (sessions: [Session], users: [String]) {
        let gap = config.gapMilliseconds
        var closing: [String] = []
        for user in openUsers {
            if let last = users[user]?.open.last?.timestampMillis, nowMillis - last > gap { closing.append(user) }
        }
        guard !closing.isEmpty else { return ([], []) }
        let sessions = closeOpen { nowMillis - $0 > gap }
        return (sessions, closing)
    }

    /// Forgets users that have no open session and carry nothing a later event needs
    /// (no over-active mark, no event limit configured). Returns them. Keeps memory bounded
    /// by open sessions; a late event of a forgotten user starts a new session instead of
    /// being counted late.
    public mutating func evictIdleUsers(_ candidates: [String]) -> [String] {
        guard config.maxEventsPerUser == nil else { return [] }
        var evicted: [String] = []
        for user in candidates {
            if let s = users[user], s.open.isEmpty, !s.isOverActive {
                users[user] = nil
                evicted.append(user)
            }
        }
        return evicted
    }
}
