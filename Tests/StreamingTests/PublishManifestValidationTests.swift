import Foundation
import Kafka
import Model
import Streaming
import Testing

/// Manifests of the versions topic that a reader must refuse: every number is checked
/// before it is used (docs/formats.md, "Manifest validation").
@Suite("Publish: manifest validation")
struct PublishManifestValidationTests {
    /// A genuine snapshot (v1: 40 items, 6 categories, 1 alignment) and delta (v2).
    static func genuine() throws -> (snapshot: VersionManifest, delta: VersionManifest) {
        var fixture = PublishFixture(seed: 41)
        var pub = InMemoryPublication()
        let snapshot = try pub.publish(fixture.snapshot(1), attempt: 7)
        let touched = fixture.step(changed: 3, added: 2)
        let delta = try pub.publish(fixture.delta(2, base: 1, touched: touched), attempt: 7)
        return (snapshot, delta)
    }

    static let max64 = String(UInt64.max)

    /// (what is wrong, the manifest to start from, how it is altered, words of the reason)
    static let forgeries: [(String, Bool, @Sendable (inout [String: Any]) -> Void, String)] = [
        ("one partition listed twice, counts 2^64-1 and 1", true, { f in
            f["partitions"] = [["partition": 0, "records": max64], ["partition": 0, "records": "1"]]
        }, "listed twice"),
        ("counts 2^64-1 and 1 on two partitions", true, { f in
            f["partitions"] = [["partition": 0, "records": max64], ["partition": 1, "records": "1"]]
        }, "overflow"),
        ("partition counts that do not add up to the record count", true, { f in
            f["partitions"] = [["partition": 0, "records": "5"]]
        }, "add up to 5"),
        ("version 2^64-1", true, { f in f["version"] = max64; f["baseSnapshotVersion"] = max64 }, "version"),
        ("version 0", true, { f in f["version"] = "0"; f["baseSnapshotVersion"] = "0" }, "version"),
        ("a snapshot whose base is above its version", true, { f in f["baseSnapshotVersion"] = "5" }, "base"),
        ("a delta whose base is its own version", false, { f in f["baseSnapshotVersion"] = "2" }, "base"),
        ("dim 0", true, { f in f["dim"] = 0 }, "dim"),
        ("dim 65,537", true, { f in f["dim"] = 65_537 }, "dim"),
        ("no partitions in the topic", true, { f in f["partitionCount"] = 0 }, "partition count"),
        ("a partition number beyond the partition count", true, { f in
            var parts = f["partitions"] as? [[String: Any]] ?? []
            parts[0]["partition"] = 3
            f["partitions"] = parts
        }, "partition 3"),
        ("more records of a view than rows", false, { f in
            var views = f["views"] as? [[String: Any]] ?? []
            views[0]["records"] = "1000"
            f["views"] = views
            f["recordCount"] = String(1000 + 2 + 1)
        }, "records"),
        ("a view of 2^40 rows", false, { f in
            var views = f["views"] as? [[String: Any]] ?? []
            views[0]["totalRows"] = String(UInt64(1) << 40)
            f["views"] = views
        }, "rows"),
        ("a record count that is not view records plus alignment records", true, { f in
            f["alignmentRecords"] = "2"
        }, "alignment"),
        ("a snapshot lacking a row of a view", true, { f in
            var views = f["views"] as? [[String: Any]] ?? []
            views[0]["totalRows"] = "41"
            f["views"] = views
        }, "snapshot"),
        ("an empty snapshot (no partitions, no records, checksum 0)", true, { f in
            f["partitions"] = [[String: Any]]()
            f["views"] = [[String: Any]]()
            f["alignmentRecords"] = "0"
            f["recordCount"] = "0"
            f["checksum"] = "0"
        }, "no record"),
        ("a view named twice", true, { f in
            var views = f["views"] as? [[String: Any]] ?? []
            views[1]["view"] = views[0]["view"]
            f["views"] = views
        }, "twice"),
        ("a log-variance that is not a number", true, { f in
            f["taskLogVariances"] = ["intra:item": "NaN"]
        }, "log-variance"),
    ]

    @Test("every forged number is refused with a reason, without a trap", arguments: 0..<forgeries.count)
    func forgedManifest(_ index: Int) throws {
        let (what, fromSnapshot, alter, words) = Self.forgeries[index]
        let (snapshot, delta) = try Self.genuine()
        var json = try ManifestJSON(fromSnapshot ? snapshot : delta)
        #expect(throws: Never.self, "the unaltered manifest decodes") { try VersionManifest.decode(json.bytes) }
        alter(&json.fields)
        do {
            let decoded = try VersionManifest.decode(json.bytes)
            Issue.record("\(what): accepted as version \(decoded.version)")
        } catch let error as PublicationError {
            #expect(error.description.contains(words), "\(what): \(error)")
        }
    }

    @Test("a manifest failing validation is skipped by the reader with its offset and reason; the versions around it stay readable")
    func readerSkipsForgedManifest() throws {
        let (pub, states) = try PublishAssemblerTests.chain(seed: 42)
        let json = try ManifestJSON.overflowingCounts(pub.manifests[4])
        var assembler = try pub.assembler()
        #expect(throws: PublicationError.self) { try assembler.addManifest(message: json.message(offset: 17)) }
        do {
            try assembler.addManifest(message: json.message(offset: 17))
        } catch {
            #expect("\(error)".contains("@17"), "names the offset: \(error)")
        }
        #expect(assembler.completeVersions().map(\.version) == [1, 2, 3, 4, 5])
        #expect(states[5]?.matches(try assembler.assemble().model) == true)
    }

    @Test("a snapshot manifest with base above its version, no partitions and checksum 0 is not a version")
    func baseAboveVersion() throws {
        let (pub, states) = try PublishAssemblerTests.chain(seed: 43)
        var json = try ManifestJSON(pub.manifests[0])
        json.fields["version"] = "6"
        json.fields["baseSnapshotVersion"] = "9"
        json.fields["partitions"] = [[String: Any]]()
        json.fields["views"] = [[String: Any]]()
        json.fields["alignmentRecords"] = "0"
        json.fields["recordCount"] = "0"
        json.fields["checksum"] = "0"
        var assembler = try pub.assembler()
        try? assembler.addManifest(message: json.message(offset: 5))
        #expect(assembler.status(of: 6) == .notFound)
        let rebuilt = try assembler.assemble()
        #expect(rebuilt.manifest.version == 5)
        #expect(states[5]?.matches(rebuilt.model) == true)
    }

    @Test("an empty snapshot manifest (zero records) never becomes the newest complete version")
    func emptySnapshot() throws {
        let (pub, states) = try PublishAssemblerTests.chain(seed: 44)
        let forged = VersionManifest(version: 6, attempt: 99, kind: .snapshot, baseSnapshotVersion: 6, dim: PublishFixture.dim,
                                     topic: "emb", partitionCount: 3, format: .json)
        var assembler = try pub.assembler()
        try? assembler.addManifest(message: ManifestJSON(forged).message(offset: 5))
        #expect(assembler.newestCompleteVersion?.version == 5)
        #expect(states[5]?.matches(try assembler.assemble().model) == true)
    }
}
