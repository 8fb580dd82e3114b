/// librdkafka client properties, passed through verbatim.
///
/// Any librdkafka property can be set (`security.protocol`, `sasl.*`, `ssl.*`, ...), so a
/// user can reach a secured cluster; see the CONFIGURATION.md of librdkafka. The typed
/// accessors only cover what this project sets itself. `description` shows only the values
/// of known non-secret keys (``publicKeys``), so a configuration can be logged safely.
public struct KafkaConfiguration: Sendable, Equatable, CustomStringConvertible {
    public private(set) var properties: [String: String]

    public init(bootstrapServers: String, properties: [String: String] = [:]) {
        self.properties = properties
        self.properties["bootstrap.servers"] = bootstrapServers
    }

    public subscript(key: String) -> String? {
        get { properties[key] }
        set { properties[key] = newValue }
    }

    public var bootstrapServers: String {
        get { properties["bootstrap.servers"] ?? "" }
        set { properties["bootstrap.servers"] = newValue }
    }

    /// Returns a copy with `other` applied on top (later settings win).
    public func merging(_ other: [String: String]) -> KafkaConfiguration {
        var copy = self
        for (k, v) in other { copy.properties[k] = v }
        return copy
    }

    /// Parses `key=value` pairs as given on a command line (`--kafka-property k=v`). The
    /// error never repeats the text: without `=` nothing tells its key from its value.
    public static func parseProperty(_ text: String) throws(KafkaError) -> (String, String) {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
            throw KafkaError(code: .invalidConfiguration,
                             message: "a Kafka property (\(text.count) characters, not shown) is not of the form key=value")
        }
        return (String(text[..<eq]), String(text[text.index(after: eq)...]))
    }

    /// The properties with the values of all but ``publicKeys`` replaced by `[redacted]`, sorted by key.
    public var redacted: [(key: String, value: String)] {
        properties.sorted { $0.key < $1.key }.map { ($0.key, Self.isSecret($0.key) ? "[redacted]" : $0.value) }
    }

    public var description: String {
        "KafkaConfiguration(" + redacted.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + ")"
    }
}

extension KafkaConfiguration {
    /// Producer defaults: idempotent delivery (no duplicates or reordering on retry),
    /// Java-compatible key hashing (murmur2, so keys land on the same partitions as with
    /// Java clients), and a short linger for batching. Caller settings win.
    public static func producer(
        bootstrapServers: String, lingerMs: Int = 5, batchMessages: Int = 10_000,
        properties: [String: String] = [:]
    ) -> KafkaConfiguration {
        KafkaConfiguration(bootstrapServers: bootstrapServers, properties: [
            "enable.idempotence": "true",
            "acks": "all",
            "partitioner": "murmur2_random",
            "linger.ms": String(lingerMs),
            "batch.num.messages": String(batchMessages),
            "message.timeout.ms": "300000",
        ]).merging(properties)
    }

    /// Consumer defaults: offsets are managed by the application (no auto-commit, no
    /// automatic offset store), reading starts at the earliest offset when the group has
    /// none, and only committed data of transactional producers is read. Caller settings win.
    public static func consumer(
        bootstrapServers: String, groupID: String, properties: [String: String] = [:]
    ) -> KafkaConfiguration {
        KafkaConfiguration(bootstrapServers: bootstrapServers, properties: [
            "group.id": groupID,
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
            "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",
            "enable.partition.eof": "true",
        ]).merging(properties)
    }

    /// The properties other than `bootstrap.servers`: what the producer and consumer
    /// factories take on top of their defaults (they set the servers themselves).
    public var propertiesWithoutBootstrap: [String: String] {
        properties.filter { $0.key != "bootstrap.servers" }
    }

    /// A producer configuration for these servers: the ``producer(bootstrapServers:lingerMs:batchMessages:properties:)``
    /// defaults with these properties on top.
    public func producerConfiguration() -> KafkaConfiguration {
        .producer(bootstrapServers: bootstrapServers, properties: propertiesWithoutBootstrap)
    }

    /// A consumer configuration of group `groupID` for these servers: the
    /// ``consumer(bootstrapServers:groupID:properties:)`` defaults with these properties on top.
    public func consumerConfiguration(groupID: String) -> KafkaConfiguration {
        .consumer(bootstrapServers: bootstrapServers, groupID: groupID, properties: propertiesWithoutBootstrap)
    }

    /// A consumer configuration for reading partitions to their end
    /// (`KafkaConsumer.readToEnd`, `endOffsets`): end-of-partition events on, whatever the
    /// properties say, and a short `fetch.wait.max.ms`, since the end shows as a fetch that
    /// finds nothing, which a broker holds for up to that long (librdkafka's default 500 ms
    /// per end).
    public func readingToEnd() -> KafkaConfiguration {
        merging(["enable.partition.eof": "true", "fetch.wait.max.ms": "100"])
    }
}
