import Model
import Store

/// Binary layout of one user's `EagerSessionCutter.UserState` (little-endian; `str` is
/// `u32 byte length + UTF-8`, `values` is `viewCount u16, (view str, valueCount u16, value
/// str*)*`, `event` is `item str, timestamp i64, hasAction u8, [action str], values`):
///
/// version 3: `version u8, eventCount u64, lastTimestamp i64, overActive u8, frontier i64,
/// pendingCount u32, event*, hasSession u8`, and with a session `startMillis i64,
/// lastMillis i64, hasUndecided u8, [event], length u64, hasLastKeptItem u8, [str],
/// heldCount u32, event*, hasCursorItem u8, [str], values` (the cursor's last value set per
/// view).
///
/// Still read: version 2, the same with one value per view (`values` is `viewCount u16,
/// (view str, value str)*`), and version 1 (before eager transitions: `version u8,
/// eventCount u64, lastTimestamp i64, overActive u8, openCount u32, event*`, events as in
/// version 2), whose open events become pending.
///
/// Decoding trusts nothing: every count is checked against the bytes left before anything
/// is reserved, and a malformed value throws `StoreError.decoding`, never traps.
enum UserStateCodec {
    static let version: UInt8 = 3
    /// Timestamps a stored state may hold: differences of two of them, and a session gap
    /// added to one, cannot overflow (`Int64.min` stays the "none yet" mark of
    /// `lastTimestamp` and `frontier`). Accepted events are far inside (docs/ingestion.md).
    static let timestampRange: ClosedRange<Int64> = -(1 << 61)...(1 << 61)
    /// Largest event count a stored state may hold (either version), and largest length of its
    /// session: the cutter adds one per event of the user and one per kept item of the session,
    /// so a stored number must leave room for every event still to come (2^62 more).
    static let maxEventCount: UInt64 = 1 << 62

    static func encode(_ state: EagerSessionCutter.UserState) -> [UInt8] {
        var w = Writer()
        w.u8(version)
        w.u64(UInt64(clamping: state.eventCount))
        w.i64(state.lastTimestamp)
        w.u8(state.isOverActive ? 1 : 0)
        w.i64(state.frontier)
        w.events(state.pending)
        if let s = state.session {
            w.u8(1)
            w.i64(s.startMillis)
            w.i64(s.lastMillis)
            if let u = s.undecided {
                w.u8(1)
                w.event(u)
            } else {
                w.u8(0)
            }
            w.u64(UInt64(clamping: s.length))
            w.optionalString(s.lastKeptItem)
            w.events(s.held)
            w.optionalString(s.cursor.item)
            w.values(s.cursor.attributes)
        } else {
            w.u8(0)
        }
        return w.bytes
    }

    static func decode(_ bytes: [UInt8], user: String) throws -> EagerSessionCutter.UserState {
        do {
            return try bytes.withUnsafeBytes { try decode($0, user: user) }
        } catch StoreError.decoding(let why) {
            throw StoreError.decoding("session state of user '\(user)': \(why)")
        }
    }

    private static func decode(_ raw: UnsafeRawBufferPointer, user: String) throws -> EagerSessionCutter.UserState {
        var r = Reader(raw: raw, user: user)
        let v = try r.u8()
        guard (1...version).contains(v) else { throw StoreError.decoding("version \(v), expected 1 to \(version)") }
        r.multiValued = v >= 3
        var state = EagerSessionCutter.UserState()
        let eventCount = try r.u64()
        guard eventCount <= maxEventCount else { throw StoreError.decoding("event count \(eventCount) out of range") }
        state.eventCount = Int(eventCount)
        state.lastTimestamp = try r.time(orNone: true)
        state.isOverActive = try r.u8() != 0
        if v == 1 {
            state.pending = try r.events()
            try r.end()
            return state
        }
        state.frontier = try r.time(orNone: true)
        state.pending = try r.events()
        if try r.u8() != 0 {
            var s = EagerSessionCutter.OpenSession(startMillis: try r.time(), lastMillis: try r.time())
            if try r.u8() != 0 { s.undecided = try r.event() }
            let length = try r.u64()
            guard length <= maxEventCount else { throw StoreError.decoding("session length \(length) out of range") }
            s.length = Int(length)
            s.lastKeptItem = try r.optionalString()
            s.held = try r.events()
            s.cursor.item = try r.optionalString()
            s.cursor.attributes = try r.values()
            state.session = s
        }
        try r.end()
        return state
    }

