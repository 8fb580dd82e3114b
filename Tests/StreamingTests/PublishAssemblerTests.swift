import Foundation
import Kafka
import Model
import ModelFiles
import Streaming
import Testing

/// Rebuilding versions from records and manifests, without Kafka (`VersionAssembler`).
@Suite("Publish: version assembly")
struct PublishAssemblerTests {
    /// v1 snapshot, v2-v3 deltas, v4 snapshot, v5 delta; `states[v]` the tables at v.
    static func chain(seed: UInt64, format: PublicationFormat = .protobuf) throws -> (InMemoryPublication, [UInt64: PublishFixture]) {
        var fixture = PublishFixture(seed: seed)
        var pub = InMemoryPublication()
        pub.format = format
        var states: [UInt64: PublishFixture] = [:]
        try pub.publish(fixture.snapshot(1), attempt: 7)
        states[1] = fixture
        for v: UInt64 in 2...5 {
            let touched = fixture.step(changed: 5, added: 3)
            if v == 4 {
                try pub.publish(fixture.snapshot(4), attempt: 7)
            } else {
                try pub.publish(fixture.delta(v, base: v < 4 ? 1 : 4, touched: touched), attempt: 7)
            }
            states[v] = fixture
        }
        return (pub, states)
    }

    @Test("delta and snapshot chains rebuild exactly the tables of every version")
    func chainRebuildEqualsFullSnapshot() throws {
        let (pub, states) = try Self.chain(seed: 11)
        let assembler = try pub.assembler()
        #expect(assembler.completeVersions().map(\.version) == [1, 2, 3, 4, 5])
        for v: UInt64 in 1...5 {
            let rebuilt = try assembler.assemble(version: v)
            #expect(rebuilt.manifest.version == v)
            #expect(states[v]?.matches(rebuilt.model) == true, "version \(v)")
        }
        // A delta rebuild equals a stand-alone snapshot of the same tables.
        var snapshotOnly = InMemoryPublication()
        try snapshotOnly.publish(try #require(states[3]).snapshot(3), attempt: 9)
        #expect(try snapshotOnly.assembler().assemble().model == assembler.assemble(version: 3).model)
        #expect(try assembler.assemble().manifest.version == 5)
    }

    @Test("an assembled version written as a model directory reads back unchanged (what m2grl snapshot writes)")
    func modelDirectoryRoundTrip() throws {
        let (pub, states) = try Self.chain(seed: 19)
        let rebuilt = try pub.assembler().assemble(version: 3)
        let dir = try TemporaryDirectory()
        let url = URL(fileURLWithPath: dir.path)
        try EmbeddingWriter().write(rebuilt.model, to: url, pipelineHash: "h", modelVersion: 3)
        let loaded = try EmbeddingReader().read(from: url)
        #expect(loaded.manifest.modelVersion == 3)
        #expect(states[3]?.matches(loaded.model) == true)
    }

    @Test("JSON values rebuild the same tables as protobuf")
    func jsonFormat() throws {
        let (pub, states) = try Self.chain(seed: 12, format: .json)
        #expect(pub.records.messages.allSatisfy { $0.value?.first == UInt8(ascii: "{") })
        let rebuilt = try pub.assembler().assemble()
        #expect(states[5]?.matches(rebuilt.model) == true)
        #expect(rebuilt.manifest.format == .json)
    }

    @Test("a version with a missing record, a wrong checksum or no manifest is never complete")
    func partialVersions() throws {
        var fixture = PublishFixture(seed: 13)
        var pub = InMemoryPublication()
        try pub.publish(fixture.snapshot(1), attempt: 1)
        let touched = fixture.step(changed: 4, added: 2)
        // Killed mid-version: part of the records, no manifest.
        try pub.publish(fixture.delta(2, base: 1, touched: touched), attempt: 1, keepRecords: 5)
        var a = try pub.assembler()
        #expect(a.status(of: 2) == .notFound)
        #expect(a.completeVersions().map(\.version) == [1])
        #expect(PublishFixture(seed: 13).matches(try a.assemble().model))
        #expect(throws: PublicationError.versionNotFound(version: 2, newestUsable: 1)) { try a.assemble(version: 2) }

        // A manifest whose records did not all arrive.
        var lossy = InMemoryPublication()
        try lossy.publish(PublishFixture(seed: 13).snapshot(1), attempt: 1, keepRecords: 20, writeManifest: true)
        a = try lossy.assembler()
        guard case .incomplete(let reason) = a.status(of: 1) else { Issue.record("expected incomplete"); return }
        #expect(reason.contains("records"))
        #expect(throws: PublicationError.noUsableVersion(manifests: 1, skipped: [SkippedVersion(version: 1, reason: reason)])) {
            try a.assemble()
        }
        #expect(throws: PublicationError.versionUnusable(version: 1, reason: reason, newestUsable: nil)) {
            try a.assemble(version: 1)
        }

