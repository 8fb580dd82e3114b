import Foundation
import Kafka
import Store

/// Writes the ingester's batches to RocksDB one at a time on a thread of its own, so that
/// the memtable inserts of batch N overlap the in-memory work of batch N+1.
///
/// At most one write is in flight: ``submit(_:sync:)`` first waits for the previous one.
/// A write that failed is reported by the next ``submit(_:sync:)`` or ``waitIdle()``, and
/// by every call after it (the caller must not go on from a state the disk does not hold).
/// Thread-safe (`@unchecked Sendable`: `state` is only touched while `condition` is locked).
final class CommitPipeline: @unchecked Sendable {
    /// Writes one batch to the store (`Store.write`; tests give one that holds writes back).
    typealias Write = @Sendable (WriteBatch, _ sync: Bool) throws -> Void

    private struct State {
        var inFlight = false
        var failure: (any Error)?
    }

    private let write: Write
    private let condition = NSCondition()
    private var state = State()
    private let writer = BlockingExecutor(serial: "m2grl.ingest.commit", qos: .userInitiated)

    convenience init(store: Store) {
        self.init { batch, sync in try store.write(batch, sync: sync) }
    }

    init(write: @escaping Write) {
        self.write = write
    }

    /// Waits until no write is in flight; throws the failure of any earlier write.
    func waitIdle() throws {
        condition.lock()
        defer { condition.unlock() }
        while state.inFlight { condition.wait() }
        if let failure = state.failure { throw failure }
    }

    /// Starts writing `batch` once the previous write has finished (and throws that write's
    /// failure instead of starting). Returns without waiting for this write.
    func submit(_ batch: WriteBatch, sync: Bool) throws {
        condition.lock()
        defer { condition.unlock() }
        while state.inFlight { condition.wait() }
        if let failure = state.failure { throw failure }
        state.inFlight = true
        let work = UncheckedBatch(batch: batch)
        writer.submit { [write, self] in
            var failure: (any Error)?
            do { try write(work.batch, sync) } catch { failure = error }
            condition.lock()
            state.inFlight = false
            if let failure { state.failure = failure }
            condition.broadcast()
            condition.unlock()
        }
    }
}

/// A `WriteBatch` handed to the commit thread: the submitter never touches it again.
private struct UncheckedBatch: @unchecked Sendable {
    let batch: WriteBatch
}