    private struct Writer {
        var bytes: [UInt8] = []

        mutating func u8(_ v: UInt8) { bytes.append(v) }
        mutating func int<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        mutating func u64(_ v: UInt64) { int(v) }
        mutating func i64(_ v: Int64) { int(v) }

        mutating func string(_ s: String) {
            int(UInt32(clamping: s.utf8.count))
            bytes.append(contentsOf: s.utf8)
        }

        mutating func optionalString(_ s: String?) {
            u8(s == nil ? 0 : 1)
            if let s { string(s) }
        }

        mutating func values(_ values: [String: [String]]) {
            int(UInt16(clamping: values.count))
            for (view, list) in values.sorted(by: { $0.key < $1.key }).prefix(Int(UInt16.max)) {
                string(view)
                int(UInt16(clamping: list.count))
                for value in list.prefix(Int(UInt16.max)) { string(value) }
            }
        }

        mutating func event(_ e: Event) {
            string(e.item)
            i64(e.timestampMillis)
            optionalString(e.action)
            values(e.attributes)
        }

        mutating func events(_ events: [Event]) {
            int(UInt32(clamping: events.count))
            for e in events { event(e) }
        }
    }

    private struct Reader {
        var r: LayoutReader
        let raw: UnsafeRawBufferPointer
        let user: String
        /// Version 3: a list of values per view.
        var multiValued = true

        init(raw: UnsafeRawBufferPointer, user: String) {
            self.r = LayoutReader(raw)
            self.raw = raw
            self.user = user
        }

        var remaining: Int { raw.count - r.offset }

        mutating func u8() throws -> UInt8 { try r.read(UInt8.self) }
        mutating func u64() throws -> UInt64 { try r.read(UInt64.self) }
        mutating func i64() throws -> Int64 { try r.read(Int64.self) }

        /// A timestamp within `timestampRange` (or `Int64.min`, "none yet", where allowed).
        mutating func time(orNone: Bool = false) throws -> Int64 {
            let t = try i64()
            guard (orNone && t == .min) || timestampRange.contains(t) else { throw StoreError.decoding("timestamp \(t) out of range") }
            return t
        }

        mutating func string() throws -> String {
            let n = Int(try r.read(UInt32.self))
            guard n <= remaining else { throw StoreError.decoding("a string of \(n) bytes past the end") }
            let start = r.offset
            for _ in 0..<n { _ = try r.read(UInt8.self) }
            return String(decoding: UnsafeRawBufferPointer(rebasing: raw[start..<(start + n)]), as: UTF8.self)
        }

        mutating func optionalString() throws -> String? { try u8() != 0 ? try string() : nil }

        /// A count of items taking at least `minimumBytes` each: never more than the bytes left allow.
        mutating func count<T: FixedWidthInteger>(_: T.Type, minimumBytes: Int) throws -> Int {
            let n = Int(try r.read(T.self))
            guard n <= remaining / minimumBytes else {
                throw StoreError.decoding("\(n) entries cannot fit in \(remaining) bytes")
            }
            return n
        }

        /// Attribute values per view: lists (version 3), or one value per view (before).
        mutating func values() throws -> [String: [String]] {
            let n = try count(UInt16.self, minimumBytes: multiValued ? 6 : 8)
            var values: [String: [String]] = [:]
            for _ in 0..<n {
                let view = try string()
                if !multiValued {
                    values[view] = [try string()]
                    continue
                }
                let m = try count(UInt16.self, minimumBytes: 4)
                var list: [String] = []
                list.reserveCapacity(m)
                for _ in 0..<m { list.append(try string()) }
                values[view] = list
            }
            return values
        }

        mutating func event() throws -> Event {
            let item = try string()
            let t = try time()
            let action = try optionalString()
            return Event(user: user, item: item, timestampMillis: t, action: action, attributeValues: try values())
        }

        /// Event size at least: item length 4, time 8, action flag 1, attribute count 2.
        mutating func events() throws -> [Event] {
            let n = try count(UInt32.self, minimumBytes: 15)
            var events: [Event] = []
            events.reserveCapacity(n)
            for _ in 0..<n { events.append(try event()) }
            return events
        }

        func end() throws {
            guard remaining == 0 else { throw StoreError.decoding("\(remaining) bytes after the end") }
        }
    }
}
