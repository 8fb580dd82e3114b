import Dispatch

/// A serial Dispatch queue for blocking work (training rounds, RocksDB applies) awaited from
/// async code without blocking the cooperative pool; jobs run one at a time, in order.
struct SerialWorkQueue: Sendable {
    private let queue: DispatchQueue

    init(label: String) { queue = DispatchQueue(label: label) }

    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
