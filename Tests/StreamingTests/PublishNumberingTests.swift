import Foundation
import Kafka
import Model
import Streaming
import Testing

/// Where a restarted publisher continues numbering, and that no manifest can make the
/// numbering overflow or jump for good.
@Suite("Publish: version numbering")
struct PublishNumberingTests {
    /// Where a publisher continues after manifests of `versions`, in offset order, and how
    /// many it ignores.
    static func resume(_ versions: [UInt64]) -> (newest: UInt64?, ignored: Int) {
        var sequence = PublishedVersionSequence()
        for (offset, v) in versions.enumerated() { sequence.add(v, at: "versions@\(offset)") }
        return (sequence.newest, sequence.ignored.count)
    }

    static let huge: UInt64 = 1 << 63

    @Test("a single manifest jumping away from the sequence, before, inside or after it, is ignored",
          arguments: [
            ([1, 2, 3, huge], 3, 1),                         // forged last: the usual case
            ([1, 2, huge, 3, 4], 4, 1),                      // forged in between
            ([huge, 1, 2, 3], 3, 1),                         // forged first
            ([5, 6, 7, 2], 7, 1),                            // a step back is no better
            ([5, 6, 7, VersionManifest.maxVersion], 7, 1),   // even the last possible number
          ] as [([UInt64], UInt64, Int)])
    func singleForgedManifest(_ versions: [UInt64], _ newest: UInt64, _ ignored: Int) {
        let r = Self.resume(versions)
        #expect(r.newest == newest)
        #expect(r.ignored == ignored)
    }

    @Test("what a publisher writes is followed: retries of a number, a restart that continued, a jump confirmed by the next version",
          arguments: [
            ([1, 2, 3, 3, 4], 4, 0),                         // version 3 published again by a new attempt
            ([7], 7, 0),                                     // a single manifest: nothing to check it against
            ([1, 2, 3, 40, 41], 41, 0),                      // a jump (a checkpoint ahead of the topic) confirmed
            ([1, 2, 3, 40], 3, 1),                           // ... not yet confirmed: the checkpoint decides
            ([3, 9], 9, 1),                                  // nothing consecutive: the newest written
          ] as [([UInt64], UInt64, Int)])
    func genuineSequences(_ versions: [UInt64], _ newest: UInt64, _ ignored: Int) {
        let r = Self.resume(versions)
        #expect(r.newest == newest)
        #expect(r.ignored == ignored)
    }

    @Test("a publisher continuing after version 2^64-1 refuses every version instead of overflowing")
    func continuingAfterLastNumber() async throws {
        let producer = try KafkaProducer(configuration: .producer(bootstrapServers: "127.0.0.1:1"), logger: silentLogger)
        let publisher = EmbeddingPublisher(producer: producer, topics: PublicationTopics(embeddings: "emb"),
                                           continuingAfter: UInt64.max, logger: silentLogger)
        let fixture = PublishFixture(seed: 61, items: 3, categories: 1)
        var last = fixture.snapshot(5)
        last.version = UInt64.max
        last.baseSnapshotVersion = UInt64.max
        await #expect(throws: PublicationError.self) { try await publisher.publish(fixture.snapshot(5)) }
        await #expect(throws: PublicationError.self) { try await publisher.publish(last) }
        // The last number a version can have is 2^64-2: its successor must still be representable.
        #expect(throws: PublicationError.self) { try VersionRecordEncoder.validate(last) }
    }

    @Test("a forged manifest with a huge version, or one that fails validation, does not move where a restarted publisher continues")
    func forgedManifestsDoNotShiftNumbering() async throws {
        try await withDeadline(60, "publish, forge, resume") {
            let setup = try PublishKafkaTests.Setup(partitions: 2)
            var fixture = PublishFixture(seed: 62, items: 10, categories: 2)
            let first = try setup.publisher(attempt: 1)
            let genuine = try await first.publish(fixture.snapshot(1))
            try await first.publish(fixture.snapshot(2))
            // A manifest whose counts overflow (the trap of issue 17) and one jumping to 2^63.
            var huge = genuine
            huge.version = 1 << 63
            huge.baseSnapshotVersion = 1 << 63
            try await setup.forgeManifests([try ManifestJSON.overflowingCounts(genuine).bytes, try huge.encoded()])
            #expect(try await setup.lastPublished() == 2)

            let second = try setup.publisher(attempt: 2, after: try await setup.lastPublished())
            _ = fixture.step(changed: 2, added: 1)
            try await second.publish(fixture.snapshot(3))
            #expect(try await setup.lastPublished() == 3)
            let reader = try await setup.read()
            #expect(reader.newestCompleteVersion?.version == 3)
            #expect(fixture.matches(try reader.assemble().model))
        }
    }
}
