import Kafka
import Logging

/// Reads the versions topic and the embeddings topic as a plain consumer (manual
/// assignment from the beginning up to the high watermarks, no group commits) into a
/// `VersionAssembler`. The versions topic's end is taken first: every manifest seen then
/// has all its records below the embeddings topic's end taken afterwards.
public struct SnapshotReader: Sendable {
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
            let versionRanges = try await scan.ranges(of: topics.versions)
            let recordRanges = try await scan.ranges(of: topics.embeddings)
            if recordRanges.isEmpty { throw PublicationError.topicNotFound(topics.embeddings) }
            try await scan.read(versionRanges, timeout: timeout) { message in
                do { try assembler.addManifest(message: message) } catch {
                    logger.warning("skipping a manifest: \(error)")
                }
            }
            try await scan.read(recordRanges, timeout: timeout) { assembler.addRecord($0) }
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
