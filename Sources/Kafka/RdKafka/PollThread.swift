import Dispatch
import Foundation
import Synchronization

/// A dedicated thread that calls `body` in a loop until stopped (e.g. `rd_kafka_poll`
/// with a timeout, which blocks).
final class PollThread: Sendable {
    private final class Flag: Sendable { let running = Atomic<Bool>(true) }
    private let flag = Flag()
    private let finished = DispatchSemaphore(value: 0)

    init(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [flag, finished] in
            while flag.running.load(ordering: .acquiring) { body() }
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Stops the loop and waits for the current iteration to end.
    func stop() {
        if flag.running.exchange(false, ordering: .acquiringAndReleasing) { finished.wait() }
    }
}

extension Duration {
    /// The duration as librdkafka's `int timeout_ms`, sub-second parts included, clamped.
    var rdKafkaMilliseconds: Int32 {
        Int32(clamping: components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000)
    }
}
