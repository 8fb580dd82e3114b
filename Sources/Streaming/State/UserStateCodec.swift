import Model
import Store

/// Binary layout of one user's `SessionCutter.UserState` (little-endian):
/// `version u8, eventCount u64, lastTimestamp i64, overActive u8, openCount u32`, then per
/// open event `item str, timestamp i64, hasAction u8, [action str], attributeCount u16,
/// (name str, value str)*`, where `str` is `u32 byte length + UTF-8`.
///
/// Decoding treats the bytes as untrusted: counts are bounded by the bytes left before
/// anything is reserved, numbers must fit what the session cutter does with them, and the
/// value must be consumed exactly; anything else is a `StoreError.decoding` naming the user.
enum UserStateCodec {
    static let version: UInt8 = 1
    /// Timestamps a stored state may hold: differences of two of them, and a session gap
    /// added to one, cannot overflow (`Int64.min` stays the "no event yet" mark of
    /// `lastTimestamp`). Accepted events are far inside (docs/ingestion.md).
    static let timestampRange: ClosedRange<Int64> = -(1 << 61)...(1 << 61)
    /// Largest event count a stored state may hold: the cutter adds one per event of the
    /// user, so a stored count must leave room for every event still to come (2^62 more).
    static let maxEventCount: UInt64 = 1 << 62
    /// Smallest encoding of one open event: item length, timestamp, action flag, attribute count.
    static let minimumOpenEventBytes = 4 + 8 + 1 + 2

    static func encode(_ state: SessionCutter.UserState) -> [UInt8] {
        var w = LayoutWriter(capacity: 32 + state.open.count * 48)
        w.write(version)
        w.write(UInt64(state.eventCount))
        w.write(state.lastTimestamp)
        w.write(UInt8(state.isOverActive ? 1 : 0))
        w.write(UInt32(state.open.count))
        var bytes = w.bytes
        for e in state.open {
            appendString(e.item, to: &bytes)
            appendInt(e.timestampMillis, to: &bytes)
            if let a = e.action {
                bytes.append(1)
                appendString(a, to: &bytes)
            } else {
                bytes.append(0)
            }
            appendInt(UInt16(e.attributes.count), to: &bytes)
            for (k, v) in e.attributes.sorted(by: { $0.key < $1.key }) {
                appendString(k, to: &bytes)
                appendString(v, to: &bytes)
            }
        }
        return bytes
    }

    static func decode(_ bytes: [UInt8], user: String) throws -> SessionCutter.UserState {
        do {
            return try bytes.withUnsafeBytes { try decode($0, user: user) }
        } catch StoreError.decoding(let why) {
            throw StoreError.decoding("session state of user '\(user)': \(why)")
        }
    }

    private static func decode(_ raw: UnsafeRawBufferPointer, user: String) throws -> SessionCutter.UserState {
        var r = LayoutReader(raw)
        let v: UInt8 = try r.read()
        guard v == version else { throw StoreError.decoding("version \(v), expected \(version)") }
        var state = SessionCutter.UserState()
        let eventCount = try r.read(UInt64.self)
        guard eventCount <= maxEventCount else { throw StoreError.decoding("event count \(eventCount) out of range") }
        state.eventCount = Int(eventCount)
        state.lastTimestamp = try r.read(Int64.self)
        guard state.lastTimestamp == .min || timestampRange.contains(state.lastTimestamp) else {
            throw StoreError.decoding("last timestamp \(state.lastTimestamp) out of range")
        }
        state.isOverActive = try r.read(UInt8.self) != 0
        let n = Int(try r.read(UInt32.self))
        guard n <= (raw.count - r.offset) / minimumOpenEventBytes else {
            throw StoreError.decoding("\(n) open events cannot fit in \(raw.count - r.offset) bytes")
        }
        state.open.reserveCapacity(n)
        for _ in 0..<n {
            let item = try readString(&r, raw)
            let ts = try r.read(Int64.self)
            guard timestampRange.contains(ts) else { throw StoreError.decoding("open event timestamp \(ts) out of range") }
            let action: String? = try r.read(UInt8.self) != 0 ? try readString(&r, raw) : nil
            let count = Int(try r.read(UInt16.self))
            var attributes: [String: String] = [:]
            for _ in 0..<count {
                let k = try readString(&r, raw)
                attributes[k] = try readString(&r, raw)
            }
            state.open.append(Event(user: user, item: item, timestampMillis: ts, action: action, attributes: attributes))
        }
        guard r.offset == raw.count else { throw StoreError.decoding("\(raw.count - r.offset) bytes after the last open event") }
        return state
    }

    private static func appendInt<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func appendString(_ s: String, to bytes: inout [UInt8]) {
        let utf8 = Array(s.utf8)
        appendInt(UInt32(utf8.count), to: &bytes)
        bytes.append(contentsOf: utf8)
    }

    private static func readString(_ r: inout LayoutReader, _ raw: UnsafeRawBufferPointer) throws -> String {
        let n = Int(try r.read(UInt32.self))
        let start = r.offset
        guard n <= raw.count - start else { throw StoreError.decoding("string past the end") }
        for _ in 0..<n { _ = try r.read(UInt8.self) }
        return String(decoding: UnsafeRawBufferPointer(rebasing: raw[start..<(start + n)]), as: UTF8.self)
    }
}
