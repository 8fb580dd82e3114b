import Streaming
import Telemetry
import Testing

@Suite("Readiness of serve and replay")
struct StreamReadinessTests {
    /// 10 s status interval, publish interval 2 s, lag bound 100, the defaults' multiples (3).
    private func readiness(publishing: Bool = true, replaying: Bool = false) -> StreamReadiness {
        var policy = ReadinessPolicy(maxLagMessages: 100, statusInterval: .seconds(10), publishInterval: publishing ? .seconds(2) : nil)
        policy.startsReplaying = replaying
        let r = StreamReadiness()
        r.configure(policy)
        return r
    }

    @Test("not ready before a status, above the lag bound, with no partitions, or with a stale status")
    func ingestion() {
        let r = readiness()
        #expect(r.readiness(nowMs: 1_000) == .notReady("ingestion has not reported a status yet"))
        r.ingestStatus(lag: nil, atMs: 1_000)
        #expect(r.readiness(nowMs: 1_000) == .notReady("no partitions assigned yet"))
        r.ingestStatus(lag: 101, atMs: 2_000)
        #expect(r.readiness(nowMs: 2_000) == .notReady("lag 101 messages is above 100"))
        r.ingestStatus(lag: 100, atMs: 3_000)
        #expect(r.readiness(nowMs: 3_000).ready)
        #expect(r.readiness(nowMs: 33_000).ready)   // exactly 3 status intervals
        #expect(r.readiness(nowMs: 33_001) == .notReady("the last ingest status is 30 s old (ingestion stalled?)"))
        #expect(StreamReadiness().readiness(nowMs: 0) == .notReady("starting"))
    }

    @Test("a trained change waiting more than 3 publish intervals makes it not ready until a version is out; nothing to publish is ready")
    func publication() {
        let r = readiness()
        r.ingestStatus(lag: 0, atMs: 10_000)
        #expect(r.readiness(nowMs: 10_000) == .ready("lag 0 messages, versions keep up"))
        r.trained(atMs: 10_000)
        r.trained(atMs: 15_000)   // the oldest waiting change counts
        #expect(r.readiness(nowMs: 16_000).ready)
        #expect(r.readiness(nowMs: 16_001) == .notReady("trained changes have waited 6 s for a version (more than 3 publish intervals)"))
        r.published(atMs: 16_500)
        #expect(r.readiness(nowMs: 17_000).ready)

        let off = readiness(publishing: false)
        off.ingestStatus(lag: 0, atMs: 0)
        off.trained(atMs: 0)
        #expect(off.readiness(nowMs: 20_000) == .ready("lag 0 messages, publication off"))
    }

    @Test("a replay is not ready until it continues live, then by serve's rules")
    func replay() {
        let r = readiness(replaying: true)
        r.ingestStatus(lag: 0, atMs: 0)
        #expect(!r.readiness(nowMs: 0).ready)
        #expect(r.readiness(nowMs: 0).reason.hasPrefix("replaying the log"))
        r.continueLive()
        #expect(r.readiness(nowMs: 0).ready)
    }

    @Test("bounds saturate instead of overflowing")
    func saturation() {
        var policy = ReadinessPolicy(maxLagMessages: .max, statusInterval: .seconds(Int64.max), publishInterval: .seconds(Int64.max))
        policy.publishIntervals = 1_000_000
        let r = StreamReadiness()
        r.configure(policy)
        r.ingestStatus(lag: .max, atMs: 0)
        r.trained(atMs: 0)
        #expect(r.readiness(nowMs: .max / 2).ready)
    }
}
