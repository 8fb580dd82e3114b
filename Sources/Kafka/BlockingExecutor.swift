import Dispatch

/// Runs blocking work off Swift's cooperative thread pool: the one way this package does it.
///
/// The cooperative pool has about one thread per core, and a task that blocks one of them
/// (a librdkafka call waiting for a broker, a RocksDB write, decoding a batch, a training
/// round of several seconds) stalls every task queued behind it. Work handed to a
/// `BlockingExecutor` runs on a Dispatch thread instead; the awaiting task is suspended, not
/// blocked, until the work returns (the idea of swift-kafka-client's task executor and of
/// `NIOThreadPool`).
///
/// - `BlockingExecutor.run { }`: a one-off call, on a thread of Dispatch's pool at once,
///   whatever else blocks: each call gets a serial queue of its own, and Dispatch gives such
///   queues a thread whenever they have work ("overcommit"). A shared concurrent queue would
///   not do: its width is about the number of cores, so a few calls that wait (a commit
///   during a broker outage) would hold back every other (the apply that a rebalance waits
///   for, decoding).
/// - `BlockingExecutor(serial:)`: a queue of its own; jobs run one at a time, in the order
///   they were submitted (`run`, or `submit` without waiting). For work that must be
///   ordered (a consumer's polls, a replay's applies, the ingester's background writes) and
///   as the `SerialExecutor` of an actor whose methods block (`ContinuousTrainer`: its state
///   is isolated to the queue, and every call to it runs there).
public final class BlockingExecutor: SerialExecutor {
    private let queue: DispatchQueue

    /// A serial executor: one job at a time, in submission order, on a thread of its own.
    public init(serial label: String, qos: DispatchQoS = .unspecified) {
        queue = DispatchQueue(label: label, qos: qos)
    }

    /// Runs `body` on a Dispatch thread at once and resumes the caller with its result.
    public static func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        try await run(on: DispatchQueue(label: "m2grl.blocking", qos: .userInitiated), body)
    }

    /// Runs `body` after the jobs submitted before it and resumes the caller with its result.
    public func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        try await Self.run(on: queue, body)
    }

    /// Starts `body` after the jobs submitted before it, without waiting for it.
    public func submit(_ body: @escaping @Sendable () -> Void) {
        queue.async(execute: body)
    }

    private static func run<T: Sendable, E: Error>(on queue: DispatchQueue, _ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Result { () throws(E) -> T in try body() }) }
        }
        return try result.get()
    }

    // MARK: SerialExecutor

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func checkIsolated() {
        dispatchPrecondition(condition: .onQueue(queue))
    }
}
