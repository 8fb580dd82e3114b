import EventSource

/// A partition of a topic: the source-neutral `SourcePartition` whose source is the topic.
public typealias TopicPartition = SourcePartition

extension SourcePartition {
    /// The topic (the source's name).
    public var topic: String {
        get { source }
        set { source = newValue }
    }
}

/// Special offsets understood by librdkafka when assigning or seeking.
public enum KafkaOffset {
    public static let beginning: Int64 = -2
    public static let end: Int64 = -1
    public static let stored: Int64 = -1000
    public static let invalid: Int64 = -1001
}

/// A message header. Values are raw bytes; `nil` is a header without a value.
public struct KafkaHeader: Sendable, Equatable {
    public var key: String
    public var value: [UInt8]?

    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    public init(key: String, string: String) {
        self.init(key: key, value: Array(string.utf8))
    }

    public var stringValue: String? { value.map { String(decoding: $0, as: UTF8.self) } }
}
