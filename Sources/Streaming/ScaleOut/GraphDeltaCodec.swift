import Kafka
import Model

/// Binary form of a `GraphDeltaRecord` (docs/formats.md, "Graph-delta records"). Integers
/// are unsigned LEB128 varints unless fixed (`u8`, `u64` little-endian); `str` is a varint
/// byte length and UTF-8; signed times are zigzag varints.
///
/// `"M2GD"`, version u8 (1), fingerprint u64, writer instance str, incarnation u64, input
/// topic str, partition, start, end, counters (events, dead lettered, dead letters lost, late,
/// over active, sessions closed), clock (per mark: present u8, [user str, millis]), names
/// (view count, per view: count, str*), attributes (count, (view, item, attribute,
/// position)*), edges
/// (count, (view, from, to, count)*), item edge times (count, (from, to, millis)*), users
/// (count, (user str, present u8, [state length, state bytes])*).
///
/// Decoding trusts nothing: every count is checked against the bytes left before anything is
/// reserved, numbers are range-checked before conversion, and user states must decode
/// (`UserStateCodec`) so that no replica ever stores a state it cannot load. A malformed
/// record throws `GraphDeltaCodec.Error`, never traps.
public enum GraphDeltaCodec {
    public static let magic: [UInt8] = Array("M2GD".utf8)
    public static let version: UInt8 = 1

    public struct Error: Swift.Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func encode(_ r: GraphDeltaRecord) -> [UInt8] {
        var w = ByteWriter()
        w.bytes.append(contentsOf: magic)
        w.u8(version)
        w.u64(r.fingerprint)
        w.string(r.writer.instance)
        w.u64(r.writer.incarnation)
        w.string(r.source.topic)
        w.varint(UInt64(UInt32(bitPattern: r.source.partition)))
        w.varint(UInt64(bitPattern: r.start))
        w.varint(UInt64(bitPattern: r.end))
        let c = r.counters
        for n in [c.events, c.deadLettered, c.deadLettersLost, c.late, c.overActive, c.sessionsClosed] { w.varint(n) }
        for mark in [r.clock.leader, r.clock.runnerUp] {
            guard let mark else {
                w.u8(0)
                continue
            }
            w.u8(1)
            w.string(mark.user)
            w.signed(mark.millis)
        }
        w.varint(UInt64(r.graph.names.count))
        for names in r.graph.names {
            w.varint(UInt64(names.count))
            for name in names { w.string(name) }
        }
        w.varint(UInt64(r.graph.attributes.count))
        for a in r.graph.attributes {
            w.varint(UInt64(a.view))
            w.varint(UInt64(a.item))
            w.varint(UInt64(a.attribute))
            w.varint(UInt64(a.position))
        }
        w.varint(UInt64(r.graph.edges.count))
        for e in r.graph.edges {
            w.varint(UInt64(e.view))
            w.varint(UInt64(e.from))
            w.varint(UInt64(e.to))
            w.varint(UInt64(e.count))
        }
        w.varint(UInt64(r.graph.itemEdgeTimes.count))
        for t in r.graph.itemEdgeTimes {
            w.varint(UInt64(t.from))
            w.varint(UInt64(t.to))
            w.signed(t.millis)
        }
        w.varint(UInt64(r.users.count))
        for u in r.users {
            w.string(u.user)
            if let state = u.state {
                w.u8(1)
                w.varint(UInt64(state.count))
                w.bytes.append(contentsOf: state)
            } else {
                w.u8(0)
            }
        }
        return w.bytes
    }

    /// Decodes one record; `maxViews` bounds the view count (the pipeline's, in practice).
    /// A malformed record throws `GraphDeltaCodec.Error`.
    public static func decode(_ bytes: [UInt8], maxViews: Int = 1_024) throws -> GraphDeltaRecord {
        try bytes.withUnsafeBytes { raw in try decode(raw, maxViews: maxViews) }
    }

