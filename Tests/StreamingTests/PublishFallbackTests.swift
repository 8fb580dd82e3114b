import Foundation
import Kafka
import Model
import ModelFiles
import Streaming
import Testing

/// Versions that count as complete but cannot be rebuilt, and records a reader must not
/// trust: the assembler skips them and falls back to the newest version it can rebuild.
@Suite("Publish: untrusted records and fallback")
struct PublishFallbackTests {
    /// The records of (`version`, `attempt`) in `pub`.
    static func records(_ pub: InMemoryPublication, version: UInt64) -> [Int] {
        pub.records.messages.indices.filter {
            pub.records.messages[$0].header(PublicationHeaders.version)?.stringValue == String(version)
        }
    }

    /// The checksum of the records of `version` as they are now in `pub`.
    static func checksum(_ pub: InMemoryPublication, version: UInt64) -> UInt64 {
        records(pub, version: version).reduce(0) {
            let m = pub.records.messages[$1]
            return $0 &+ PublicationHashing.fnv1a64(m.key ?? [], m.value ?? [])
        }
    }

    @Test("an alignment record claiming 2^32-1 x 2^32-1 values makes its version unusable, not the reader crash")
    func alignmentSizeOverflow() throws {
        var (pub, states) = try PublishAssemblerTests.chain(seed: 51, format: .json)
        let index = try #require(Self.records(pub, version: 5).last)   // alignments come after the rows
        var record = try #require(try JSONSerialization.jsonObject(with: Data(pub.records.messages[index].value ?? [])) as? [String: Any])
        var alignment = try #require(record["alignment"] as? [String: Any])
        alignment["rows"] = UInt32.max
        alignment["cols"] = UInt32.max
        record["alignment"] = alignment
        pub.records.messages[index].value = Array(try JSONSerialization.data(withJSONObject: record))
        pub.manifests[4].checksum = Self.checksum(pub, version: 5)
        let assembler = try pub.assembler()
        #expect(assembler.completeVersions().map(\.version) == [1, 2, 3, 4, 5])
        let rebuilt = try assembler.assemble()
        #expect(rebuilt.manifest.version == 4)
        #expect(states[4]?.matches(rebuilt.model) == true)
        #expect(rebuilt.skippedVersions.map(\.version) == [5])
        #expect(rebuilt.skippedVersions.first?.reason.contains("alignment of 4294967295 x 4294967295") == true,
                "\(rebuilt.skippedVersions)")
    }

    @Test("a zero-record delta claiming 2^32 rows is refused before its tables are allocated")
    func hugeTableClaim() throws {
        var (pub, states) = try PublishAssemblerTests.chain(seed: 52)
        var forged = pub.manifests[4]
        forged.version = 6
        forged.recordsPerPartition = [:]
        forged.views = forged.views.map { .init(name: $0.name, records: 0, totalRows: UInt64(UInt32.max) + 1) }
        forged.alignmentRecords = 0
        forged.recordCount = 0
        forged.checksum = 0
        pub.manifests.append(forged)
        let rebuilt = try pub.assembler().assemble()
        #expect(rebuilt.manifest.version == 5)
        #expect(states[5]?.matches(rebuilt.model) == true)
        #expect(rebuilt.skippedVersions.map(\.version) == [6])
        #expect(rebuilt.skippedVersions.first?.reason.contains("floats") == true, "\(rebuilt.skippedVersions)")
    }

    @Test("undecodable records, and records whose key or dim disagree with their value, are skipped; the version still rebuilds")
    func untrustedRecordsSkipped() throws {
        var (pub, states) = try PublishAssemblerTests.chain(seed: 53, format: .json)
        // Rows of v4 (the base of v5) that v5 did not change: their newest record is of v4.
        let changedInFive = Set(Self.records(pub, version: 5).compactMap { pub.records.messages[$0].key })
        let keepers = Self.records(pub, version: 4).map { pub.records.messages[$0] }.filter {
            $0.header(PublicationHeaders.view)?.stringValue == "item" && !changedInFive.contains($0.key ?? [])
        }
        try #require(keepers.count >= 3)
        func forge(_ genuine: KafkaMessage, value: [UInt8]) {
            pub.records.append(KafkaProducerRecord(topic: genuine.topic, partition: genuine.partition, key: genuine.key,
                                                   value: value, headers: genuine.headers))
        }
        forge(keepers[0], value: Array("{not json".utf8))
        forge(keepers[1], value: keepers[2].value ?? [])                   // another row's value under this key
        var record = try #require(try JSONSerialization.jsonObject(with: Data(keepers[2].value ?? [])) as? [String: Any])
        var node = try #require(record["node"] as? [String: Any])
        node["values"] = (node["values"] as? [Any] ?? []).dropLast().map { $0 }   // one float less than dim
        record["node"] = node
        forge(keepers[2], value: Array(try JSONSerialization.data(withJSONObject: record)))
        let rebuilt = try pub.assembler().assemble()
        #expect(rebuilt.manifest.version == 5)
        #expect(states[5]?.matches(rebuilt.model) == true)
        #expect(rebuilt.skippedVersions.isEmpty)
        #expect(rebuilt.skippedRecordCount == 3)
        let reasons = rebuilt.skippedRecordExamples.joined(separator: "\n")
        #expect(reasons.contains("undecodable") && reasons.contains("different rows") && reasons.contains("values, dim is"), "\(reasons)")
    }

    /// Views that only grow (no row changes, no alignment): v1 snapshot, v2 and v3 deltas
    /// adding rows; then a publisher killed during v4 rewrote v2's new rows, and the topic
    /// was compacted.
    static func orphanedAfterCompaction() throws -> (InMemoryPublication, [UInt64: PublishFixture]) {
        var fixture = PublishFixture(seed: 54)
        var pub = InMemoryPublication()
        var states: [UInt64: PublishFixture] = [:]
        func growOnly(_ v: EmbeddingVersion) -> EmbeddingVersion {
            var v = v
            v.alignments = []
            return v
        }
        try pub.publish(growOnly(fixture.snapshot(1)), attempt: 3)
        states[1] = fixture
        for v: UInt64 in 2...3 {
            let added = fixture.step(changed: 0, added: 3)
            try pub.publish(growOnly(fixture.delta(v, base: 1, touched: added)), attempt: 3)
            states[v] = fixture
        }
        try pub.publish(growOnly(fixture.delta(4, base: 1, touched: ["item": [40, 41, 42]])), attempt: 3,
                        keepRecords: 3, writeManifest: false)
        pub.records.messages = pub.records.compacted
        return (pub, states)
    }

    @Test("orphan records of a killed publisher compacted over rows of the newest complete version: snapshot falls back")
    func orphanRecordsAfterCompaction() throws {
        let (pub, states) = try Self.orphanedAfterCompaction()
        let assembler = try pub.assembler()
        #expect(assembler.completeVersions().map(\.version) == [1, 3], "v2 lost records to compaction; v3 still counts")
        let rebuilt = try assembler.assemble()
        #expect(rebuilt.manifest.version == 1)
        #expect(states[1]?.matches(rebuilt.model, alignments: false) == true)
        #expect(rebuilt.skippedVersions.map(\.version) == [3, 2])
        let reason = "view 'item' lacks 3 rows (first missing id 40); the newest record of row 40 is of version 4 (attempt 3), outside this version's chain"
        #expect(rebuilt.skippedVersions.first?.reason == reason)
        #expect(throws: PublicationError.versionUnusable(version: 3, reason: reason, newestUsable: 1)) { try assembler.assemble(version: 3) }
    }

    @Test("m2grl snapshot through a broker: skips a trap manifest, falls back from an unusable newest version saying why, and fails on it when asked for it")
    func snapshotCommandFallsBack() async throws {
        try await withDeadline(120, "publish, forge, snapshot") {
            let setup = try PublishKafkaTests.Setup(partitions: 2)
            var fixture = PublishFixture(seed: 55, items: 12, categories: 3)
            let publisher = try setup.publisher(attempt: 1)
            let snapshot = try await publisher.publish(fixture.snapshot(1))
            let touched = fixture.step(changed: 2, added: 1)
            let delta = try await publisher.publish(fixture.delta(2, base: 1, touched: touched))
            // A manifest whose counts overflow, and a delta v3 of no records that claims 5 more
            // item rows than were ever published: complete by its counts, not rebuildable.
            var unusable = delta
            unusable.version = 3
            unusable.recordsPerPartition = [:]
            unusable.views = delta.views.map { .init(name: $0.name, records: 0, totalRows: $0.totalRows + ($0.name == "item" ? 5 : 0)) }
            unusable.alignmentRecords = 0
            unusable.recordCount = 0
            unusable.checksum = 0
            try await setup.forgeManifests([try ManifestJSON.overflowingCounts(snapshot).bytes, try unusable.encoded()])

            let dir = try TemporaryDirectory()
            let common = ["snapshot", "--brokers", setup.cluster.bootstrapServers, "--topic", setup.topics.embeddings, "--timeout", "30"]
            let newest = try ChildProcess(executable: try m2grlExecutable(), arguments: common + ["--out", dir.sub("newest")])
            try await newest.waitForExit(60, "m2grl snapshot")
            #expect(newest.process.terminationStatus == 0, "\(newest.log)")
            #expect(newest.log.contains("version 2 ("), "\(newest.log)")
            #expect(newest.log.contains("@2"), "names the offset of the manifest it skipped: \(newest.log)")
            #expect(newest.log.contains("version 3") && newest.log.contains("lacks 5 rows"), "\(newest.log)")
            let written = try EmbeddingReader().read(from: URL(fileURLWithPath: dir.sub("newest")))
            #expect(written.manifest.modelVersion == 2)
            #expect(fixture.matches(written.model))

            let explicit = try ChildProcess(executable: try m2grlExecutable(), arguments: common + ["--out", dir.sub("v3"), "--version", "3"])
            try await explicit.waitForExit(60, "m2grl snapshot --version 3")
            #expect(explicit.process.terminationReason == .exit && explicit.process.terminationStatus == 1, "\(explicit.log)")
            #expect(explicit.log.contains("version 3") && explicit.log.contains("is 2"), "\(explicit.log)")
        }
    }
}
