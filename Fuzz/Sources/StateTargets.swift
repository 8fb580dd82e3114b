import Foundation
import Model
@testable import Streaming

/// Values of the state store: one user's session state (`user-state`, then handed to a
/// session cutter the way a restarted ingester does) and one block of a walk ring
/// (`walk-block`).
enum StateTargets {
    /// Cutter settings with every optional rule on, and without the event limit.
    static let sessionConfigs = [
        PipelineConfig.Sessions(gapSeconds: 1800, minLength: 2, minDwellSeconds: 1, maxEventsPerUser: 1_000_000),
        PipelineConfig.Sessions(gapSeconds: 0.001, minLength: 1),
    ]

    static let userState = FuzzTarget(name: "user-state", run: { bytes in
        guard let state = try? UserStateCodec.decode(bytes, user: "u") else { return false }
        // decode(encode(v)) == v for every state a reader accepted.
        let again = Result { try UserStateCodec.decode(UserStateCodec.encode(state), user: "u") }
        FuzzCheck.require((try? again.get()) == state, "\(state) re-encoded decodes to \(again)")
        // The cutter goes on from a restored state with events the decoder accepts (first
        // and last accepted times, in and out of order).
        let limits = EventLimits()
        for config in sessionConfigs {
            var cutter = SessionCutter(config: config)
            cutter.restore(user: "u", state: state)
            for t in [limits.maxTimestampMillis, limits.minTimestampMillis, limits.maxTimestampMillis] {
                _ = cutter.add(Event(user: "u", item: "x\(t)", timestampMillis: t))
            }
            _ = cutter.closeIdleSessions(at: limits.maxTimestampMillis)
            _ = cutter.evictIdleUsers(["u"])
            cutter.restore(user: "u", state: state)
            _ = cutter.finish()
        }
        return true
    }, seeds: {
        let open = [
            Event(user: "u", item: "i1", timestampMillis: 1_700_000_000_000, action: "view", attributes: ["category": "c1", "shop": "s1"]),
            Event(user: "u", item: "i2", timestampMillis: 1_700_000_030_000),
        ]
        return [
            "empty": UserStateCodec.encode(SessionCutter.UserState()),
            "open": UserStateCodec.encode(SessionCutter.UserState(eventCount: 2, lastTimestamp: 1_700_000_030_000, open: open)),
            "over-active": UserStateCodec.encode(SessionCutter.UserState(eventCount: 5000, lastTimestamp: 0, isOverActive: true)),
        ]
    })

    static let walkBlock = FuzzTarget(name: "walk-block", run: { bytes in
        var accepted = false
        for nodeCount in [0, 16] {
            guard let corpus = try? WalkBlockCodec.decode(bytes, nodeCount: nodeCount) else { continue }
            accepted = true
            // The layout is canonical: encode(decode(x)) == x.
            FuzzCheck.require(WalkBlockCodec.encode(corpus) == bytes, "\(corpus) re-encodes differently")
            let counted = bytes.withUnsafeBytes { try? WalkBlockCodec.walkCount($0) }
            FuzzCheck.require(counted == corpus.walkCount, "walkCount \(String(describing: counted)), decoded \(corpus.walkCount)")
            FuzzCheck.require(corpus.walkEnds.last ?? 0 == corpus.tokens.count, "last walk end is not the token count")
            FuzzCheck.require(nodeCount == 0 || corpus.tokens.allSatisfy { Int($0) < nodeCount }, "token outside the view")
            for i in 0..<corpus.walkCount where corpus.walkStart(i) > corpus.walkEnds[i] {
                FuzzCheck.require(false, "walk \(i) ends before it starts")
            }
        }
        return accepted
    }, seeds: {
        [
            "empty": WalkBlockCodec.encode(WalkCorpus()),
            "walks": WalkBlockCodec.encode(WalkCorpus(tokens: [0, 3, 5, 3, 1, 15, 2], walkEnds: [3, 3, 7], nodeCount: 16)),
        ]
    })
}
