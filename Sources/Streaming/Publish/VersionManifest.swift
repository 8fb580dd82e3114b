import Foundation
import Kafka
import SwiftProtobuf

/// The manifest of one published version, written to the versions topic after every
/// record of the version was acknowledged. Wire form: `VersionManifest` of
/// docs/embeddings.proto.
public struct VersionManifest: Sendable, Equatable {
    /// What one version holds of one view.
    public struct ViewCount: Sendable, Equatable {
        public var name: String
        /// Node records of the view in this version.
        public var records: UInt64
        /// Rows of the view at this version (ids `0..<totalRows`).
        public var totalRows: UInt64

        public init(name: String, records: UInt64, totalRows: UInt64) {
            self.name = name
            self.records = records
            self.totalRows = totalRows
        }
    }

    public var version: UInt64
    public var attempt: UInt64
    public var kind: EmbeddingVersion.Kind
    public var baseSnapshotVersion: UInt64
    public var dim: Int
    /// The embeddings topic and its partition count when the version was written.
    public var topic: String
    public var partitionCount: Int
    /// Records per partition (partitions without records absent).
    public var recordsPerPartition: [Int32: UInt64]
    public var views: [ViewCount]
    public var alignmentRecords: UInt64
    public var recordCount: UInt64
    /// Wrapping sum of `PublicationHashing.recordChecksum` over the version's records.
    public var checksum: UInt64
    public var eventTimeWatermarkMs: Int64
    public var inputOffsets: [TopicPartition: Int64]
    public var taskLogVariances: [String: Double]
    public var createdAtMs: Int64
    public var format: PublicationFormat
    public var pipelineHash: String
    /// The scale-out leader term of the publisher (0: a single instance or an older one).
    public var term: UInt64

    public init(
        version: UInt64, attempt: UInt64, kind: EmbeddingVersion.Kind, baseSnapshotVersion: UInt64, dim: Int,
        topic: String, partitionCount: Int, recordsPerPartition: [Int32: UInt64] = [:], views: [ViewCount] = [],
        alignmentRecords: UInt64 = 0, recordCount: UInt64 = 0, checksum: UInt64 = 0,
        eventTimeWatermarkMs: Int64 = 0, inputOffsets: [TopicPartition: Int64] = [:],
        taskLogVariances: [String: Double] = [:], createdAtMs: Int64 = 0,
        format: PublicationFormat = .protobuf, pipelineHash: String = "", term: UInt64 = 0
    ) {
        self.version = version
        self.attempt = attempt
        self.kind = kind
        self.baseSnapshotVersion = baseSnapshotVersion
        self.dim = dim
        self.topic = topic
        self.partitionCount = partitionCount
        self.recordsPerPartition = recordsPerPartition
        self.views = views
        self.alignmentRecords = alignmentRecords
        self.recordCount = recordCount
        self.checksum = checksum
        self.eventTimeWatermarkMs = eventTimeWatermarkMs
        self.inputOffsets = inputOffsets
        self.taskLogVariances = taskLogVariances
        self.createdAtMs = createdAtMs
        self.format = format
        self.pipelineHash = pipelineHash
        self.term = term
    }

    /// The manifest's own encoding follows `format`.
    public func encoded() throws -> [UInt8] {
        let p = proto
        return format == .json ? try p.jsonUTF8Bytes() : try p.serializedBytes()
    }

    /// Decodes a manifest value (protobuf or JSON, told by `format` or guessed) and checks
    /// its numbers (`validate`).
    public static func decode(_ bytes: [UInt8], format: PublicationFormat? = nil) throws -> VersionManifest {
        let f = format ?? PublicationFormat.sniff(bytes)
        let p = f == .json ? try ProtoVersionManifest(jsonUTF8Bytes: bytes) : try ProtoVersionManifest(serializedBytes: bytes)
        return try VersionManifest(proto: p)
    }

