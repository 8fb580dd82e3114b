import Kafka
import Model
import SwiftProtobuf

/// Turns an `EmbeddingVersion` into the records of the embeddings topic (one per included
/// node row, one per alignment matrix) and tallies the manifest (counts per partition and
/// per view, checksum) while doing so. Pure: no Kafka calls, so it can be tested alone.
public struct VersionRecordEncoder: Sendable {
    public var topic: String
    public var partitionCount: Int
    public var attempt: UInt64
    public var format: PublicationFormat

    public init(topic: String, partitionCount: Int, attempt: UInt64, format: PublicationFormat = .protobuf) {
        self.topic = topic
        self.partitionCount = partitionCount
        self.attempt = attempt
        self.format = format
    }

    /// Checks `version`, then hands every record to `emit` in order (view rows, then
    /// alignments) and returns the manifest of what was emitted (`createdAtMs` left 0).
    public func encode(_ version: EmbeddingVersion, emit: (KafkaProducerRecord) throws -> Void) throws -> VersionManifest {
        try Self.validate(version)
        guard partitionCount > 0 else {
            throw PublicationError.invalidVersion(version: version.version, reason: "topic \(topic) has no partitions")
        }
        var manifest = VersionManifest(
            version: version.version, attempt: attempt, kind: version.kind,
            baseSnapshotVersion: version.baseSnapshotVersion, dim: version.dim, topic: topic,
            partitionCount: partitionCount, eventTimeWatermarkMs: version.eventTimeWatermarkMs,
            inputOffsets: version.inputOffsets, taskLogVariances: version.taskLogVariances,
            format: format, pipelineHash: version.pipelineHash)
        var base = ProtoEmbeddingRecord()
        base.version = version.version
        base.attempt = attempt
        base.kind = version.kind.proto
        base.baseSnapshotVersion = version.baseSnapshotVersion
        let dim = version.dim

        func emitRecord(_ key: RecordKey, view: String, _ record: ProtoEmbeddingRecord) throws {
            let keyBytes = key.bytes
            let value: [UInt8] = format == .json ? try record.jsonUTF8Bytes() : try record.serializedBytes()
            let partition = PublicationHashing.partition(key: keyBytes, partitionCount: partitionCount)
            manifest.recordsPerPartition[partition, default: 0] += 1
            manifest.recordCount += 1
            manifest.checksum &+= PublicationHashing.recordChecksum(key: keyBytes, value: value)
            try emit(KafkaProducerRecord(
                topic: topic, partition: partition, key: keyBytes, value: value,
                headers: PublicationHeaders.make(version: version.version, view: view, kind: version.kind,
                                                 attempt: attempt, format: format)))
        }

        for view in version.views {
            for (k, id) in view.ids.enumerated() {
                var node = ProtoNodeEmbedding()
                node.view = view.name
                node.id = id
                node.name = view.names[k]
                node.values = Array(view.values[(k * dim)..<((k + 1) * dim)])
                var record = base
                record.payload = .node(node)
                try emitRecord(.node(view: view.name, id: id), view: view.name, record)
            }
            manifest.views.append(.init(name: view.name, records: UInt64(view.ids.count), totalRows: UInt64(view.totalRows)))
        }
        for a in version.alignments {
            var m = ProtoAlignmentMatrix()
            m.sourceView = a.sourceView
            m.targetView = a.targetView
            m.activation = a.activation.rawValue
            m.rows = UInt32(a.matrix.rows)
            m.cols = UInt32(a.matrix.dim)
            m.values = a.matrix.values
            var record = base
            record.payload = .alignment(m)
            try emitRecord(.alignment(source: a.sourceView, target: a.targetView), view: PublicationHeaders.alignmentView, record)
            manifest.alignmentRecords += 1
        }
        return manifest
    }

    /// Throws `PublicationError.invalidVersion` naming the first inconsistency.
    public static func validate(_ v: EmbeddingVersion) throws {
        func fail(_ reason: String) -> PublicationError { .invalidVersion(version: v.version, reason: reason) }
        guard v.version >= 1, v.version <= VersionManifest.maxVersion else {
            throw fail("versions are numbered from 1 to \(VersionManifest.maxVersion)")
        }
        guard v.dim > 0, v.dim <= VersionManifest.maxDim else { throw fail("dim must be in 1...\(VersionManifest.maxDim), got \(v.dim)") }
        switch v.kind {
        case .snapshot:
            guard v.baseSnapshotVersion == v.version else { throw fail("a snapshot's base must be itself, got \(v.baseSnapshotVersion)") }
        case .delta:
            guard v.baseSnapshotVersion < v.version else {
                throw fail("a delta's base snapshot must be older, got \(v.baseSnapshotVersion)")
            }
        }
        var seenViews = Set<String>()
        for view in v.views {
            guard !view.name.isEmpty, !view.name.utf8.contains(0) else { throw fail("view name '\(view.name)' is empty or contains NUL") }
            guard seenViews.insert(view.name).inserted else { throw fail("view '\(view.name)' appears twice") }
            guard view.totalRows >= 0, view.totalRows <= Int(UInt32.max) else {
                throw fail("view '\(view.name)': totalRows \(view.totalRows) out of range")
            }
            guard view.names.count == view.ids.count else {
                throw fail("view '\(view.name)': \(view.names.count) names for \(view.ids.count) ids")
            }
            guard view.values.count == view.ids.count * v.dim else {
                throw fail("view '\(view.name)': \(view.values.count) values for \(view.ids.count) rows of dim \(v.dim)")
            }
            var previous: UInt32?
            for id in view.ids {
                guard Int(id) < view.totalRows else { throw fail("view '\(view.name)': id \(id) >= totalRows \(view.totalRows)") }
                if let p = previous, id <= p { throw fail("view '\(view.name)': ids not strictly ascending at \(id)") }
                previous = id
            }
            if v.kind == .snapshot && view.ids.count != view.totalRows {
                throw fail("view '\(view.name)': a snapshot needs all \(view.totalRows) rows, got \(view.ids.count)")
            }
        }
        var seenAlignments = Set<String>()
        for a in v.alignments {
            guard !a.sourceView.utf8.contains(0), !a.targetView.utf8.contains(0) else { throw fail("alignment view name contains NUL") }
            guard seenAlignments.insert(a.sourceView + "\u{0}" + a.targetView).inserted else {
                throw fail("alignment \(a.sourceView)->\(a.targetView) appears twice")
            }
        }
    }
}
