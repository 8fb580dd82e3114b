import Synchronization

/// Whether this instance leads: it is assigned the coordination topic's partition in the
/// leader group (thread-safe). A rebalance revokes the partition from every member and
/// usually gives it back to the same one a moment later (docs/scale-out.md, "Election and
/// terms"); a leadership therefore survives a revocation that ends in a re-assignment
/// within `regainWindow` without another member having claimed a higher term meanwhile.
/// While revoked it publishes nothing.
final class Leadership: Sendable {
    private struct State {
        var assigned = false
        var revokedAt: ContinuousClock.Instant?
        /// The term this instance publishes under (nil: it does not lead).
        var term: UInt64?
        /// The highest term another member has claimed (read from the coordination topic).
        var othersTerm: UInt64 = 0
    }

    private let state = Mutex(State())
    let regainWindow: Duration

    init(regainWindow: Duration) { self.regainWindow = regainWindow }

    /// The partition was assigned to this instance.
    func gain() {
        state.withLock { s in
            s.assigned = true
            s.revokedAt = nil
        }
    }

    /// The partition was revoked (or lost).
    func lose() {
        state.withLock { s in
            s.assigned = false
            if s.revokedAt == nil { s.revokedAt = .now }
        }
    }

    /// Assigned the partition now (publications may go out).
    var isAssigned: Bool { state.withLock { $0.assigned } }

    /// Another member claimed `term` (from the coordination topic).
    func observeClaim(_ term: UInt64) {
        state.withLock { $0.othersTerm = max($0.othersTerm, term) }
    }

    /// The highest term another member claimed so far.
    var othersTerm: UInt64 { state.withLock { $0.othersTerm } }

    /// Whether a leadership under `term` is over: another member claimed a higher term, or
    /// the partition has been revoked for longer than `regainWindow`.
    func isOver(term: UInt64) -> Bool {
        state.withLock { s in
            s.othersTerm > term || s.revokedAt.map { ContinuousClock.now - $0 > regainWindow } ?? false
        }
    }

    /// The term this instance publishes under while it leads (nil: not leading, or not yet).
    var term: UInt64? { state.withLock { $0.term } }

    func setTerm(_ term: UInt64?) {
        state.withLock { $0.term = term }
    }
}
