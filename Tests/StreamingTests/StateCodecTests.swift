import Foundation
import Model
import Store
@testable import Streaming
import Testing

/// Little-endian bytes of `value`.
private func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

/// Decoders of the ingest state's binary values (session states, walk blocks) against
/// corrupt bytes: every corrupt value is a thrown error, never a trap or a huge allocation.
@Suite("State codecs")
struct StateCodecTests {
    static let pending = [
        Event(user: "u", item: "i1", timestampMillis: 1_700_000_000_000, action: "view", attributes: ["category": "c", "shop": "s"]),
        Event(user: "u", item: "i3", timestampMillis: 1_700_000_000_500, action: nil, attributeValues: ["category": ["c1", "c2", "c3"]]),
        Event(user: "u", item: "i\\2", timestampMillis: 1_700_000_001_000, action: nil, attributes: [:]),
    ]
    static let state = EagerSessionCutter.UserState(
        eventCount: 7, lastTimestamp: 1_700_000_001_000, isOverActive: true, frontier: 1_699_999_990_000,
        pending: pending,
        session: EagerSessionCutter.OpenSession(
            startMillis: 1_699_999_900_000, lastMillis: 1_699_999_990_000,
            undecided: Event(user: "u", item: "i0", timestampMillis: 1_699_999_990_000), length: 2, lastKeptItem: "i9",
            held: [Event(user: "u", item: "i9", timestampMillis: 1_699_999_950_000, attributes: ["shop": "s9"])],
            cursor: SessionCursor(item: "i8", attributes: ["category": ["c8", "c7"], "shop": ["s8"]])))

    /// The fixed header: version, event count, last timestamp, over-active flag, frontier, pending
    /// count (a whole state with no pending events and no session adds the session flag 0).
    static func header(eventCount: UInt64 = 1, lastTimestamp: Int64 = 0, openCount: UInt32 = 0) -> [UInt8] {
        [UserStateCodec.version] + le(eventCount) + le(lastTimestamp) + [0] + le(Int64.min) + le(openCount)
    }

    @Test("session state: round trip")
    func userStateRoundTrip() throws {
        let decoded = try UserStateCodec.decode(UserStateCodec.encode(Self.state), user: "u")
        #expect(decoded == Self.state)
        let plain = EagerSessionCutter.UserState(eventCount: 1)
        #expect(try UserStateCodec.decode(UserStateCodec.encode(plain), user: "u") == plain)
    }

    /// Single-valued events as versions 1 and 2 wrote them (one value per view).
    static let singleValued = [pending[0], pending[2]]

    static func str(_ s: String) -> [UInt8] { le(UInt32(s.utf8.count)) + Array(s.utf8) }

    /// `(view str, value str)*` with its count, as versions 1 and 2 wrote attributes.
    static func singleValues(_ values: [String: [String]]) -> [UInt8] {
        values.sorted(by: { $0.key < $1.key }).reduce(le(UInt16(values.count))) { $0 + str($1.key) + str($1.value[0]) }
    }

    static func version2Event(_ e: Event) -> [UInt8] {
        str(e.item) + le(e.timestampMillis) + (e.action.map { [1] + str($0) } ?? [0]) + singleValues(e.attributes)
    }

    @Test("session state: a version-1 state (open events, before eager transitions) is read with its events pending")
    func userStateVersion1() throws {
        var bytes: [UInt8] = [1] + le(UInt64(3)) + le(Int64(1_700_000_001_000)) + [0] + le(UInt32(2))
        for e in Self.singleValued { bytes += Self.version2Event(e) }
        let decoded = try UserStateCodec.decode(bytes, user: "u")
        #expect(decoded == EagerSessionCutter.UserState(eventCount: 3, lastTimestamp: 1_700_000_001_000, pending: Self.singleValued))
    }

    @Test("session state: a version-2 state (one attribute value per view) is read, its cursor included")
    func userStateVersion2() throws {
        var bytes: [UInt8] = [2] + le(UInt64(3)) + le(Int64(1_700_000_001_000)) + [0] + le(Int64(1_699_999_990_000)) + le(UInt32(2))
        for e in Self.singleValued { bytes += Self.version2Event(e) }
        bytes += [1] + le(Int64(1_699_999_900_000)) + le(Int64(1_699_999_990_000)) + [0] + le(UInt64(2)) + [0] + le(UInt32(0))
        bytes += [1] + Self.str("i8") + Self.singleValues(["category": ["c8"], "shop": ["s8"]])
        let decoded = try UserStateCodec.decode(bytes, user: "u")
        #expect(decoded.pending == Self.singleValued)
        #expect(decoded.frontier == 1_699_999_990_000)
        #expect(decoded.session?.cursor == SessionCursor(item: "i8", attributes: ["category": ["c8"], "shop": ["s8"]]))
        #expect(decoded.session?.length == 2)
    }

    @Test("session state: every truncation throws")
    func userStateTruncated() throws {
        let bytes = UserStateCodec.encode(Self.state)
        for n in 0..<bytes.count {
            #expect(throws: StoreError.self, "\(n) of \(bytes.count) bytes") { try UserStateCodec.decode(Array(bytes.prefix(n)), user: "u") }
        }
        #expect(throws: StoreError.self) { try UserStateCodec.decode(bytes + [0], user: "u") }
    }

