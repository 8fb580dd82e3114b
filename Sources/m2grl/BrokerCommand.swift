import ArgumentParser
import Foundation
import Kafka
import Logging
import Model
import ServiceLifecycle
import Streaming
import Telemetry

struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run an embedded Kafka broker (librdkafka's mock cluster) on 127.0.0.1.",
        discussion: """
            A real Kafka-protocol server, in memory, for demos and tests. It prints its bootstrap servers and stays up until SIGINT or SIGTERM. Data is lost when it stops.

            Limits of this mock (librdkafka 2.0.2): topics cannot be created by clients (CreateTopics is not supported: pass --topic here; other topics are auto-created on first use with the mock's default partition count); no offsets-for-times; aborted transactions are visible to read_committed readers; each partition keeps at most 5 MiB or 100,000 produce batches and drops the oldest beyond that, so give busy topics enough partitions.

            Examples:
              m2grl broker
              m2grl broker --brokers 3 --topic events:8 --bootstrap-file /tmp/bootstrap
              kcat -b "$(cat /tmp/bootstrap)" -t events -P <<< 'hello'
            """
    )

    @Option(name: .long, help: "Number of brokers in the cluster (ids 1...N).")
    var brokers: Int = 1

    @Option(name: .long, help: "Write the bootstrap servers to this file once the broker is up (removed on exit).")
    var bootstrapFile: String?

    @Option(name: .long, help: "Create a topic: NAME or NAME:PARTITIONS (repeatable).")
    var topic: [String] = []

    @OptionGroup var metrics: MetricsOptions

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard brokers >= 1 && brokers <= 32 else { throw ValidationError("--brokers: must be between 1 and 32, got \(brokers)") }
        _ = try parsedTopics()
    }

    func parsedTopics() throws -> [TopicSpec] {
        try topic.map { spec in
            let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2, let name = parts.first, !name.isEmpty else {
                throw ValidationError("--topic: '\(spec)' is not NAME or NAME:PARTITIONS")
            }
            var partitions = 1
            if parts.count == 2 {
                guard let p = Int(parts[1]), ConfigLimits.partitions.contains(p) else {
                    throw ValidationError("--topic: partitions of '\(spec)' must be a number \(ConfigLimits.describe(ConfigLimits.partitions))")
                }
                partitions = p
            }
            return TopicSpec(name: String(name), partitions: partitions, replicationFactor: min(3, brokers))
        }
    }

    func run() async throws {
        let logger = try global.bootstrapLogging()
        let up = ReadinessLatch(.notReady("the broker is starting"))
        let metricsServer = try await metrics.start(readiness: { up.readiness }, logger: logger)
        let service = try EmbeddedBrokerService(
            brokers: brokers, topics: try parsedTopics(), bootstrapFile: bootstrapFile, logger: logger,
            onReady: { servers in
                up.set(.ready("listening on \(servers)"))
                // Unbuffered, so a script reading our stdout sees it at once.
                FileHandle.standardOutput.write(Data("bootstrap servers: \(servers) (librdkafka \(Librdkafka.version))\n".utf8))
            })
        var services: [any Service] = [service]
        if let metricsServer { services.insert(metricsServer, at: 0) }   // stops last
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
