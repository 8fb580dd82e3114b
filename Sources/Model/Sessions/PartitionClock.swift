/// The event-time clock of one partition, robust to a single user: the second-highest
/// latest event time among the partition's users (the highest while only one user has been
/// seen). One record, or one user with a skewed clock, cannot drag it forward; with many
/// active users it follows the newest events.
///
/// Kept incrementally from the two users with the latest events (a user's latest time only
/// grows, so these two are exact).
public struct PartitionClock: Sendable, Equatable {
    /// A user and the latest event time seen from them.
    public struct Mark: Sendable, Equatable {
        public var user: String
        public var millis: Int64

        public init(user: String, millis: Int64) {
            self.user = user
            self.millis = millis
        }
    }

    /// The user with the latest event, and the latest among all other users.
    public private(set) var leader: Mark?
    public private(set) var runnerUp: Mark?

    public init(leader: Mark? = nil, runnerUp: Mark? = nil) {
        self.leader = leader
        self.runnerUp = runnerUp
    }

    /// The clock (ms), or nil before any event.
    public var millis: Int64? { runnerUp?.millis ?? leader?.millis }

    /// Takes the event time `millis` of `user` into account.
    public mutating func observe(user: String, millis: Int64) {
        guard let top = leader else {
            leader = Mark(user: user, millis: millis)
            return
        }
        if top.user == user {
            leader?.millis = max(top.millis, millis)
        } else if millis > top.millis {
            runnerUp = top
            leader = Mark(user: user, millis: millis)
        } else if let second = runnerUp, second.user == user {
            runnerUp?.millis = max(second.millis, millis)
        } else if runnerUp.map({ millis > $0.millis }) ?? true {
            runnerUp = Mark(user: user, millis: millis)
        }
    }
}
