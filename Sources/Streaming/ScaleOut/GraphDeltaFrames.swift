import Kafka

/// How graph-delta records travel as Kafka records: one encoded record cut into parts of at
/// most `partBytes` (a record must stay below the broker's message size), each with headers
/// naming the record (writer, input partition and range) and the part (`i/n`).
public enum GraphDeltaFrames {
    public static let writerHeader = "m2grl.delta.writer"
    public static let sourceHeader = "m2grl.delta.source"
    public static let rangeHeader = "m2grl.delta.range"
    public static let partHeader = "m2grl.delta.part"
    public static let fingerprintHeader = "m2grl.fingerprint"

    /// The Kafka records of `record` for `topic` (partition 0), in order.
    public static func records(_ record: GraphDeltaRecord, encoded: [UInt8], topic: String, partBytes: Int) -> [KafkaProducerRecord] {
        let size = max(1, partBytes)
        let parts = max(1, (encoded.count + size - 1) / size)
        let key = Array("\(record.source.topic)/\(record.source.partition)".utf8)
        return (0..<parts).map { i in
            let slice = Array(encoded[min(encoded.count, i * size)..<min(encoded.count, (i + 1) * size)])
            return KafkaProducerRecord(topic: topic, partition: 0, key: key, value: slice, headers: [
                KafkaHeader(key: writerHeader, string: record.writer.description),
                KafkaHeader(key: sourceHeader, string: "\(record.source.topic)/\(record.source.partition)"),
                KafkaHeader(key: rangeHeader, string: "\(record.start)-\(record.end)"),
                KafkaHeader(key: partHeader, string: "\(i + 1)/\(parts)"),
                KafkaHeader(key: fingerprintHeader, string: String(record.fingerprint, radix: 16)),
            ])
        }
    }
}

/// Joins the parts of graph-delta records read from the log, in offset order (pure, so it
/// is tested alone). Parts of one record come one after the other from one producer, but
/// records of other writers may come between them. A group is abandoned when a part is
/// missing (another part number follows) or when a new record of the same input partition
/// starts (its writer died midway: the mark rule never applies it anyway).
public struct GraphDeltaParts: Sendable {
    /// A record whose parts are all in, or a message that is not a usable part.
    public enum Output: Sendable {
        case record(bytes: [UInt8], firstOffset: Int64, lastOffset: Int64)
        case malformed(offset: Int64, reason: String)
    }

    private struct Group: Sendable {
        var id: String
        var parts: Int
        var bytes: [UInt8]
        var next: Int
        var firstOffset: Int64
    }

    /// Incomplete records per input partition (`sourceHeader`).
    private var open: [String: Group] = [:]
    /// The most bytes a record may have (parts beyond it abandon the record).
    public let maxRecordBytes: Int

    public init(maxRecordBytes: Int = 256 << 20) { self.maxRecordBytes = maxRecordBytes }

    /// The lowest offset of a record still incomplete: a replica must re-read from there after
    /// a restart (nil: none open).
    public var holdOffset: Int64? { open.values.map(\.firstOffset).min() }

    public mutating func add(_ message: KafkaMessage) -> Output? {
        guard let source = message.header(GraphDeltaFrames.sourceHeader)?.stringValue,
              let part = message.header(GraphDeltaFrames.partHeader)?.stringValue,
              let writer = message.header(GraphDeltaFrames.writerHeader)?.stringValue,
              let range = message.header(GraphDeltaFrames.rangeHeader)?.stringValue
        else { return .malformed(offset: message.offset, reason: "graph-delta headers missing") }
        let numbers = part.split(separator: "/")
        guard numbers.count == 2, let i = Int(numbers[0]), let n = Int(numbers[1]), n >= 1, i >= 1, i <= n else {
            return .malformed(offset: message.offset, reason: "part '\(part)'")
        }
        let id = "\(writer) \(range)"
        let value = message.value ?? []
        if i == 1 {
            open[source] = nil
            if n == 1 { return .record(bytes: value, firstOffset: message.offset, lastOffset: message.offset) }
            open[source] = Group(id: id, parts: n, bytes: value, next: 2, firstOffset: message.offset)
            return nil
        }
        guard var group = open[source], group.id == id, group.parts == n, group.next == i else {
            // A part without the parts before it: its record can never be complete.
            if open[source]?.id == id { open[source] = nil }
            return .malformed(offset: message.offset, reason: "part \(i)/\(n) of \(id) without the parts before it")
        }
        open[source] = nil
        guard group.bytes.count <= maxRecordBytes - min(maxRecordBytes, value.count) else {
            return .malformed(offset: message.offset, reason: "record \(id) longer than \(maxRecordBytes) bytes")
        }
        group.bytes += value
        group.next += 1
        if i == n { return .record(bytes: group.bytes, firstOffset: group.firstOffset, lastOffset: message.offset) }
        open[source] = group
        return nil
    }
}
