import Kafka
import Logging

/// Reads the versions topic and the embeddings topic as a plain consumer (manual
/// assignment, no group commits) from the beginning to the end as the fetch finds it
/// (docs/consuming.md, "Where a read ends") into a `VersionAssembler`. The versions topic
/// is read to its end first and the embeddings topic only then: its ends are at least its
/// ends when the versions read finished, so every manifest seen has all its records below
/// them.
public struct PublishedVersionReader: Sendable {
    public var configuration: KafkaConfiguration
    public var topics: PublicationTopics
    /// Upper bound for reading both topics to their end.
    public var timeout: Duration
    private let logger: Logger

    public init(configuration: KafkaConfiguration, topics: PublicationTopics, timeout: Duration = .seconds(300),
                logger: Logger = Logger(label: "m2grl.snapshot")) {
        self.configuration = configuration
        self.topics = topics
        self.timeout = timeout
        self.logger = logger
    }

    /// Reads both topics up to their current end.
    public func read() async throws -> VersionAssembler {
        let scan = try TopicRangeScan(configuration: configuration, logger: logger)
        do {
            var assembler = VersionAssembler()
            let versionPartitions = try await scan.partitions(of: topics.versions)
            let recordPartitions = try await scan.partitions(of: topics.embeddings)
            if recordPartitions.isEmpty { throw PublicationError.topicNotFound(topics.embeddings) }
            let fromBeginning = { (partitions: [TopicPartition]) in
                Dictionary(uniqueKeysWithValues: partitions.map { ($0, KafkaOffset.beginning) })
            }
            try await scan.read(from: fromBeginning(versionPartitions), timeout: timeout) { message in
                do { try assembler.addManifest(message: message) } catch {
                    logger.warning("skipping a manifest: \(error)")
                }
            }
            try await scan.read(from: fromBeginning(recordPartitions), timeout: timeout) { assembler.addRecord($0) }
            await scan.close()
            logger.debug("read publication topics", metadata: [
                "manifests": "\(assembler.manifestCount)", "ignored": "\(assembler.ignoredRecords)",
            ])
            return assembler
        } catch {
            await scan.close()
            throw error
        }
    }
}
