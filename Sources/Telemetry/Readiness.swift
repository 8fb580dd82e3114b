/// The answer of `/readyz`: ready or not, and why (one line, for people and probes' logs).
public struct Readiness: Sendable, Equatable {
    public var ready: Bool
    public var reason: String

    public init(ready: Bool, reason: String) {
        self.ready = ready
        self.reason = reason
    }

    public static func ready(_ reason: String) -> Readiness { Readiness(ready: true, reason: reason) }
    public static func notReady(_ reason: String) -> Readiness { Readiness(ready: false, reason: reason) }
}
