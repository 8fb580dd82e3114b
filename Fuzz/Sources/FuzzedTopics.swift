import Kafka
@testable import Streaming

/// The `assembler` target's input: records of the embeddings topic and the versions topic
/// in one byte string that libFuzzer's mutations mostly keep readable. Per message:
/// `flags u8, partition u8`, then four `LengthPrefixedFields`: version header, attempt
/// header, key, value (an empty header field: no header).
/// Flags: bit 0 set, a manifest of the versions topic (only its value is used), else a
/// record; bits 1-2 the `m2grl.format` header (none, protobuf, json, or an unknown value);
/// bit 3 on a manifest, "sealed": the harness sets its counts and checksum to those of the
/// records read so far for its version and attempt before adding it (checksums are a wall
/// a mutation cannot climb; sealing lets mutated records reach `rebuild`).
struct FuzzedTopics {
    enum Message {
        case record(KafkaMessage)
        case manifest(KafkaMessage, sealed: Bool)
    }

    private var fields: LengthPrefixedFields
    private var offset: Int64 = 0
    /// The records returned so far (for `seal`).
    private var records: [KafkaMessage] = []

    init(_ bytes: [UInt8]) { fields = LengthPrefixedFields(bytes) }

    mutating func next() -> Message? {
        guard let flags = fields.byte(), let partition = fields.byte().map(Int32.init),
              let version = fields.field(), let attempt = fields.field(), let key = fields.field(), let value = fields.field()
        else { return nil }
        offset += 1
        var headers: [KafkaHeader] = []
        if !version.isEmpty { headers.append(KafkaHeader(key: PublicationHeaders.version, value: version)) }
        if !attempt.isEmpty { headers.append(KafkaHeader(key: PublicationHeaders.attempt, value: attempt)) }
        if let format = Self.formats[Int(flags >> 1) & 3] { headers.append(KafkaHeader(key: PublicationHeaders.format, string: format)) }
        if flags & 1 == 1 {
            let message = KafkaMessage(topic: "emb.versions", partition: 0, offset: offset, key: key, value: value, headers: headers)
            return .manifest(message, sealed: flags & 8 != 0)
        }
        let message = KafkaMessage(topic: "emb", partition: partition, offset: offset, key: key, value: value, headers: headers)
        records.append(message)
        return .record(message)
    }

    /// Gives `m` the partition counts, record count and checksum of the records read so far
    /// for its version and attempt (alignment records take up the difference to its views).
    func seal(_ m: inout VersionManifest) {
        var perPartition: [Int32: UInt64] = [:]
        var checksum: UInt64 = 0
        for r in records
        where r.uint64Header(PublicationHeaders.version) == m.version && r.uint64Header(PublicationHeaders.attempt) == m.attempt {
            guard let key = r.key, RecordKey(bytes: key) != nil else { continue }
            perPartition[r.partition, default: 0] += 1
            checksum &+= PublicationHashing.recordChecksum(key: key, value: r.value ?? [])
        }
        let total = perPartition.values.reduce(0, +)
        let inViews = m.views.reduce(UInt64(0)) { $0 &+ $1.records }
        m.recordsPerPartition = perPartition
        m.recordCount = total
        m.checksum = checksum
        if total >= inViews { m.alignmentRecords = total - inViews }
    }

    static let formats: [String?] = [nil, PublicationFormat.protobuf.headerValue, PublicationFormat.json.headerValue, "x"]

    static func append(
        record partition: Int32, version: [UInt8], attempt: [UInt8], key: [UInt8], value: [UInt8], format: PublicationFormat,
        to out: inout [UInt8]
    ) {
        out += [formatFlags(format), UInt8(truncatingIfNeeded: partition)]
        for f in [version, attempt, key, value] { LengthPrefixedFields.append(f, to: &out) }
    }

    static func append(manifest value: [UInt8], format: PublicationFormat, sealed: Bool, to out: inout [UInt8]) {
        out += [1 | formatFlags(format) | (sealed ? 8 : 0), 0]
        for f in [[], [], Array("manifest".utf8), value] { LengthPrefixedFields.append(f, to: &out) }
    }

    private static func formatFlags(_ format: PublicationFormat) -> UInt8 { format == .json ? 4 : 2 }
}
