import ArgumentParser
import Foundation
import Kafka
import Logging
import Model
import Store
import Streaming

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what a state directory holds: graphs, walk rings, offsets, counters, checkpoint, task weights.",
        discussion: """
            Reads the state directory read-only (it never takes the directory lock and never writes), so it works while `m2grl serve` runs; it shows the state as of the moment it opened.

            Shown: for an instance of a scale-out deployment (serve --instance-id), the instance and its deployment's topics, and with --brokers the deployment as its coordination topic shows it: the members heard from in the last 30 s, the leader and its term, the input partitions of each member, each replica's position in the graph-deltas log (docs/scale-out.md). Then nodes and edges per view, walks in each view's ring (and the fill against --walk-ring when given), events applied, dead letters, late events, sessions closed, walks written, stored input offsets per partition (with the lag against the topic's end when --brokers is given), the last model checkpoint (last published version, rounds, offsets it reflects) and the task weights exp(-s) learned so far.

            --digest adds a 128-bit FNV-1a digest of the graphs, vocabularies, attribute maps and walk buffers, and one per column family (definition in docs/operations.md): two states built from the same events print the same digest.

            Examples:
              m2grl status --state state/
              m2grl status --state state/ --walk-ring 200000 --brokers localhost:9092
              m2grl status --state state/ --digest --json

            Exit codes: 0 success, 1 the state cannot be read, 64 invalid arguments.
            """
    )

    @Option(name: .long, help: "State directory of `m2grl serve`.")
    var state: String

    @Flag(name: .long, help: "Also print the state digest and one digest per column family.")
    var digest = false

    @OptionGroup var output: OutputFormatOptions

    @Option(name: .long, help: "The --walk-ring serve runs with (not stored in the state), to show the ring fill.")
    var walkRing: Int?

    @OptionGroup var kafka: KafkaOptions

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let walkRing { try requireRange(walkRing, CommandLineLimits.walkRing, option: "--walk-ring") }
        if kafka.hasPropertyOptions && kafka.brokers == nil {
            throw ValidationError("--kafka-property/--kafka-property-file: only with --brokers")
        }
    }

    func run() async throws {
        let logger = try global.bootstrapLogging()
        guard FileManager.default.fileExists(atPath: state) else { throw ValidationError("--state: no such directory '\(state)'") }
        let inspector: StateInspector
        do { inspector = try StateInspector.openReadOnly(path: state) } catch {
            throw CommandFailure("\(error)")
        }
        var status: StateStatus
        var stateDigest: StateDigest?
        do {
            defer { inspector.close() }
            status = try inspector.status()
            if digest { stateDigest = try StateDigest.compute(store: inspector.store) }
        } catch {
            throw CommandFailure("cannot read \(state): \(error)")
        }
        let checkpoint: CheckpointInfo?
        do { checkpoint = try CheckpointInfo.read(stateDirectory: state) } catch {
            throw CommandFailure("\(state)/\(CheckpointInfo.directoryName)/\(CheckpointInfo.fileName) is unreadable: \(error)")
        }
        var lagError: String?
        if kafka.brokers != nil, !status.partitions.isEmpty {
            lagError = await addLag(to: &status, logger: logger)
        }
        var report = StatusReport(stateDirectory: state, state: status, walkRingCapacity: walkRing,
                                  checkpoint: checkpoint, digest: stateDigest, lagError: lagError)
        report.scaleOut = ScaleOutIdentity.read(stateDirectory: state)
        if let identity = report.scaleOut, kafka.brokers != nil {
            do {
                report.deployment = try await DeploymentStatus.read(kafka: try kafka.configuration(), topic: identity.coordinationTopic, logger: logger)
            } catch {
                report.deploymentError = "\(error) (check --brokers)"
            }
        }
        print(output.json ? try report.json() : report.text(), terminator: "")
    }

    /// Finds each stored partition's end as the fetch finds it (`KafkaConsumer.endOffsets`: the
    /// broker's ListOffsets answer may lag it); returns an error text on failure.
    private func addLag(to status: inout StateStatus, logger: Logger) async -> String? {
        do {
            let config = try kafka.configuration()
            let consumer = try KafkaConsumer(
                configuration: config.consumerConfiguration(groupID: "m2grl-status-\(getpid())").readingToEnd(),
                logger: logger)
            let ends = try await consumer.endOffsets(
                status.partitions.map { TopicPartition($0.topic, $0.partition) }, timeout: .seconds(10))
            await consumer.close()
            for i in status.partitions.indices {
                let p = status.partitions[i]
                if let end = ends[TopicPartition(p.topic, p.partition)] { status.partitions[i].setHighWatermark(end) }
            }
            return nil
        } catch {
            return "\(error) (check --brokers)"
        }
    }
}
