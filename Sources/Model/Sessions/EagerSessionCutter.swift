import HeapModule

/// Cuts the users of one partition into sessions as events stream in, and releases each
/// session's events to the graphs as soon as they are final, long before the session ends.
///
/// Lateness and finality (docs/ingestion.md, "When an edge enters a graph"): the partition's
/// watermark is its event clock (``PartitionClock``) minus `sessions.allowed_lateness_seconds`.
/// An event at or before the watermark is *final*: its place in its user's sequence, the
/// session boundary before it (a gap > `gap_seconds`), and its predecessor's dwell are
/// decided, because an event arriving later than the lateness may not change them. A final
/// event is kept or dropped by the dwell filter once its own dwell is decided (the next final
/// event, or the watermark passing its time plus `min_dwell_seconds`); kept events extend the
/// session's view sequences at once (``GraphBuilder/extend(session:cursor:)``), except that a
/// session shorter than `min_length` collapsed items is held back until it reaches that
/// length (then released together) or ends (then dropped). A session ends when the watermark
/// is more than the gap past its last event.
///
/// An arriving event older than its user's *frontier* (the earliest time that changes
/// nothing final: the last final event's time, or later after a dwell decided without a next
/// event or a session ended by the watermark) is late: dropped and counted. For events in
/// order, or out of order within the allowed lateness, nothing is late and the released
/// transitions are exactly those of the batch path (``SessionCutter/cut(_:config:)`` then
/// ``GraphBuilder/apply(_:)``); tests check it on random streams.
///
/// Bots (`max_events_per_user`): once a user exceeds the limit, its pending and held events
/// are dropped and later events ignored; transitions released before are kept (the batch
/// path, which counts each user's events first, never releases any of a bot's).
public struct EagerSessionCutter: Sendable {
    public typealias Statistics = SessionCutter.Statistics
    /// Receives the kept events of one session, in order, to add to the graphs from the
    /// session's cursor (which it moves to the new end).
    public typealias Release = (_ events: [Event], _ cursor: inout SessionCursor) -> Void

    /// What happened to an added event.
    public enum Admission: Sendable, Equatable {
        case accepted
        /// Older than the user's frontier: dropped (``Statistics/lateEvents``).
        case late
        /// The user is treated as a bot (``Statistics/overActiveEvents``).
        case overActive
    }

    /// One user's state: what a streaming ingester persists per user.
    public struct UserState: Sendable, Equatable {
        public var eventCount = 0
        public var lastTimestamp = Int64.min
        public var isOverActive = false
        /// The earliest time an arriving event may have; an older one is late.
        public var frontier = Int64.min
        /// Events not final yet, in time order (ties in arrival order).
        public var pending: [Event] = []
        /// The session the user's final events belong to, while it lasts.
        public var session: OpenSession?

        public init(eventCount: Int = 0, lastTimestamp: Int64 = .min, isOverActive: Bool = false,
                    frontier: Int64 = .min, pending: [Event] = [], session: OpenSession? = nil) {
            self.eventCount = eventCount
            self.lastTimestamp = lastTimestamp
            self.isOverActive = isOverActive
            self.frontier = frontier
            self.pending = pending
            self.session = session
        }
    }

    /// The final part of a session that has not ended.
    public struct OpenSession: Sendable, Equatable {
        public var startMillis: Int64
        /// Time of its last final event (kept or not).
        public var lastMillis: Int64
        /// Its last final event while the dwell filter waits for the next one (`min_dwell_seconds` only).
        public var undecided: Event?
        /// Items in the collapsed sequence of its kept events.
        public var length = 0
        public var lastKeptItem: String?
        /// Kept events held back while `length < min_length`.
        public var held: [Event] = []
        /// Where its released view sequences end.
        public var cursor = SessionCursor()

        public init(startMillis: Int64, lastMillis: Int64, undecided: Event? = nil, length: Int = 0,
                    lastKeptItem: String? = nil, held: [Event] = [], cursor: SessionCursor = SessionCursor()) {
            self.startMillis = startMillis
            self.lastMillis = lastMillis
            self.undecided = undecided
            self.length = length
            self.lastKeptItem = lastKeptItem
            self.held = held
            self.cursor = cursor
        }
    }

