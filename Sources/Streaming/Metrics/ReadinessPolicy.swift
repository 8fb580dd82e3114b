/// When `serve` (and `replay` once it continues live) answers `/readyz` with 200
/// (docs/operations.md, "Health and readiness"):
///
/// 1. ingestion is caught up: its last status (every `statusInterval`) is at most
///    `staleStatusIntervals` intervals old, partitions are assigned, and the lag summed over
///    them is at most `maxLagMessages`;
/// 2. publication keeps up: with publication on (`publishInterval` set), no trained change
///    has waited for a version longer than `publishIntervals` publish intervals (nothing to
///    publish counts as keeping up).
///
/// A replay is not ready while it replays (batch mode); with `--then serve` the same rules
/// hold from the moment it continues as the live service.
public struct ReadinessPolicy: Sendable, Equatable {
    public var maxLagMessages: Int64
    public var statusInterval: Duration
    public var staleStatusIntervals: Int = 3
    /// nil: no versions are published (`serve --no-publish`, `--no-train`).
    public var publishInterval: Duration?
    public var publishIntervals: Int = 3
    /// Batch mode first (`replay`): not ready until `StreamReadiness.continueLive()`.
    public var startsReplaying = false

    public init(maxLagMessages: Int64, statusInterval: Duration, publishInterval: Duration?) {
        self.maxLagMessages = maxLagMessages
        self.statusInterval = statusInterval
        self.publishInterval = publishInterval
    }
}