    @Test("session state: an event count beyond Int throws (was a trap in Int(UInt64))")
    func userStateEventCount() {
        #expect(throws: StoreError.self) { try UserStateCodec.decode(Self.header(eventCount: 1 << 63), user: "u") }
        #expect(throws: StoreError.self) { try UserStateCodec.decode(Self.header(eventCount: UInt64(Int64.max)), user: "u") }
    }

    @Test("session state: an open-event count larger than the bytes can hold throws before reserving")
    func userStateOpenCount() {
        #expect(throws: StoreError.self) { try UserStateCodec.decode(Self.header(openCount: .max), user: "u") }
        #expect(throws: StoreError.self) { try UserStateCodec.decode(Self.header(openCount: 2) + [UInt8](repeating: 0, count: 20), user: "u") }
    }

    @Test("session state: timestamps whose differences would overflow throw")
    func userStateTimestamps() {
        #expect(throws: StoreError.self) { try UserStateCodec.decode(Self.header(lastTimestamp: .max), user: "u") }
        // The never-seen sentinel (`Int64.min`) is valid for the last timestamp.
        #expect((try? UserStateCodec.decode(Self.header(lastTimestamp: .min) + [0], user: "u")) != nil)
        var event = Self.state
        event.pending[0].timestampMillis = .min + 1
        #expect(throws: StoreError.self) { try UserStateCodec.decode(UserStateCodec.encode(event), user: "u") }
    }

    @Test("session state: errors name the user")
    func userStateErrorNamesUser() {
        #expect {
            try UserStateCodec.decode(Self.header(openCount: .max), user: "user-42")
        } throws: { "\($0)".contains("user-42") }
    }

    @Test("session state: random byte damage throws or decodes, never traps")
    func userStateDamage() {
        let bytes = UserStateCodec.encode(Self.state)
        var rng = Xoshiro256StarStar(seed: 5)
        for _ in 0..<2_000 {
            var damaged = bytes
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                damaged[Int.random(in: 0..<damaged.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            _ = try? UserStateCodec.decode(damaged, user: "u")
        }
    }

    static let corpus = WalkCorpus(tokens: [0, 1, 2, 2, 1, 5], walkEnds: [3, 6], nodeCount: 6)

    @Test("walk block: round trip, and the header check agrees")
    func walkBlockRoundTrip() throws {
        let bytes = WalkBlockCodec.encode(Self.corpus)
        #expect(try WalkBlockCodec.decode(bytes, nodeCount: 6) == Self.corpus)
        #expect(try bytes.withUnsafeBytes { try WalkBlockCodec.walkCount($0) } == 2)
        #expect(try WalkBlockCodec.decode(WalkBlockCodec.encode(WalkCorpus())).walkCount == 0)
    }

    @Test("walk block: a walk count larger than the bytes can hold throws (header check too)")
    func walkBlockHugeCount() {
        let bytes = le(UInt32.max) + le(UInt32(1)) + le(UInt32(0))
        #expect(throws: StoreError.self) { try WalkBlockCodec.decode(bytes) }
        #expect(throws: StoreError.self) { try bytes.withUnsafeBytes { try WalkBlockCodec.walkCount($0) } }
        #expect(throws: StoreError.self) { try [UInt8]([1, 0]).withUnsafeBytes { try WalkBlockCodec.walkCount($0) } }
    }

    @Test("walk block: descending walk ends throw (a corpus with them traps when a walk is read)")
    func walkBlockDescendingEnds() {
        // 2 walks, ends 3 then 1: the size matches the last end (1 token).
        let bytes = le(UInt32(2)) + le(UInt32(3)) + le(UInt32(1)) + le(UInt32(0))
        #expect(throws: StoreError.self) { try WalkBlockCodec.decode(bytes) }
    }

    @Test("walk block: a token outside the vocabulary throws when the vocabulary size is given")
    func walkBlockTokenRange() throws {
        let bytes = WalkBlockCodec.encode(Self.corpus)
        #expect(throws: StoreError.self) { try WalkBlockCodec.decode(bytes, nodeCount: 5) }
        #expect(try WalkBlockCodec.decode(bytes).tokens == Self.corpus.tokens, "no vocabulary size: tokens are not checked")
    }

    @Test("walk block: every truncation and random damage throws or decodes, never traps")
    func walkBlockDamage() {
        let bytes = WalkBlockCodec.encode(Self.corpus)
        for n in 0..<bytes.count {
            #expect(throws: StoreError.self) { try WalkBlockCodec.decode(Array(bytes.prefix(n))) }
        }
        var rng = Xoshiro256StarStar(seed: 6)
        for _ in 0..<2_000 {
            var damaged = bytes
            damaged[Int.random(in: 0..<damaged.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            if let corpus = try? WalkBlockCodec.decode(damaged, nodeCount: 6) {
                for w in 0..<corpus.walkCount { _ = corpus.walk(w) }
                #expect(corpus.tokens.allSatisfy { $0 < 6 })
            }
        }
    }
}
