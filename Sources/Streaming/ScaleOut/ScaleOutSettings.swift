import Kafka
import Model

/// How one `serve` instance joins a scale-out deployment (docs/scale-out.md).
public struct ScaleOutSettings: Sendable, Equatable {
    /// This instance's name in the deployment (`--instance-id`): 1 to 64 of `A-Z a-z 0-9 . _ -`.
    public var instanceID: String
    /// The graph-deltas log (default `<events topic>.graph-deltas`).
    public var deltasTopic: String?
    /// The coordination topic (default `<events topic>.coordination`).
    public var coordinationTopic: String?
    /// Records of one input partition produced and not yet applied, at most.
    public var inFlightPerPartition = 4
    /// Largest part of a delta record on the log (a record is cut into parts above it).
    public var recordPartBytes = 512 * 1024
    /// Time between heartbeats to the coordination topic.
    public var heartbeatInterval: Duration = .seconds(5)
    /// How long a replica may wait for the log end when a partition is taken over.
    public var syncTimeout: Duration = .seconds(60)
    /// A leader whose coordination partition is revoked (any rebalance of the leader group
    /// does that) stops publishing, and leads on under its term if the partition comes back
    /// within this time and no other member claimed a higher term meanwhile.
    public var leaderRegainWindow: Duration = .seconds(30)

    public init(instanceID: String) {
        self.instanceID = instanceID
    }

    public static let instanceIDCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")

    /// Why `id` cannot name an instance (nil: it can).
    public static func instanceIDProblem(_ id: String) -> String? {
        guard (1...64).contains(id.count) else { return "must have 1 to 64 characters, got \(id.count)" }
        guard id.allSatisfy(instanceIDCharacters.contains) else { return "may contain only A-Z a-z 0-9 . _ -, got '\(id)'" }
        return nil
    }
}

/// The names of a deployment's topics and groups.
public struct ScaleOutTopics: Sendable, Equatable {
    public var events: String
    public var deltas: String
    public var coordination: String
    /// The consumer group whose member owning the coordination partition leads.
    public var leaderGroup: String

    public init(config: PipelineConfig, settings: ScaleOutSettings) {
        let stream = StreamTopics(config: config)
        events = stream.events
        deltas = settings.deltasTopic ?? "\(stream.events).graph-deltas"
        coordination = settings.coordinationTopic ?? "\(stream.events).coordination"
        leaderGroup = "\(stream.group).leader"
    }

    /// Consumer properties of the leader group: `kafka`'s, and a `client.id` that sorts by
    /// start time (`m2grl-leader-<start ms, 15 digits>-<instance>`, unless one is given).
    /// Member ids start with the client id and the range assignor gives the one partition to
    /// the first member id: the longest-running member keeps the leadership through other
    /// members' joins and leaves (each join still revokes it for the rebalance's duration).
    /// The cooperative assignor would avoid even that, but librdkafka 2.0.2 aborts closing
    /// a cooperative consumer of the mock cluster.
    static func leaderGroupProperties(_ kafka: KafkaConfiguration, instance: String, startedAtMs: Int64) -> [String: String] {
        var properties = kafka.propertiesWithoutBootstrap
        if properties["client.id"] == nil {
            let ms = String(max(0, startedAtMs))
            properties["client.id"] = "m2grl-leader-\(String(repeating: "0", count: max(0, 15 - ms.count)))\(ms)-\(instance)"
        }
        return properties
    }

    /// The one partition of the deltas log.
    public var deltasLog: TopicPartition { TopicPartition(deltas, 0) }

    /// The deltas log with unlimited retention (it is the state's source, docs/scale-out.md,
    /// "Joining"); the coordination topic compacted (its keys: the deployment, each term,
    /// each member's latest heartbeat).
    public var specs: [TopicSpec] {
        [
            TopicSpec(name: deltas, partitions: 1, configs: ["cleanup.policy": "delete", "retention.ms": "-1", "retention.bytes": "-1"]),
            TopicSpec(name: coordination, partitions: 1, configs: ["cleanup.policy": "compact", "retention.ms": "-1"]),
        ]
    }
}
