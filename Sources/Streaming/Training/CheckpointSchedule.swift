/// When the next periodic checkpoint is due: `interval` after the previous attempt if it
/// succeeded; after `n` consecutive failures `interval · 2^n`, at most `maximumBackoff`
/// (and never less than `interval`). A failure that persists (a full or read-only disk, a
/// directory that cannot be created) is retried ever less often instead of on every turn of
/// the training loop, and the first success restores the interval.
struct CheckpointSchedule: Sendable {
    static let defaultMaximumBackoff: Duration = .seconds(900)

    let interval: Duration
    let maximumBackoff: Duration
    private(set) var consecutiveFailures = 0

    init(interval: Duration, maximumBackoff: Duration = Self.defaultMaximumBackoff) {
        self.interval = interval
        self.maximumBackoff = maximumBackoff
    }

    /// Time from the previous attempt to the next.
    var delay: Duration {
        let cap = max(interval, maximumBackoff)
        var delay = interval
        for _ in 0..<min(consecutiveFailures, 64) where delay < cap { delay = delay * 2 }
        return min(delay, cap)
    }

    mutating func recordSuccess() { consecutiveFailures = 0 }

    mutating func recordFailure() { consecutiveFailures = min(consecutiveFailures, Int.max - 1) + 1 }
}
