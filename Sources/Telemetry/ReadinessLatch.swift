import Synchronization

/// A readiness that a component sets once it is up (`m2grl broker`: when the cluster
/// listens); read by `/readyz`.
public final class ReadinessLatch: Sendable {
    private let current: Mutex<Readiness>

    public init(_ initial: Readiness) { current = Mutex(initial) }

    public func set(_ readiness: Readiness) { current.withLock { $0 = readiness } }

    public var readiness: Readiness { current.withLock { $0 } }
}
