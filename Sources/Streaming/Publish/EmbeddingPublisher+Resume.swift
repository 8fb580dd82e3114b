import Kafka
import Logging

extension EmbeddingPublisher {
    /// The newest published version in `versionsTopic` (nil when there is none or the topic
    /// does not exist): a restarted publisher continues with the next number. Reads each
    /// partition from `tail` records before the broker's high watermark to its end as the
    /// fetch finds it (a lagging watermark only makes the read longer; manifests are
    /// written in version order, so the newest is among them); records that fail
    /// `VersionManifest.validate` are skipped, and of the rest `PublishedVersionSequence`
    /// ignores any that jump or step away from the sequence, each with a warning. Never `UInt64.max`, so one more is always a version.
    public static func lastPublishedVersion(
        configuration: KafkaConfiguration, versionsTopic: String, tail: Int64 = 64,
        timeout: Duration = .seconds(30), logger: Logger = Logger(label: "m2grl.publish")
    ) async throws -> UInt64? {
        let scan = try TopicRangeScan(configuration: configuration, logger: logger)
        do {
            let starts = try await scan.tailStarts(of: try await scan.partitions(of: versionsTopic), records: tail)
            var sequence = PublishedVersionSequence()
            try await scan.read(from: starts, timeout: timeout) { message in
                do {
                    sequence.add(try VersionManifest.decode(message: message).version,
                                 at: "\(message.topicPartition)@\(message.offset)")
                } catch {
                    logger.warning("numbering ignores a record of the versions topic: \(error)")
                }
            }
            await scan.close()
            for reason in sequence.ignored { logger.warning("numbering ignores the \(reason)") }
            return sequence.newest
        } catch {
            await scan.close()
            throw error
        }
    }
}

extension KafkaMessage {
    /// The `m2grl.format` header, if present and known.
    var publicationFormat: PublicationFormat? {
        header(PublicationHeaders.format)?.stringValue.flatMap(PublicationFormat.init(rawValue:))
    }

    /// A decimal `UInt64` header.
    func uint64Header(_ key: String) -> UInt64? { header(key)?.stringValue.flatMap { UInt64($0) } }
}
