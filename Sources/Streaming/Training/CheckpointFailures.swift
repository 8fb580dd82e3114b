import Logging
import Metrics
import Synchronization

/// What a failed checkpoint leaves behind: an error log with the reason and one more
/// `m2grl_checkpoint_failures_total`. A failed checkpoint stops nothing: the previous
/// checkpoint stays complete in place (`ModelCheckpoint`), ingestion, training and
/// publication go on, and the caller tries again later.
final class CheckpointFailures: Sendable {
    static let metricLabel = "m2grl_checkpoint_failures_total"

    private let counter = Counter(label: CheckpointFailures.metricLabel)
    private let count = Mutex(0)
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    /// Failures recorded so far.
    var total: Int { count.withLock { $0 } }

    /// Logs and counts `error`; `then` says what happens next (e.g. when the retry is).
    func record(_ error: any Error, publishedVersion: UInt64, then: String) {
        let total = count.withLock { total in
            total += 1
            return total
        }
        counter.increment()
        logger.error("checkpoint failed: \(error); the previous checkpoint stays in place, \(then)", metadata: [
            "published_version": "\(publishedVersion)", "checkpoint_failures": "\(total)",
        ])
    }
}