    /// Decodes and validates a record of the versions topic; any failure is a
    /// `PublicationError.corruptRecord` located at the record's offset.
    public static func decode(message: KafkaMessage) throws -> VersionManifest {
        let location = "\(message.topicPartition)@\(message.offset)"
        guard let value = message.value else { throw PublicationError.corruptRecord(location: location, reason: "manifest without value") }
        do {
            return try decode(value, format: message.publicationFormat)
        } catch PublicationError.corruptRecord(let what, let reason) {
            throw PublicationError.corruptRecord(location: location, reason: "\(what): \(reason)")
        } catch {
            throw PublicationError.corruptRecord(location: location, reason: "manifest: \(error)")
        }
    }

    var proto: ProtoVersionManifest {
        var p = ProtoVersionManifest()
        p.version = version
        p.attempt = attempt
        p.kind = kind.proto
        p.baseSnapshotVersion = baseSnapshotVersion
        p.dim = UInt32(clamping: dim)
        p.topic = topic
        p.partitionCount = UInt32(clamping: partitionCount)
        p.partitions = recordsPerPartition.sorted { $0.key < $1.key }.map {
            var c = ProtoPartitionCount()
            c.partition = UInt32(bitPattern: $0.key)
            c.records = $0.value
            return c
        }
        p.views = views.map {
            var c = ProtoViewCount()
            c.view = $0.name
            c.records = $0.records
            c.totalRows = $0.totalRows
            return c
        }
        p.alignmentRecords = alignmentRecords
        p.recordCount = recordCount
        p.checksum = checksum
        p.eventTimeWatermarkMs = eventTimeWatermarkMs
        p.inputOffsets = inputOffsets.sorted { $0.key < $1.key }.map {
            var o = ProtoInputOffset()
            o.topic = $0.key.topic
            o.partition = $0.key.partition
            o.offset = $0.value
            return o
        }
        p.taskLogVariances = taskLogVariances
        p.createdAtMs = createdAtMs
        p.valueFormat = format.proto
        p.pipelineHash = pipelineHash
        p.term = term
        return p
    }

    init(proto p: ProtoVersionManifest) throws {
        func invalid(_ reason: String) -> PublicationError {
            .corruptRecord(location: "manifest of version \(p.version)", reason: reason)
        }
        guard let kind = EmbeddingVersion.Kind(proto: p.kind) else {
            throw invalid("unknown kind \(p.kind)")
        }
        guard let format = PublicationFormat(proto: p.valueFormat) else {
            throw invalid("unknown value format")
        }
        var perPartition: [Int32: UInt64] = [:]
        for c in p.partitions where c.records > 0 {
            guard c.partition <= UInt32(Int32.max) else {
                throw invalid("partition \(c.partition) out of range")
            }
            guard perPartition.updateValue(c.records, forKey: Int32(c.partition)) == nil else {
                throw invalid("partition \(c.partition) listed twice")
            }
        }
        var offsets: [TopicPartition: Int64] = [:]
        for o in p.inputOffsets { offsets[TopicPartition(o.topic, o.partition)] = o.offset }
        self.init(
            version: p.version, attempt: p.attempt, kind: kind, baseSnapshotVersion: p.baseSnapshotVersion,
            dim: Int(p.dim), topic: p.topic, partitionCount: Int(p.partitionCount), recordsPerPartition: perPartition,
            views: p.views.map { ViewCount(name: $0.view, records: $0.records, totalRows: $0.totalRows) },
            alignmentRecords: p.alignmentRecords, recordCount: p.recordCount, checksum: p.checksum,
            eventTimeWatermarkMs: p.eventTimeWatermarkMs, inputOffsets: offsets,
            taskLogVariances: p.taskLogVariances, createdAtMs: p.createdAtMs, format: format,
            pipelineHash: p.pipelineHash, term: p.term)
        try validate()
    }
}

extension EmbeddingVersion.Kind {
    var proto: ProtoVersionKind { self == .snapshot ? .snapshot : .delta }

    init?(proto: ProtoVersionKind) {
        switch proto {
        case .snapshot: self = .snapshot
        case .delta: self = .delta
        default: return nil
        }
    }
}
