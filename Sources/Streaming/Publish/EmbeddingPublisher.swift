import Foundation
import Kafka
import Logging
import Synchronization

/// Publishes numbered embedding versions to the embeddings topic, each followed by its
/// manifest on the versions topic once every record of the version is acknowledged
/// (docs/formats.md, "Published embedding versions"). Readers take a version as complete
/// only when the manifest is there and the records match it, so no broker transactions
/// are needed.
///
/// Rules: versions are consecutive; a new publisher (and a publisher after a failed
/// publish, which also draws a new attempt id) must start with a snapshot; a delta builds
/// on the attempt's current snapshot. Give the publisher its own producer: `flush` waits
/// for (and reports failures of) everything the producer has queued. Records are handed to
/// the producer with `enqueue`, which blocks the calling thread while librdkafka's local
/// queue is full (backpressure); a whole snapshot is never held in memory as records.
public final class EmbeddingPublisher: Sendable {
    private struct State {
        var attempt: UInt64
        var expectedVersion: UInt64?
        var currentSnapshot: UInt64?
        var busy = false
    }

    public let producer: KafkaProducer
    public let topics: PublicationTopics
    public let format: PublicationFormat
    /// How long to wait for the acknowledgement of a version's records.
    public let flushTimeout: Duration
    /// Wrap each version (records and manifest) in one Kafka transaction. The producer must
    /// be configured with a `transactional.id` and `initTransactions()` must have run. An
    /// option on top of the manifest rule, which alone makes versions atomic.
    public let transactional: Bool
    /// The scale-out leader term written into every manifest (0: a single instance).
    public let term: UInt64
    private let state: Mutex<State>
    private let logger: Logger

    /// `continuingAfter`: the newest version already published (see
    /// `lastPublishedVersion`); the first version must then be the next one (after
    /// `VersionManifest.maxVersion` there is none: every version is refused). Without it the
    /// first version may have any number.
    public init(
        producer: KafkaProducer, topics: PublicationTopics, format: PublicationFormat = .protobuf,
        attempt: UInt64 = EmbeddingPublisher.newAttempt(), continuingAfter lastPublishedVersion: UInt64? = nil,
        flushTimeout: Duration = .seconds(120), transactional: Bool = false, term: UInt64 = 0,
        logger: Logger = Logger(label: "m2grl.publish")
    ) {
        self.transactional = transactional
        self.term = term
        self.producer = producer
        self.topics = topics
        self.format = format
        self.flushTimeout = flushTimeout
        // 0 is never a valid version: after the last possible number nothing is accepted.
        let expected = lastPublishedVersion.map { $0 < VersionManifest.maxVersion ? $0 + 1 : 0 }
        self.state = Mutex(State(attempt: attempt, expectedVersion: expected))
        self.logger = logger
    }

    /// A random non-zero 64-bit attempt id.
    public static func newAttempt() -> UInt64 { UInt64.random(in: 1...UInt64.max) }

    /// The attempt id the next version is published under.
    public var attempt: UInt64 { state.withLock { $0.attempt } }

    /// Publishes all records of `version`, waits for their acknowledgement, then writes
    /// and awaits the manifest. On any failure no manifest is written (or it is unknown
    /// whether it was), the version does not count as published, and the publisher moves
    /// to a new attempt that must start with a snapshot.
    @discardableResult
    public func publish(_ version: EmbeddingVersion) async throws -> VersionManifest {
        let attempt = try begin(version)
        do {
            var manifest: VersionManifest
            if transactional {
                try producer.beginTransaction()
                do {
                    manifest = try await publishRecords(version, attempt: attempt)
                    try await producer.commitTransaction(timeout: flushTimeout)
                } catch {
                    try? await producer.abortTransaction(timeout: flushTimeout)
                    throw error
                }
            } else {
                manifest = try await publishRecords(version, attempt: attempt)
            }
            state.withLock {
                $0.busy = false
                $0.expectedVersion = version.version + 1
                $0.currentSnapshot = version.baseSnapshotVersion
            }
            logger.debug("published version", metadata: [
                "version": "\(version.version)", "kind": "\(version.kind.rawValue)", "records": "\(manifest.recordCount)",
            ])
            return manifest
        } catch {
            let next = Self.newAttempt()
            state.withLock {
                $0.busy = false
                $0.attempt = next
                $0.currentSnapshot = nil
            }
            logger.warning("publishing version \(version.version) failed; next attempt \(next) starts with a snapshot: \(error)")
            throw error
        }
    }

    private func begin(_ version: EmbeddingVersion) throws -> UInt64 {
        try VersionRecordEncoder.validate(version)
        return try state.withLock { s throws -> UInt64 in
            guard !s.busy else { throw PublicationError.publishInProgress }
            if let expected = s.expectedVersion, version.version != expected {
                guard expected != 0 else {
                    throw PublicationError.invalidVersion(version: version.version, reason: "no version number is left after the last published one")
                }
                throw PublicationError.outOfSequence(expected: expected, got: version.version)
            }
            if version.kind == .delta {
                guard let snapshot = s.currentSnapshot else { throw PublicationError.snapshotRequired(version: version.version) }
                guard version.baseSnapshotVersion == snapshot else {
                    throw PublicationError.deltaBaseMismatch(version: version.version, base: version.baseSnapshotVersion,
                                                             currentSnapshot: snapshot)
                }
            }
            s.busy = true
            return s.attempt
        }
    }

    private func publishRecords(_ version: EmbeddingVersion, attempt: UInt64) async throws -> VersionManifest {
        let partitions: Int
        do {
            partitions = try await producer.partitionCount(topic: topics.embeddings)
        } catch {
            throw PublicationError.deliveryFailed(version: version.version, reason: "partition count of \(topics.embeddings): \(error)")
        }
        let encoder = VersionRecordEncoder(topic: topics.embeddings, partitionCount: partitions, attempt: attempt, format: format)
        let failedBefore = producer.deliveryCounts.failed
        var manifest = try encoder.encode(version) { record in try producer.enqueue(record) }
        do {
            try await producer.flush(timeout: flushTimeout)
        } catch {
            throw PublicationError.deliveryFailed(version: version.version, reason: "\(error)")
        }
        let failed = producer.deliveryCounts.failed - failedBefore
        guard failed == 0 else {
            throw PublicationError.deliveryFailed(version: version.version, reason: "\(failed) records not acknowledged")
        }
        manifest.createdAtMs = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        manifest.term = term
        var headers = [
            KafkaHeader(key: PublicationHeaders.version, string: String(version.version)),
            KafkaHeader(key: PublicationHeaders.kind, string: version.kind.rawValue),
            KafkaHeader(key: PublicationHeaders.attempt, string: String(attempt)),
            KafkaHeader(key: PublicationHeaders.format, string: format.headerValue),
        ]
        if term > 0 { headers.append(KafkaHeader(key: PublicationHeaders.term, string: String(term))) }
        let record = KafkaProducerRecord(
            topic: topics.versions, key: Array(String(version.version).utf8), value: try manifest.encoded(), headers: headers)
        do {
            _ = try await producer.send(record)
        } catch {
            throw PublicationError.deliveryFailed(version: version.version, reason: "manifest: \(error)")
        }
        return manifest
    }
}
