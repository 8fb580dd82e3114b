import Synchronization

/// Whether this instance leads (it is assigned the coordination topic's partition in the
/// leader group), and under which term (thread-safe). Each gain of the partition is a new
/// generation: a leading task started for one generation stops as soon as it is over.
final class Leadership: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var assigned = false
        var term: UInt64?
    }

    private let state = Mutex(State())

    /// The partition was assigned to this instance: returns the new generation.
    @discardableResult
    func gain() -> UInt64 {
        state.withLock { s in
            s.generation += 1
            s.assigned = true
            s.term = nil
            return s.generation
        }
    }

    /// The partition was revoked (or lost).
    func lose() {
        state.withLock { s in
            s.generation += 1
            s.assigned = false
            s.term = nil
        }
    }

    /// The generation if this instance is assigned the partition now.
    var current: UInt64? { state.withLock { $0.assigned ? $0.generation : nil } }

    /// Whether `generation` is still the current leadership.
    func holds(_ generation: UInt64) -> Bool { state.withLock { $0.assigned && $0.generation == generation } }

    /// The term this instance publishes under while it leads (nil: not leading, or not yet).
    var term: UInt64? { state.withLock { $0.term } }

    func setTerm(_ term: UInt64, generation: UInt64) {
        state.withLock { s in if s.generation == generation { s.term = term } }
    }
}
