/// One ordered partition of an event source: a Kafka topic partition, or an events file
/// replayed as a source of one partition (`file:<name>`). The ingest state keeps its consumed
/// offsets, session cutters and event clocks per source partition, whatever the source is;
/// the Kafka module names this type `TopicPartition`.
public struct SourcePartition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The source: a topic name, or `file:<name>`.
    public var source: String
    public var partition: Int32

    public init(_ source: String, _ partition: Int32) {
        self.source = source
        self.partition = partition
    }

    public static func < (a: SourcePartition, b: SourcePartition) -> Bool {
        (a.source, a.partition) < (b.source, b.partition)
    }

    public var description: String { "\(source)[\(partition)]" }
}
