import CRdKafka

/// The librdkafka the process runs with (the dynamic loader's choice, not the build's).
public enum Librdkafka {
    /// e.g. `2.0.2`.
    public static var version: String { String(cString: rd_kafka_version_str()) }
}
