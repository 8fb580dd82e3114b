import Kafka
import Synchronization

/// What this instance's replica has done with the deltas log, shared with its cutter, its
/// leader role and its heartbeats (thread-safe).
final class ReplicaProgress: Sendable {
    /// The fate of one record written by this instance (this incarnation).
    struct Report: Sendable, Equatable {
        var source: TopicPartition
        var start: Int64
        var end: Int64
        var applied: Bool
    }

    private struct State {
        var position: Int64 = 0
        var logEnd: Int64 = 0
        var reports: [Report] = []
        var applied = 0
        var skipped = 0
        var malformed = 0
        var stopped: (any Error)?
    }

    private let state = Mutex(State())

    /// The next offset of the log to decide (records before it are applied or skipped).
    var position: Int64 { state.withLock { $0.position } }

    /// The log's end as last seen (its high watermark).
    var logEnd: Int64 { state.withLock { $0.logEnd } }

    /// Records applied, skipped (mark, fingerprint or fit) and malformed since start.
    var counts: (applied: Int, skipped: Int, malformed: Int) { state.withLock { ($0.applied, $0.skipped, $0.malformed) } }

    /// Why the replica stopped, if it did (an owner waiting for it gives up).
    var stopped: (any Error)? { state.withLock { $0.stopped } }

    func setPosition(_ position: Int64) { state.withLock { $0.position = max($0.position, position) } }

    func setLogEnd(_ end: Int64) { state.withLock { $0.logEnd = max($0.logEnd, end) } }

    func stop(_ error: any Error) { state.withLock { $0.stopped = error } }

    func recordApplied(_ applied: Bool, report: Report?) {
        state.withLock { s in
            if applied { s.applied += 1 } else { s.skipped += 1 }
            if let report { s.reports.append(report) }
        }
    }

    func recordMalformed(report: Report?) {
        state.withLock { s in
            s.malformed += 1
            if let report { s.reports.append(report) }
        }
    }

    /// The reports of this instance's records since the last call.
    func takeReports() -> [Report] {
        state.withLock { s in
            defer { s.reports = [] }
            return s.reports
        }
    }

    /// Waits (polling) until the replica has decided every record below `offset`; false
    /// after `timeout` or when the replica stopped.
    func waitForPosition(_ offset: Int64, timeout: Duration) async -> Bool {
        let end = ContinuousClock.now + timeout
        while position < offset {
            if stopped != nil || ContinuousClock.now > end || Task.isCancelled { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }
}