    /// A user due for settling at `millis` (ordered by time, then user: deterministic).
    private struct Due: Comparable, Sendable {
        var millis: Int64
        var user: String
        static func < (a: Due, b: Due) -> Bool { (a.millis, a.user) < (b.millis, b.user) }
    }

    public let config: PipelineConfig.Sessions
    public internal(set) var statistics = Statistics()
    private var users: [String: UserState] = [:]
    /// Users by the earliest watermark at which settling changes something; `scheduled`
    /// holds each user's live entry (others in the heap are stale and skipped).
    private var schedule = Heap<Due>()
    private var scheduled: [String: Int64] = [:]
    private let gap: Int64
    private let dwell: Int64?

    public init(config: PipelineConfig.Sessions) {
        self.config = config
        self.gap = config.gapMilliseconds
        self.dwell = config.minDwellMilliseconds
    }

    // MARK: State

    /// The state of `user`, or nil when the user has none.
    public func state(ofUser user: String) -> UserState? { users[user] }

    /// Every user with state, in no particular order.
    public var userNames: Dictionary<String, UserState>.Keys { users.keys }

    /// Users with a session under way or events not final yet.
    public var openSessionCount: Int { users.values.reduce(0) { $0 + ($1.session != nil || !$1.pending.isEmpty ? 1 : 0) } }

    /// Replaces the state of `user` (restoring from a store).
    public mutating func restore(user: String, state: UserState) {
        users[user] = state
        reschedule(user, state)
    }

    // MARK: Events

    /// Adds one event of this partition.
    @discardableResult
    public mutating func add(_ event: Event) -> Admission {
        statistics.eventsSeen += 1
        var state = users.removeValue(forKey: event.user) ?? UserState()
        defer { users[event.user] = state }
        if state.isOverActive {
            statistics.overActiveEvents += 1
            return .overActive
        }
        state.eventCount += 1
        if let limit = config.maxEventsPerUser, state.eventCount > limit {
            state.isOverActive = true
            statistics.overActiveUsers += 1
            let held = state.session.map { $0.held.count + ($0.undecided == nil ? 0 : 1) } ?? 0
            statistics.overActiveEvents += state.pending.count + held + 1
            state.pending = []
            state.session = nil
            return .overActive
        }
        let t = event.timestampMillis
        guard t >= state.frontier else {
            statistics.lateEvents += 1
            return .late
        }
        // The user's due time depends on its first pending event: reschedule only when that changed.
        let firstChanged: Bool
        if let last = state.pending.last, last.timestampMillis > t {
            let position = state.pending.lastIndex { $0.timestampMillis <= t }.map { $0 + 1 } ?? 0
            state.pending.insert(event, at: position)
            firstChanged = position == 0
        } else {
            firstChanged = state.pending.isEmpty
            state.pending.append(event)
        }
        state.lastTimestamp = max(state.lastTimestamp, t)
        if firstChanged { reschedule(event.user, state) }
        return .accepted
    }

    // MARK: Settling

    /// The watermark at partition clock `clock`: the clock minus the allowed lateness.
    public func watermark(atClock clock: Int64) -> Int64 { Self.plus(clock, -config.allowedLatenessMilliseconds) }

    /// Settles every user with something final at `watermark` (events at or before it, dwell
    /// decisions, sessions that ended), handing kept events to `release`. Returns the users
    /// whose state changed, in settling order (deterministic for the same events and
    /// watermarks). Users left with nothing to remember are forgotten (no state).
    public mutating func settle(watermark: Int64, release: Release) -> [String] {
        var changed: [String] = []
        while let top = schedule.min, top.millis <= watermark {
            schedule.removeMin()
            guard scheduled[top.user] == top.millis else { continue }
            scheduled[top.user] = nil
            guard var state = users[top.user] else { continue }
            settle(&state, at: watermark, endingAll: false, release: release)
            store(top.user, state)
            changed.append(top.user)
        }
        return changed
    }

    /// Ends every session (end of input): all pending events become final and every session
    /// ends, as at the end of the batch path. Returns the users whose state changed.
    public mutating func finish(release: Release) -> [String] {
        let names = users.keys.sorted()
        for user in names {
            guard var state = users[user] else { continue }
            settle(&state, at: .max, endingAll: true, release: release)
            scheduled[user] = nil
            store(user, state)
        }
        return names
    }

