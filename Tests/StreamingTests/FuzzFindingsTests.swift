import Model
import Store
@testable import Streaming
import Testing

/// Bugs found by the fuzz targets (docs/fuzzing.md); the minimised input of each is also in
/// Fuzz/corpus/<target>/crash-*, which `ops/fuzz ci` replays.
@Suite("Fuzz findings")
struct FuzzFindingsTests {
    /// A state without pending events or session: version 1 `count, last, overActive,
    /// openCount`, version 2 `count, last, overActive, frontier, pendingCount, hasSession`.
    static func emptyState(version: UInt8, eventCount: UInt64) -> [UInt8] {
        let head = [version] + le(eventCount) + le(Int64(1_700_000_000_000)) + [0]
        return version == 1 ? head + le(UInt32(0)) : head + le(Int64.min) + le(UInt32(0)) + [0]
    }

    @Test("session state: a stored event count leaves the cutter room to count (Int.max - 1 trapped at the second event)",
          arguments: [UInt8(1), 2])
    func userStateEventCountHeadroom(version: UInt8) throws {
        // Fuzz/corpus/user-state/crash-event-count-without-headroom(-v2): event count Int.max - 1.
        #expect(throws: StoreError.self) { try UserStateCodec.decode(Self.emptyState(version: version, eventCount: UInt64(Int.max - 1)), user: "u") }
        #expect(throws: StoreError.self) { try UserStateCodec.decode(Self.emptyState(version: version, eventCount: UserStateCodec.maxEventCount + 1), user: "u") }
        // The largest count accepted goes on counting.
        let largest = try UserStateCodec.decode(Self.emptyState(version: version, eventCount: UserStateCodec.maxEventCount), user: "u")
        var cutter = EagerSessionCutter(config: PipelineConfig.Sessions())
        cutter.restore(user: "u", state: largest)
        for t: Int64 in [1_700_000_001_000, 1_700_000_002_000] { cutter.add(Event(user: "u", item: "i", timestampMillis: t)) }
        #expect(cutter.state(ofUser: "u")?.eventCount == Int(UserStateCodec.maxEventCount) + 2)
    }

    @Test("session state: a stored session length leaves the cutter room to count (was clamped to Int.max and trapped at the next kept item)")
    func userStateSessionLengthHeadroom() throws {
        // Fuzz/corpus/user-state/crash-session-length-without-headroom: a session whose length
        // (u64) is near UInt64.max, with an event the cutter keeps when it settles.
        let t: Int64 = 1_700_000_000_000
        func state(length: Int) -> EagerSessionCutter.UserState {
            let session = EagerSessionCutter.OpenSession(startMillis: t, lastMillis: t, length: length, lastKeptItem: "i0")
            return EagerSessionCutter.UserState(eventCount: 2, lastTimestamp: t + 1000,
                                                pending: [Event(user: "u", item: "i1", timestampMillis: t + 1000)], session: session)
        }
        #expect(throws: StoreError.self) { try UserStateCodec.decode(UserStateCodec.encode(state(length: Int.max)), user: "u") }
        #expect(throws: StoreError.self) { try UserStateCodec.decode(UserStateCodec.encode(state(length: Int(UserStateCodec.maxEventCount) + 1)), user: "u") }
        // The longest session accepted goes on counting its kept items.
        let longest = try UserStateCodec.decode(UserStateCodec.encode(state(length: Int(UserStateCodec.maxEventCount))), user: "u")
        var cutter = EagerSessionCutter(config: PipelineConfig.Sessions(minLength: 1))
        cutter.restore(user: "u", state: longest)
        var released: [String] = []
        _ = cutter.settle(watermark: t + 1000) { events, _ in released += events.map(\.item) }
        #expect(released == ["i1"])
        #expect(cutter.state(ofUser: "u")?.session?.length == Int(UserStateCodec.maxEventCount) + 1)
    }
}

private func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
