/// Why one input record could not become an ``Event``. Used for malformed-line reports and
/// as the dead-letter reason by the streaming ingester.
public enum EventRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not parseable as a JSON object (detail says where/why).
    case notJSON(String)
    /// A CSV/TSV row that cannot be split, or has the wrong number of columns.
    case badRow(String)
    /// A required field (`user`, `item` or `time` input field name) is absent, null or empty.
    case missingField(String)
    /// A field has the wrong JSON type (e.g. an object where an id was expected).
    case wrongType(field: String, expected: String)
    /// The timestamp is not a number, or lies outside the accepted range.
    case absurdTimestamp(String)
    /// The timestamp is later than the wall clock plus `events.max_future_skew_seconds`.
    case futureTimestamp(String)
    /// An id or attribute value contains a control character (C0 U+0000-U+001F, DEL
    /// U+007F or C1 U+0080-U+009F): such a name would break the line-based files it is
    /// written to (`.nodes` of every checkpoint).
    case controlCharacter(field: String, codePoint: UInt32)
    /// A field value is longer than the limit (bytes).
    case oversizedField(field: String, bytes: Int)
    /// A multi-valued attribute field holds more values than the limit.
    case tooManyValues(field: String, count: Int, limit: Int)
    /// The whole record is longer than the limit (bytes).
    case oversizedMessage(bytes: Int)
    /// The bytes are not valid UTF-8.
    case invalidUTF8

    /// A short stable code, suitable for a dead-letter header or a metric label.
    public var code: String {
        switch self {
        case .notJSON: "not_json"
        case .badRow: "bad_row"
        case .missingField: "missing_field"
        case .wrongType: "wrong_type"
        case .absurdTimestamp: "absurd_timestamp"
        case .futureTimestamp: "future_timestamp"
        case .controlCharacter: "control_character"
        case .oversizedField: "oversized_field"
        case .tooManyValues: "too_many_values"
        case .oversizedMessage: "oversized_message"
        case .invalidUTF8: "invalid_utf8"
        }
    }

    public var description: String {
        switch self {
        case .notJSON(let detail): "not a JSON object: \(detail)"
        case .badRow(let detail): "bad row: \(detail)"
        case .missingField(let field): "missing field '\(field)'"
        case .wrongType(let field, let expected): "field '\(field)' must be \(expected)"
        case .absurdTimestamp(let value): "absurd timestamp \(value)"
        case .futureTimestamp(let value): "timestamp \(value) is later than the wall clock plus events.max_future_skew_seconds"
        case .controlCharacter(let field, let codePoint):
            "field '\(field)' contains the control character U+\(Self.fourHexDigits(codePoint))"
        case .oversizedField(let field, let bytes): "field '\(field)' too large (\(bytes) bytes)"
        case .tooManyValues(let field, let count, let limit): "field '\(field)' has \(count) values, more than \(limit)"
        case .oversizedMessage(let bytes): "record too large (\(bytes) bytes)"
        case .invalidUTF8: "invalid UTF-8"
        }
    }

    private static func fourHexDigits(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
