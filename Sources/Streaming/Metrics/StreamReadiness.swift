import Synchronization
import Telemetry

/// Tracks what `ReadinessPolicy` needs (last ingest status and its lag, the oldest trained
/// change not yet in a version) and answers with a `Readiness`. Times are wall-clock
/// milliseconds (history records carry those); fed by `StreamTelemetry`.
public final class StreamReadiness: Sendable {
    private struct State {
        var policy: ReadinessPolicy?
        var replaying = false
        var lastStatus: (atMs: Int64, lag: Int64?)?
        /// The first round after the last published version (nil: nothing waits).
        var unpublishedSinceMs: Int64?
    }

    private let state = Mutex(State())

    public init() {}

    /// Sets the rules (at start; before that, not ready).
    public func configure(_ policy: ReadinessPolicy) {
        state.withLock {
            $0.policy = policy
            $0.replaying = policy.startsReplaying
        }
    }

    /// A replay continues as the live service.
    public func continueLive() { state.withLock { $0.replaying = false } }

    /// An ingest status: `lag` summed over the assigned partitions (nil: none assigned yet).
    public func ingestStatus(lag: Int64?, atMs: Int64) { state.withLock { $0.lastStatus = (atMs, lag) } }

    public func trained(atMs: Int64) {
        state.withLock { s in if s.unpublishedSinceMs == nil { s.unpublishedSinceMs = atMs } }
    }

    public func published(atMs: Int64) { state.withLock { $0.unpublishedSinceMs = nil } }

    public func readiness(nowMs: Int64) -> Readiness {
        state.withLock { s in
            guard let policy = s.policy else { return .notReady("starting") }
            if s.replaying { return .notReady("replaying the log in batch mode; ready once it continues as the live service (--then serve)") }
            guard let status = s.lastStatus else { return .notReady("ingestion has not reported a status yet") }
            let statusAgeMs = nowMs - status.atMs
            let staleMs = Self.milliseconds(policy.statusInterval, times: policy.staleStatusIntervals)
            if statusAgeMs > staleMs {
                return .notReady("the last ingest status is \(statusAgeMs / 1000) s old (ingestion stalled?)")
            }
            guard let lag = status.lag else { return .notReady("no partitions assigned yet") }
            if lag > policy.maxLagMessages {
                return .notReady("lag \(lag) messages is above \(policy.maxLagMessages)")
            }
            if let interval = policy.publishInterval, let since = s.unpublishedSinceMs {
                let bound = Self.milliseconds(interval, times: policy.publishIntervals)
                if nowMs - since > bound {
                    return .notReady("trained changes have waited \((nowMs - since) / 1000) s for a version (more than \(policy.publishIntervals) publish intervals)")
                }
            }
            return .ready("lag \(lag) messages" + (policy.publishInterval == nil ? ", publication off" : ", versions keep up"))
        }
    }

    /// `times` × `d` in milliseconds, saturating (no trap for any duration).
    static func milliseconds(_ d: Duration, times: Int) -> Int64 {
        let c = d.components
        let (ms, o1) = c.seconds.multipliedReportingOverflow(by: 1000)
        let (whole, o2) = ms.addingReportingOverflow(c.attoseconds / 1_000_000_000_000_000)
        let (product, o3) = whole.multipliedReportingOverflow(by: Int64(times))
        return o1 || o2 || o3 ? .max : product
    }
}
