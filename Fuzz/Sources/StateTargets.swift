import Foundation
import Model
@testable import Streaming

/// Values of the state store: one user's session state (`user-state`) and one partition's
/// event clock (`partition-clock`), each then handed to a session cutter the way a restarted
/// ingester does (`IngestDrive`), and one block of a walk ring (`walk-block`).
enum StateTargets {
    static let userState = FuzzTarget(name: "user-state", run: { bytes in
        guard let state = try? UserStateCodec.decode(bytes, user: "u") else { return false }
        // decode(encode(v)) == v for every state a reader accepted (a version-1 state is
        // written back as version 2).
        let again = Result { try UserStateCodec.decode(UserStateCodec.encode(state), user: "u") }
        FuzzCheck.require((try? again.get()) == state, "\(state) re-encoded decodes to \(again)")
        for config in IngestDrive.sessionConfigs {
            IngestDrive.run(config: config, state: state)
            IngestDrive.run(config: config, state: state, clock: PartitionClock(leader: .init(user: "u", millis: state.lastTimestamp)))
        }
        return true
    }, seeds: {
        let t0: Int64 = 1_700_000_000_000
        let first = Event(user: "u", item: "i1", timestampMillis: t0, action: "view", attributes: ["category": "c1", "shop": "s1"])
        let second = Event(user: "u", item: "i2", timestampMillis: t0 + 30_000)
        let session = EagerSessionCutter.OpenSession(
            startMillis: t0 - 60_000, lastMillis: t0, undecided: first, length: 1, lastKeptItem: "i0",
            held: [Event(user: "u", item: "i0", timestampMillis: t0 - 60_000)],
            cursor: SessionCursor(item: "i0", attributes: ["category": ["c0"]]))
        return [
            "empty": UserStateCodec.encode(EagerSessionCutter.UserState()),
            "pending": UserStateCodec.encode(EagerSessionCutter.UserState(eventCount: 2, lastTimestamp: t0 + 30_000, pending: [first, second])),
            "session": UserStateCodec.encode(EagerSessionCutter.UserState(
                eventCount: 4, lastTimestamp: t0 + 30_000, frontier: t0, pending: [second], session: session)),
            "over-active": UserStateCodec.encode(EagerSessionCutter.UserState(eventCount: 5000, lastTimestamp: t0, isOverActive: true)),
        ]
    })

    static let partitionClock = FuzzTarget(name: "partition-clock", run: { bytes in
        guard let clock = try? PartitionClockCodec.decode(bytes) else { return false }
        let again = Result { try PartitionClockCodec.decode(PartitionClockCodec.encode(clock)) }
        FuzzCheck.require((try? again.get()) == clock, "\(clock) re-encoded decodes to \(again)")
        // The users of the marks, and a user with an open session, go on from the restored clock.
        let state = EagerSessionCutter.UserState(
            eventCount: 1, lastTimestamp: 0, pending: [Event(user: "u", item: "i", timestampMillis: 0, attributes: ["shop": "s"])])
        for config in IngestDrive.sessionConfigs {
            IngestDrive.run(config: config, state: state, clock: clock)
            for mark in [clock.leader, clock.runnerUp].compactMap(\.self) {
                IngestDrive.run(config: config, user: mark.user, clock: clock)
            }
        }
        return true
    }, seeds: {
        let t0: Int64 = 1_700_000_000_000
        return [
            "empty": PartitionClockCodec.encode(PartitionClock()),
            "leader": PartitionClockCodec.encode(PartitionClock(leader: .init(user: "u1", millis: t0))),
            "two-users": PartitionClockCodec.encode(PartitionClock(leader: .init(user: "u1", millis: t0), runnerUp: .init(user: "u2", millis: t0 - 5000))),
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
