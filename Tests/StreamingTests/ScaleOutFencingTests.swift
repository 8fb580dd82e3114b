import Foundation
import Kafka
import Model
@testable import Streaming
import Testing

/// Leader terms in the versions topic (docs/scale-out.md, "What readers do"): a fence and the
/// manifests after it decide which leader's versions count.
@Suite("Scale-out: terms and fences in the versions topic")
struct ScaleOutFencingTests {
    /// The versions topic as records: manifests (version, term, attempt) and fences (term).
    enum Entry {
        case manifest(UInt64, term: UInt64, attempt: UInt64)
        case fence(UInt64)
    }

    static func messages(_ entries: [Entry], fixture: PublishFixture, publication: inout InMemoryPublication) throws -> [KafkaMessage] {
        var topic = InMemoryTopic()
        for entry in entries {
            switch entry {
            case .fence(let term):
                topic.append(VersionFence(term: term, instance: "x").producerRecord(topic: "emb.versions"))
            case .manifest(let version, let term, let attempt):
                var manifest = try publication.publish(fixture.snapshot(version), attempt: attempt)
                manifest.term = term
                topic.append(KafkaProducerRecord(topic: "emb.versions", partition: 0, key: Array(String(version).utf8),
                                                 value: try manifest.encoded(), headers: []))
            }
        }
        return topic.messages
    }

    @Test("numbering: a manifest of a lower term after a fence or a higher-term manifest is deposed; the next leader continues after the last one taken")
    func numberingSkipsDeposedManifests() throws {
        var sequence = PublishedVersionSequence()
        sequence.add(1, term: 0, at: "v@0")
        sequence.add(2, term: 0, at: "v@1")
        sequence.addFence(term: 1)
        sequence.add(3, term: 0, at: "v@3")   // the old leader, after the new one's fence
        #expect(sequence.newest == 2)
        #expect(sequence.ignored.count == 1 && sequence.ignored[0].contains("deposed"))
        sequence.add(3, term: 1, at: "v@4")
        sequence.add(4, term: 1, at: "v@5")
        sequence.add(5, term: 0, at: "v@6")
        #expect(sequence.newest == 4)
        #expect(sequence.highestTerm == 1)
        // Without terms (single-instance publishers) nothing changes.
        var plain = PublishedVersionSequence()
        for v: UInt64 in [1, 2, 3] { plain.add(v, at: "v@\(v)") }
        #expect(plain.newest == 3 && plain.ignored.isEmpty && plain.highestTerm == 0)
    }

    @Test("readers: the deposed leader's manifest after the fence is skipped; the version it numbered is the new leader's; a reader never rebuilds the deposed one")
    func assemblerSkipsDeposedManifests() throws {
        let fixture = PublishFixture(seed: 3)
        var publication = InMemoryPublication()
        let messages = try Self.messages([
            .manifest(1, term: 1, attempt: 11), .manifest(2, term: 1, attempt: 11),
            .fence(2),
            .manifest(3, term: 1, attempt: 11),   // deposed: written after the fence
            .manifest(3, term: 2, attempt: 22),
        ], fixture: fixture, publication: &publication)
        var assembler = VersionAssembler()
        var skipped: [String] = []
        for m in messages {
            do { try assembler.addManifest(message: m) } catch { skipped.append("\(error)") }
        }
        for r in publication.records.messages { assembler.addRecord(r) }
        #expect(skipped.count == 1 && skipped[0].contains("deposed"), "\(skipped)")
        #expect(assembler.highestTerm == 2)
        let newest = try assembler.assemble()
        #expect(newest.manifest.version == 3 && newest.manifest.attempt == 22 && newest.manifest.term == 2)
        #expect(assembler.completeVersions().map(\.attempt) == [11, 11, 22])
    }

    @Test("a manifest keeps its term through both encodings; one without a term (older publishers) reads as term 0")
    func termRoundTrip() throws {
        let fixture = PublishFixture(seed: 4)
        var publication = InMemoryPublication()
        var manifest = try publication.publish(fixture.snapshot(1), attempt: 1)
        manifest.term = 7
        #expect(try VersionManifest.decode(try manifest.encoded()).term == 7)
        manifest.format = .json
        #expect(try VersionManifest.decode(try manifest.encoded()).term == 7)
        manifest.term = 0
        let old = try manifest.encoded()
        #expect(!String(decoding: old, as: UTF8.self).contains("\"term\""))
        #expect(try VersionManifest.decode(old).term == 0)
    }

    @Test("a fence without a term is reported and changes nothing")
    func fenceWithoutTerm() throws {
        var assembler = VersionAssembler()
        let broken = KafkaMessage(topic: "v", partition: 0, offset: 5, key: nil, value: nil,
                                  headers: [KafkaHeader(key: PublicationHeaders.kind, string: PublicationHeaders.fenceKind)])
        #expect(throws: PublicationError.self) { try assembler.addManifest(message: broken) }
        #expect(assembler.highestTerm == 0)
    }

    @Test("the deployment status: members heard from lately with their partitions, the leader and the highest term; silent members apart")
    func deploymentStatus() {
        func record(_ kind: CoordinationRecord.Kind, _ instance: String, at time: Int64, _ fill: (inout CoordinationRecord) -> Void = { _ in }) -> CoordinationRecord {
            var r = CoordinationRecord(kind: kind, writer: .init(instance: instance, incarnation: 1), timeMs: time)
            fill(&r)
            return r
        }
        let records = [
            record(.deployment, "a", at: 0) { $0.fingerprint = "f00d" },
            record(.term, "a", at: 10) { $0.term = 1 },
            record(.heartbeat, "a", at: 20_000) { $0.partitions = [0, 1]; $0.leader = true; $0.term = 1 },
            record(.term, "b", at: 50_000) { $0.term = 2 },
            record(.heartbeat, "b", at: 55_000) { $0.partitions = [3, 2]; $0.leader = true; $0.term = 2; $0.replicaPosition = 9; $0.logEnd = 10 },
            record(.heartbeat, "c", at: 56_000) { $0.partitions = [4, 5] },
        ]
        let status = DeploymentStatus(records: records, nowMs: 60_000)
        #expect(status.fingerprint == "f00d" && status.term == 2 && status.termClaimedBy == "b")
        #expect(status.members.map(\.instance) == ["b", "c"])
        #expect(status.members[0].partitions == [2, 3] && status.members[0].leader)
        #expect(status.silent == ["a"])
        let text = status.text()
        #expect(text.contains("b: leader (term 2), input partitions 2,3, replica 9/10"))
        #expect(text.contains("not heard from lately: a"))
    }
}
