import Synchronization

/// Whether this instance leads: it is assigned the coordination topic's partition in the
/// leader group (thread-safe). A rebalance revokes the partition from every member and
/// usually gives it back to the same one a moment later (docs/scale-out.md, "Election and
/// terms"); a leadership therefore survives a revocation that ends in a re-assignment
/// within `regainWindow` without another member having claimed a higher term meanwhile.
/// While revoked it publishes nothing; given the partition back, it publishes again only once
/// it has read the coordination topic to its end (`verified`): a member that led meanwhile
/// was not read while revoked, and its higher claim ends the old term instead.
final class Leadership: Sendable {
    private struct State {
        var assigned = false
        var revokedAt: ContinuousClock.Instant?
        /// The term this instance publishes under (nil: it does not lead).
        var term: UInt64?
        /// The highest term another member has claimed (read from the coordination topic).
        var othersTerm: UInt64 = 0
        /// The claims of the coordination topic have been read since the last assignment.
        var verified = true
    }

    private let state = Mutex(State())
    let regainWindow: Duration

    init(regainWindow: Duration) { self.regainWindow = regainWindow }

    /// The partition was assigned to this instance.
    func gain() {
        state.withLock { s in
            s.assigned = true
            s.revokedAt = nil
            if s.term != nil { s.verified = false }
        }
    }

    /// Assigned again while holding a term, and the claims made meanwhile not read yet.
    var needsVerification: Bool { state.withLock { $0.assigned && !$0.verified } }

    /// The claims of the coordination topic were read to its end (`highest`: the highest
    /// term another member claimed) since the last assignment.
    func verified(othersClaimed highest: UInt64) {
        state.withLock { s in
            s.othersTerm = max(s.othersTerm, highest)
            s.verified = true
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

    /// The term this instance holds (nil: not leading, or not yet); it may be revoked or
    /// unverified: `publishingTerm` says whether it may publish.
    var term: UInt64? { state.withLock { $0.term } }

    /// The term this instance may publish under now: held, assigned, verified and not over.
    var publishingTerm: UInt64? {
        state.withLock { s in
            guard s.assigned, s.verified, let term = s.term, s.othersTerm <= term else { return nil }
            return term
        }
    }

    /// A new term claimed after reading every claim (verified), or none.
    func setTerm(_ term: UInt64?) {
        state.withLock { s in
            s.term = term
            if term != nil { s.verified = true }
        }
    }
}
