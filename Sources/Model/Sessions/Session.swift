/// One closed session: a user's events in time order, after the dwell filter.
public struct Session: Sendable, Equatable {
    public var user: String
    /// Events in non-decreasing time order (ties keep arrival order).
    public var events: [Event]

    public init(user: String, events: [Event]) {
        self.user = user
        self.events = events
    }

    public var startMillis: Int64 { events.first?.timestampMillis ?? 0 }
    public var endMillis: Int64 { events.last?.timestampMillis ?? 0 }

    /// The session's items with consecutive repeats collapsed (`a a b a` -> `a b a`).
    public var collapsedItems: [String] { collapseRepeats(events.map(\.item)) }
}

/// Removes consecutive repeats: `[a, a, b, b, a]` -> `[a, b, a]`.
public func collapseRepeats<T: Equatable>(_ sequence: [T]) -> [T] {
    var out: [T] = []
    out.reserveCapacity(sequence.count)
    for element in sequence where out.last != element { out.append(element) }
    return out
}
