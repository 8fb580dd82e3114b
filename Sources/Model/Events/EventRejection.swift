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
    /// A field value is longer than the limit (bytes).
    case oversizedField(field: String, bytes: Int)
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
        case .oversizedField: "oversized_field"
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
        case .oversizedField(let field, let bytes): "field '\(field)' too large (\(bytes) bytes)"
        case .oversizedMessage(let bytes): "record too large (\(bytes) bytes)"
        case .invalidUTF8: "invalid UTF-8"
        }
    }
}
