import Foundation

/// A point in time given as text on the command line (`train --split-time`,
/// `replay --from time:`): seconds since the epoch (fractions allowed, truncated to
/// milliseconds) or ISO 8601 (`2024-01-31T00:00:00Z`, optionally with fractional seconds).
/// It must lie in the range of accepted event times (``EventLimits``: 1970-01-01 to
/// 2200-01-01), so converting it to milliseconds cannot overflow.
public enum TimeArgument {
    /// Milliseconds since the epoch, or nil when `text` is no time in the accepted range.
    public static func milliseconds(_ text: String, limits: EventLimits = EventLimits()) -> Int64? {
        let seconds: Double
        if let number = Double(text) {
            seconds = number
        } else if let date = isoDate(text) {
            seconds = date.timeIntervalSince1970
        } else {
            return nil
        }
        let range = Double(limits.minTimestampMillis)...Double(limits.maxTimestampMillis)
        let millis = seconds * 1000
        guard range.contains(millis) else { return nil }
        return Int64(millis)
    }

    /// What a valid time looks like, for error messages.
    public static let expected =
        "a time from 1970-01-01 to 2200-01-01, as ISO 8601 (2024-01-31T00:00:00Z) or seconds since the epoch"

    private static func isoDate(_ text: String) -> Date? {
        let iso = ISO8601DateFormatter()
        if let date = iso.date(from: text) { return date }
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return iso.date(from: text)
    }
}
