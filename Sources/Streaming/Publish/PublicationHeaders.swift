import Kafka

/// Header names of published records and manifests.
public enum PublicationHeaders {
    /// The version number, decimal.
    public static let version = "m2grl.version"
    /// The view name of a node record; `@alignment` for alignment matrices.
    public static let view = "m2grl.view"
    /// `snapshot` or `delta`.
    public static let kind = "m2grl.kind"
    /// The publisher attempt (random 64-bit id per publisher run), decimal.
    public static let attempt = "m2grl.attempt"
    /// `protobuf` or `json`.
    public static let format = "m2grl.format"
    /// The scale-out leader term of a manifest or fence, decimal.
    public static let term = "m2grl.term"

    /// The `m2grl.kind` of a leader's fence in the versions topic.
    public static let fenceKind = "fence"

    /// The `m2grl.view` value of alignment records.
    public static let alignmentView = "@alignment"

    static func make(version: UInt64, view: String, kind: EmbeddingVersion.Kind, attempt: UInt64,
                     format: PublicationFormat) -> [KafkaHeader] {
        [
            KafkaHeader(key: Self.version, string: String(version)),
            KafkaHeader(key: Self.view, string: view),
            KafkaHeader(key: Self.kind, string: kind.rawValue),
            KafkaHeader(key: Self.attempt, string: String(attempt)),
            KafkaHeader(key: Self.format, string: format.headerValue),
        ]
    }
}
