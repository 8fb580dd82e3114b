import Foundation
import Kafka
import Logging
import Model
import ServiceLifecycle

/// One instance of a scale-out deployment, wired (docs/scale-out.md): its topics checked,
/// its pipeline compared with the deployment's, and its services: the replica, the cutter,
/// and the leader role (which trains and publishes while it leads).
struct ScaleOutInstance: Sendable {
    let services: [ServiceGroupConfiguration.ServiceConfiguration]
    let progress: ReplicaProgress
    let ownership: DeltaCutterService.Ownership
    let leadership: Leadership

    static func make(setup: ServeSetup, settings: ScaleOutSettings, ingest: KafkaIngestService.Settings,
                     processor: IngestProcessor, history: HistoryLog?, provisioning: TopicProvisioning,
                     logger: Logger) async throws -> ScaleOutInstance {
        if let problem = ScaleOutSettings.instanceIDProblem(settings.instanceID) {
            throw ScaleOutError.refused("--instance-id: \(problem)")
        }
        let config = setup.config
        let topics = ScaleOutTopics(config: config, settings: settings)
        let fingerprint = PipelineFingerprint(config: config, ingest: setup.ingest)
        let writer = GraphDeltaRecord.Writer(instance: settings.instanceID, incarnation: UInt64.random(in: 1...UInt64.max))
        try await provisioning.ensure(topics.specs, logger: logger)
        try await checkSinglePartition([topics.deltas, topics.coordination], kafka: setup.kafka, logger: logger)
        if try processor.replicaPosition(topics.deltasLog) == nil, !processor.allOffsets.isEmpty {
            throw ScaleOutError.refused("the state directory \(setup.stateDirectory) was built by a single-instance serve (it has input offsets but no graph-deltas position); a scale-out instance starts from a new state directory (docs/scale-out.md, \"Joining\")")
        }
        try await checkDeployment(fingerprint: fingerprint, writer: writer, topics: topics, kafka: setup.kafka, logger: logger)
        try ScaleOutIdentity(instance: settings.instanceID, topics: topics, fingerprint: fingerprint)
            .write(stateDirectory: setup.stateDirectory)
        logger.notice("scale-out: instance \(writer) joins the deployment of \(topics.events) (fingerprint \(fingerprint.hex), deltas log \(topics.deltas))")

        let progress = ReplicaProgress()
        let ownership = DeltaCutterService.Ownership()
        let replica = DeltaReplicaService(
            processor: processor, kafka: setup.kafka, log: topics.deltasLog, fingerprint: fingerprint.value, writer: writer,
            progress: progress, statusInterval: setup.statusInterval, logger: logger)
        let cutter = DeltaCutterService(
            processor: processor, kafka: setup.kafka,
            settings: .init(ingest: ingest, scaleOut: settings, topics: topics, fingerprint: fingerprint.value, writer: writer,
                            tracksItemEdgeTimes: setup.ingest.trackNewEdges),
            progress: progress, ownership: ownership, logger: logger)
        let leadership = Leadership(regainWindow: settings.leaderRegainWindow)
        let leader = LeaderService(
            processor: processor, settings: .init(setup: setup, scaleOut: settings, topics: topics, writer: writer),
            progress: progress, ownership: ownership, leadership: leadership, history: history, logger: logger)
        // Shut down in reverse order: the cutter stops producing, the leader publishes its
        // last version and leaves the group, the replica stops last.
        let services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: replica),
            .init(service: leader),
            .init(service: cutter, successTerminationBehavior: .gracefullyShutdownGroup),
        ]
        return ScaleOutInstance(services: services, progress: progress, ownership: ownership, leadership: leadership)
    }

    /// The deltas log and the coordination topic must have one partition each (a total
    /// order; one leader).
    static func checkSinglePartition(_ names: [String], kafka: KafkaConfiguration, logger: Logger) async throws {
        let probe = try KafkaProducer(
            configuration: kafka.producerConfiguration(),
            logger: logger)
        for name in names {
            let count = try await probe.partitionCount(topic: name, timeout: .seconds(10))
            guard count == 1 else {
                throw ScaleOutError.refused("topic \(name) has \(count) partitions; a scale-out deployment needs exactly 1 (create it with 1 partition)")
            }
        }
    }

    /// The deployment's fingerprint is the first deployment record of the coordination topic;
    /// the first instance writes it. Another fingerprint is refused, naming the differences.
    static func checkDeployment(fingerprint: PipelineFingerprint, writer: GraphDeltaRecord.Writer, topics: ScaleOutTopics,
                                kafka: KafkaConfiguration, logger: Logger) async throws {
        let log = CoordinationLog(kafka: kafka, topic: topics.coordination, logger: logger)
        func first() async throws -> CoordinationRecord? {
            try await log.readAll().first { $0.record.kind == .deployment && $0.record.fingerprint != nil }?.record
        }
        var deployment = try await first()
        if deployment == nil {
            var record = CoordinationRecord(kind: .deployment, writer: writer)
            record.fingerprint = fingerprint.hex
            record.fingerprintText = fingerprint.text
            let producer = try KafkaProducer(
                configuration: kafka.producerConfiguration(),
                logger: logger)
            _ = try await log.write(record, with: producer)
            deployment = try await first()
        }
        guard let deployment, deployment.fingerprint != fingerprint.hex else { return }
        let theirs = PipelineFingerprint(text: deployment.fingerprintText ?? "")
        let differences = fingerprint.differences(from: theirs)
        throw ScaleOutError.refused(
            "this instance's pipeline (fingerprint \(fingerprint.hex)) differs from the deployment's (\(deployment.fingerprint ?? "?"), first written by instance \(deployment.instance)): \(differences.joined(separator: "; ")); run it with the deployment's pipeline file and walk options, or give it its own topics")
    }
}