    private mutating func settle(_ state: inout UserState, at watermark: Int64, endingAll: Bool, release: Release) {
        var out: [Event] = []
        var k = 0
        while k < state.pending.count, endingAll || state.pending[k].timestampMillis <= watermark {
            settle(event: state.pending[k], state: &state, out: &out, release: release)
            k += 1
        }
        state.pending.removeFirst(k)
        guard var session = state.session else { return }
        state.session = nil
        if let u = session.undecided, let dwell, endingAll || watermark >= Self.plus(u.timestampMillis, dwell) {
            // Any next event comes after the watermark: the dwell is long enough.
            keep(u, in: &session, out: &out)
            session.undecided = nil
            state.frontier = max(state.frontier, Self.plus(u.timestampMillis, dwell))
        }
        if endingAll || watermark > Self.plus(session.lastMillis, gap) {
            end(session, out: &out, release: release)
            state.frontier = max(state.frontier, Self.plus(Self.plus(session.lastMillis, gap), 1))
        } else {
            flush(&session, &out, release)
            state.session = session
        }
    }

    /// One event becomes final: it ends the session before it if the gap is exceeded, and
    /// decides its predecessor's dwell.
    private mutating func settle(event: Event, state: inout UserState, out: inout [Event], release: Release) {
        let t = event.timestampMillis
        if let session = state.session, t > Self.plus(session.lastMillis, gap) {
            end(session, out: &out, release: release)
            state.session = nil
        }
        var session = state.session ?? OpenSession(startMillis: t, lastMillis: t)
        session.lastMillis = t
        if let dwell {
            if let u = session.undecided {
                if t >= Self.plus(u.timestampMillis, dwell) { keep(u, in: &session, out: &out) } else { statistics.shortDwellEvents += 1 }
            }
            session.undecided = event
        } else {
            keep(event, in: &session, out: &out)
        }
        state.session = session
        state.frontier = max(state.frontier, t)
    }

    /// A kept event: released, or held while the session is shorter than `min_length`.
    private func keep(_ event: Event, in session: inout OpenSession, out: inout [Event]) {
        if event.item != session.lastKeptItem {
            session.length += 1
            session.lastKeptItem = event.item
        }
        if session.length >= config.minLength {
            if !session.held.isEmpty {
                out += session.held
                session.held = []
            }
            out.append(event)
        } else {
            session.held.append(event)
        }
    }

    private func flush(_ session: inout OpenSession, _ out: inout [Event], _ release: Release) {
        guard !out.isEmpty else { return }
        release(out, &session.cursor)
        out.removeAll(keepingCapacity: true)
    }

    /// The session ends: its last event is kept (no measurable dwell), the rest released;
    /// a session still shorter than `min_length` is dropped with what it held.
    private mutating func end(_ session: OpenSession, out: inout [Event], release: Release) {
        var session = session
        if let u = session.undecided {
            keep(u, in: &session, out: &out)
            session.undecided = nil
        }
        flush(&session, &out, release)
        if session.length >= config.minLength { statistics.sessionsEmitted += 1 } else { statistics.sessionsTooShort += 1 }
    }

    // MARK: Scheduling

    /// Writes a user's state back, or forgets a user with nothing a later event needs (no
    /// session, nothing pending, no bot mark, no event limit configured; a late event of a
    /// forgotten user starts a new session instead of being counted late).
    private mutating func store(_ user: String, _ state: UserState) {
        if state.session == nil, state.pending.isEmpty, !state.isOverActive, config.maxEventsPerUser == nil {
            users[user] = nil
            scheduled[user] = nil
        } else {
            users[user] = state
            reschedule(user, state)
        }
    }

    /// The earliest watermark at which settling `state` changes something.
    private func due(_ state: UserState) -> Int64? {
        var due = state.pending.first?.timestampMillis
        if let session = state.session {
            if let u = session.undecided, let dwell { due = min(due ?? .max, Self.plus(u.timestampMillis, dwell)) }
            due = min(due ?? .max, Self.plus(Self.plus(session.lastMillis, gap), 1))
        }
        return due
    }

    private mutating func reschedule(_ user: String, _ state: UserState) {
        guard let due = due(state) else { return }
        if let current = scheduled[user], current <= due { return }
        scheduled[user] = due
        schedule.insert(Due(millis: due, user: user))
    }

    /// `a + b`, saturating instead of trapping (times come from data).
    static func plus(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : sum
    }
}
