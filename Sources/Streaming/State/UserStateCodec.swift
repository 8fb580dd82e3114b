import Model
import Store

/// Binary layout of one user's `SessionCutter.UserState` (little-endian):
/// `version u8, eventCount u64, lastTimestamp i64, overActive u8, openCount u32`, then per
/// open event `item str, timestamp i64, hasAction u8, [action str], attributeCount u16,
/// (name str, value str)*`, where `str` is `u32 byte length + UTF-8`.
enum UserStateCodec {
    static let version: UInt8 = 1

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
        try bytes.withUnsafeBytes { raw in
            var r = LayoutReader(raw)
            let v: UInt8 = try r.read()
            guard v == version else { throw StoreError.decoding("session state version \(v), expected \(version)") }
            var state = SessionCutter.UserState()
            state.eventCount = Int(try r.read(UInt64.self))
            state.lastTimestamp = try r.read(Int64.self)
            state.isOverActive = try r.read(UInt8.self) != 0
            let n = Int(try r.read(UInt32.self))
            state.open.reserveCapacity(n)
            for _ in 0..<n {
                let item = try readString(&r, raw)
                let ts = try r.read(Int64.self)
                let action: String? = try r.read(UInt8.self) != 0 ? try readString(&r, raw) : nil
                let count = Int(try r.read(UInt16.self))
                var attributes: [String: String] = [:]
                for _ in 0..<count {
                    let k = try readString(&r, raw)
                    attributes[k] = try readString(&r, raw)
                }
                state.open.append(Event(user: user, item: item, timestampMillis: ts, action: action, attributes: attributes))
            }
            return state
        }
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
        guard start + n <= raw.count else { throw StoreError.decoding("session state: string past the end") }
        for _ in 0..<n { _ = try r.read(UInt8.self) }
        return String(decoding: UnsafeRawBufferPointer(rebasing: raw[start..<(start + n)]), as: UTF8.self)
    }
}
