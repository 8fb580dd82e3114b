import Model
import Store
@testable import Streaming
import Testing

/// Bugs found by the fuzz targets (docs/fuzzing.md); the minimised input of each is also in
/// Fuzz/corpus/<target>/crash-*, which `ops/fuzz ci` replays.
@Suite("Fuzz findings")
struct FuzzFindingsTests {
    @Test("session state: a stored event count leaves the cutter room to count (Int.max - 1 trapped at the second event)")
    func userStateEventCountHeadroom() throws {
        // Fuzz/corpus/user-state/crash-event-count-without-headroom: event count Int.max - 1, no open events.
        let bytes = [UserStateCodec.version] + le(UInt64(Int.max - 1)) + le(Int64(1_700_000_000_000)) + [0] + le(UInt32(0))
        #expect(throws: StoreError.self) { try UserStateCodec.decode(bytes, user: "u") }
        // The largest count accepted goes on counting.
        let largest = [UserStateCodec.version] + le(UserStateCodec.maxEventCount) + le(Int64(1_700_000_000_000)) + [0] + le(UInt32(0))
        var cutter = SessionCutter(config: PipelineConfig.Sessions())
        cutter.restore(user: "u", state: try UserStateCodec.decode(largest, user: "u"))
        for t: Int64 in [1_700_000_001_000, 1_700_000_002_000] { _ = cutter.add(Event(user: "u", item: "i", timestampMillis: t)) }
        #expect(cutter.state(ofUser: "u")?.eventCount == Int(UserStateCodec.maxEventCount) + 2)
    }

    private func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}
