import Foundation

/// The system's wall clock, read by the callers of ``EventDecoder`` once per batch or file
/// (the decoder itself never reads a clock: it is given the time).
public enum WallClock {
    /// Milliseconds since the Unix epoch.
    public static func nowMillis() -> Int64 {
        EventLimits.milliseconds(fromSeconds: Date().timeIntervalSince1970)
    }
}
