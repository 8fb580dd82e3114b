/// How record and manifest values are encoded: protobuf (default, schema
/// docs/embeddings.proto) or the JSON mapping of the same schema.
public enum PublicationFormat: String, Sendable, Equatable, CaseIterable {
    case protobuf, json

    /// The value of the `m2grl.format` header.
    public var headerValue: String { rawValue }

    var proto: ProtoValueFormat { self == .json ? .json : .protobuf }

    init?(proto: ProtoValueFormat) {
        switch proto {
        case .protobuf: self = .protobuf
        case .json: self = .json
        case .UNRECOGNIZED: return nil
        }
    }

    /// Guesses the format of a value without a header: JSON objects start with `{`, which
    /// can never start a protobuf message of this schema (it would be field 15 as a group).
    static func sniff(_ bytes: [UInt8]) -> PublicationFormat {
        bytes.first == UInt8(ascii: "{") ? .json : .protobuf
    }
}