    private static func decode(_ raw: UnsafeRawBufferPointer, maxViews: Int) throws(Error) -> GraphDeltaRecord {
        var r = ByteReader(raw)
        guard try r.fixed(4) == magic else { throw Error(description: "not a graph-delta record (magic)") }
        let v = try r.u8()
        guard v == version else { throw Error(description: "graph-delta record version \(v), this build reads \(version)") }
        let fingerprint = try r.u64()
        let writer = GraphDeltaRecord.Writer(instance: try r.string(), incarnation: try r.u64())
        let topic = try r.string()
        let partition = try r.varint(max: UInt64(Int32.max))
        let start = try r.varint(max: UInt64(Int64.max))
        let end = try r.varint(max: UInt64(Int64.max))
        guard end >= start else { throw Error(description: "range \(start)..<\(end) is empty backwards") }
        var counters = GraphDeltaRecord.Counters()
        counters.events = try r.varint()
        counters.deadLettered = try r.varint()
        counters.deadLettersLost = try r.varint()
        counters.late = try r.varint()
        counters.overActive = try r.varint()
        counters.sessionsClosed = try r.varint()
        var marks: [PartitionClock.Mark?] = []
        for _ in 0..<2 {
            if try r.u8() != 0 {
                marks.append(PartitionClock.Mark(user: try r.string(), millis: try r.signed()))
            } else {
                marks.append(nil)
            }
        }
        let viewCount = try r.count(minimumBytes: 1)
        guard viewCount <= maxViews else { throw Error(description: "\(viewCount) views") }
        var names: [[String]] = []
        for _ in 0..<viewCount {
            let n = try r.count(minimumBytes: 1)
            var view: [String] = []
            view.reserveCapacity(n)
            for _ in 0..<n { view.append(try r.string()) }
            names.append(view)
        }
        var attributes: [NamedGraphDelta.Attribute] = []
        for _ in 0..<(try r.count(minimumBytes: 4)) {
            attributes.append(.init(view: Int(try r.varint(max: UInt64(maxViews))), item: try r.id(), attribute: try r.id(),
                                    position: try r.id()))
        }
        var edges: [NamedGraphDelta.Edge] = []
        let edgeCount = try r.count(minimumBytes: 4)
        edges.reserveCapacity(edgeCount)
        for _ in 0..<edgeCount {
            edges.append(.init(view: Int(try r.varint(max: UInt64(maxViews))), from: try r.id(), to: try r.id(), count: try r.id()))
        }
        var times: [NamedGraphDelta.EdgeTime] = []
        for _ in 0..<(try r.count(minimumBytes: 3)) {
            times.append(.init(from: try r.id(), to: try r.id(), millis: try r.signed()))
        }
        var users: [GraphDeltaRecord.UserChange] = []
        for _ in 0..<(try r.count(minimumBytes: 2)) {
            let user = try r.string()
            guard try r.u8() != 0 else {
                users.append(.init(user: user, state: nil))
                continue
            }
            let state = try r.fixed(try r.count(minimumBytes: 1))
            do { _ = try UserStateCodec.decode(state, user: user) } catch {
                throw Error(description: "user \(user): \(error)")
            }
            users.append(.init(user: user, state: state))
        }
        guard r.remaining == 0 else { throw Error(description: "\(r.remaining) bytes after the end") }
        return GraphDeltaRecord(
            fingerprint: fingerprint, writer: writer, source: TopicPartition(topic, Int32(partition)),
            start: Int64(start), end: Int64(end), counters: counters,
            clock: PartitionClock(leader: marks[0], runnerUp: marks[1]),
            graph: NamedGraphDelta(names: names, attributes: attributes, edges: edges, itemEdgeTimes: times), users: users)
    }
}

/// Appends the primitives of `GraphDeltaCodec`.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }

    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Zigzag: small magnitudes of either sign stay short.
    mutating func signed(_ v: Int64) { varint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }

    mutating func string(_ s: String) {
        varint(UInt64(s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }
}

/// Reads the primitives of `GraphDeltaCodec` from untrusted bytes: every read is bounds-checked.
struct ByteReader {
    private let raw: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ raw: UnsafeRawBufferPointer) { self.raw = raw }

    var remaining: Int { raw.count - offset }

    private func truncated() -> GraphDeltaCodec.Error { GraphDeltaCodec.Error(description: "truncated at byte \(offset)") }

    mutating func u8() throws(GraphDeltaCodec.Error) -> UInt8 {
        guard remaining >= 1 else { throw truncated() }
        defer { offset += 1 }
        return raw[offset]
    }

    mutating func u64() throws(GraphDeltaCodec.Error) -> UInt64 {
        guard remaining >= 8 else { throw truncated() }
        defer { offset += 8 }
        return UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    mutating func fixed(_ n: Int) throws(GraphDeltaCodec.Error) -> [UInt8] {
        guard n >= 0, n <= remaining else { throw truncated() }
        defer { offset += n }
        return Array(raw[offset..<(offset + n)])
    }

    /// A varint of at most 10 bytes, at most `max`.
    mutating func varint(max: UInt64 = .max) throws(GraphDeltaCodec.Error) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try u8()
            guard shift < 64, shift < 63 || byte <= 1 else {
                throw GraphDeltaCodec.Error(description: "varint overflow at byte \(offset)")
            }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        guard value <= max else { throw GraphDeltaCodec.Error(description: "number \(value) above \(max) at byte \(offset)") }
        return value
    }

    mutating func signed() throws(GraphDeltaCodec.Error) -> Int64 {
        let z = try varint()
        return Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
    }

    /// A 32-bit id or count.
    mutating func id() throws(GraphDeltaCodec.Error) -> UInt32 { UInt32(try varint(max: UInt64(UInt32.max))) }

    /// A count of items taking at least `minimumBytes` each: never more than the bytes left allow.
    mutating func count(minimumBytes: Int) throws(GraphDeltaCodec.Error) -> Int {
        let n = try varint(max: UInt64(Int32.max))
        guard Int(n) <= remaining / max(1, minimumBytes) else {
            throw GraphDeltaCodec.Error(description: "\(n) entries cannot fit in \(remaining) bytes")
        }
        return Int(n)
    }

    mutating func string() throws(GraphDeltaCodec.Error) -> String {
        let n = try count(minimumBytes: 1)
        return String(decoding: try fixed(n), as: UTF8.self)
    }
}
