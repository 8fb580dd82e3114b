import Kafka
import Logging

extension EmbeddingPublisher {
    /// The newest version with a manifest in `versionsTopic` (nil when there is none or the
    /// topic does not exist): a restarted publisher continues with the next number. Reads
    /// only the last `tail` manifests of each partition (manifests are written in version
    /// order, so the newest is among them).
    public static func lastPublishedVersion(
        configuration: KafkaConfiguration, versionsTopic: String, tail: Int64 = 64,
        timeout: Duration = .seconds(30), logger: Logger = Logger(label: "m2grl.publish")
    ) async throws -> UInt64? {
        let scan = try TopicRangeScan(configuration: configuration, logger: logger)
        do {
            var ranges: [TopicPartition: Range<Int64>] = [:]
            for (tp, r) in try await scan.ranges(of: versionsTopic) {
                let start: Int64 = Swift.max(r.lowerBound, r.upperBound - tail)
                ranges[tp] = start..<r.upperBound
            }
            var newest: UInt64?
            try await scan.read(ranges, timeout: timeout) { message in
                guard let value = message.value,
                      let manifest = try? VersionManifest.decode(value, format: message.publicationFormat)
                else {
                    logger.warning("ignoring an unreadable record at \(message.topicPartition)@\(message.offset)")
                    return
                }
                newest = max(newest ?? 0, manifest.version)
            }
            await scan.close()
            return newest
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