        // Right counts, altered value: the checksum catches it.
        var altered = InMemoryPublication()
        try altered.publish(PublishFixture(seed: 13).snapshot(1), attempt: 1)
        altered.records.messages[3].value?[10] ^= 0xFF
        #expect(try altered.assembler().status(of: 1) == .incomplete(reason: "checksum mismatch"))
    }

    @Test("a restarted attempt is read apart from the records of a killed or zombie attempt with the same version numbers")
    func restartedAttempt() throws {
        var fixture = PublishFixture(seed: 14)
        var pub = InMemoryPublication()
        try pub.publish(fixture.snapshot(1), attempt: 1)
        let touched = fixture.step(changed: 6, added: 2)
        try pub.publish(fixture.delta(2, base: 1, touched: touched), attempt: 1, keepRecords: 7)
        // The restarted publisher (new attempt) republishes version 2 as a snapshot of other tables.
        var restarted = PublishFixture(seed: 99)
        try pub.publish(restarted.snapshot(2), attempt: 2)
        let touched3 = restarted.step(changed: 3, added: 1)
        try pub.publish(restarted.delta(3, base: 2, touched: touched3), attempt: 2)
        // The first publisher was not dead after all (a zombie): it writes part of its
        // version 3 after the new attempt's version 3, on the same keys.
        let zombieTouched = fixture.step(changed: 20, added: 0)
        try pub.publish(fixture.delta(3, base: 1, touched: zombieTouched), attempt: 1, keepRecords: 12)
        let a = try pub.assembler()
        #expect(a.completeVersions().map(\.version) == [1, 2, 3])
        #expect(restarted.matches(try a.assemble(version: 3).model))
        #expect(a.newestCompleteVersion?.attempt == 2)
    }

    @Test("a compacted topic (newest record per key) still rebuilds the newest complete version")
    func compactedTopic() throws {
        let (pub, states) = try Self.chain(seed: 15)
        #expect(pub.records.compacted.count < pub.records.messages.count)
        let a = try pub.assembler(compacted: true)
        let rebuilt = try a.assemble()
        #expect(rebuilt.manifest.version == 5)
        #expect(states[5]?.matches(rebuilt.model) == true)
        // Older versions lost records to compaction: they no longer count as complete.
        #expect(a.completeVersions().map(\.version) == [5])
    }

    @Test("a version whose rows are missing is passed over, saying why; asked for, it is an error naming the newest usable version")
    func missingRows() throws {
        var fixture = PublishFixture(seed: 16)
        var pub = InMemoryPublication()
        try pub.publish(fixture.snapshot(1), attempt: 1)
        _ = fixture.step(changed: 0, added: 2)
        // A delta that claims more rows than it and the snapshot hold (new rows left out).
        try pub.publish(fixture.delta(2, base: 1, touched: [:]), attempt: 1)
        let a = try pub.assembler()
        #expect(a.newestCompleteVersion?.version == 2, "complete by its counts")
        let rebuilt = try a.assemble()
        #expect(rebuilt.manifest.version == 1)
        #expect(PublishFixture(seed: 16).matches(rebuilt.model))
        let reason = "view 'item' lacks 2 rows (first missing id 40); no record of that row was read"
        #expect(rebuilt.skippedVersions == [SkippedVersion(version: 2, reason: reason)])
        #expect(throws: PublicationError.versionUnusable(version: 2, reason: reason, newestUsable: 1)) { try a.assemble(version: 2) }
    }

    @Test("keys, partitions and checksums follow the documented formulas")
    func keysAndHashes() throws {
        #expect(RecordKey.node(view: "item", id: 42).bytes == Array("item\u{0}42".utf8))
        #expect(RecordKey(bytes: Array("item\u{0}42".utf8)) == .node(view: "item", id: 42))
        #expect(RecordKey(bytes: RecordKey.alignment(source: "item", target: "shop").bytes) == .alignment(source: "item", target: "shop"))
        #expect(RecordKey(bytes: Array("item\u{0}042".utf8)) == nil)
        // Published FNV-1a test vectors.
        #expect(PublicationHashing.fnv1a32(Array("a".utf8)) == 0xE40C_292C)
        #expect(PublicationHashing.fnv1a64(Array("a".utf8)) == 0xAF63_DC4C_8601_EC8C)
        #expect(PublicationHashing.fnv1a64(Array("foo".utf8)) == PublicationHashing.fnv1a64(Array("fo".utf8), Array("o".utf8)))
        var pub = InMemoryPublication()
        let m = try pub.publish(PublishFixture(seed: 17).snapshot(1), attempt: 3)
        var sum: UInt64 = 0
        for r in pub.records.messages {
            let key = try #require(r.key)
            #expect(r.partition == Int32(PublicationHashing.fnv1a32(key) % 3))
            sum &+= PublicationHashing.fnv1a64(key, r.value ?? [])
        }
        #expect(m.checksum == sum)
        #expect(m.recordCount == UInt64(pub.records.messages.count))
        #expect(try VersionManifest.decode(m.encoded()) == m)
        var json = m
        json.format = .json
        #expect(try VersionManifest.decode(json.encoded()) == json)
    }

    @Test("inconsistent versions are refused before anything is sent")
    func validation() throws {
        var v = PublishFixture(seed: 18).snapshot(1)
        v.views[0].values.removeLast()
        #expect(throws: PublicationError.self) { try VersionRecordEncoder.validate(v) }
        var d = PublishFixture(seed: 18).delta(2, base: 2, touched: [:])
        #expect(throws: PublicationError.self) { try VersionRecordEncoder.validate(d) }
        d = PublishFixture(seed: 18).delta(2, base: 1, touched: ["item": [3, 1]])
        d.views[0].ids = [3, 1]
        #expect(throws: PublicationError.self) { try VersionRecordEncoder.validate(d) }
    }
}
