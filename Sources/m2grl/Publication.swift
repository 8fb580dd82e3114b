import Kafka
import Logging
import Model
import Streaming

/// Wiring of embedding publication for serve and replay.
enum Publication {
    /// The sink versions go to (nil: publication not available).
    static func sink(config: PipelineConfig, kafka: KafkaConfiguration?, logger: Logger) async throws -> (any VersionSink)? {
        nil
    }

    /// The number the first version of this run gets: one after the newest version in the
    /// versions topic (or 1).
    static func nextVersion(config: PipelineConfig, kafka: KafkaConfiguration?, logger: Logger) async throws -> UInt64 {
        1
    }
}
