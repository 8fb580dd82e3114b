import Foundation
import Kafka
import Model
import Store
import Streaming
import Testing

/// A reference 128-bit FNV-1a written out from its definition (prime 2^88 + 2^8 + 0x3b).
private func referenceFNV128(_ bytes: [UInt8]) -> String {
    var h: UInt128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d
    for b in bytes {
        h ^= UInt128(b)
        h = (h << 88) &+ (h &* 0x13b)
    }
    return String(h, radix: 16).leftPadded(to: 32)
}

private extension String {
    func leftPadded(to n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}

private func le32(_ v: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(v).littleEndian) { Array($0) } }

private func hexBytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var i = hex.startIndex
    while i < hex.endIndex {
        let j = hex.index(i, offsetBy: 2)
        out.append(UInt8(hex[i..<j], radix: 16)!)
        i = j
    }
    return out
}

/// Builds a state directory from `events` (fed in batches of 250, then all sessions closed).
private func buildState(_ path: String, events: [Event]) throws {
    let (store, processor) = try openProcessor(path, config: try syntheticPipeline())
    defer { store.close() }
    try feed(events, to: processor)
    try processor.closeAllSessions()
}

@Suite("State digest")
struct StatusDigestTests {
    @Test("FNV-1a 128 matches the published test vectors")
    func fnvVectors() {
        var empty = FNV1a128()
        empty.combine([UInt8]())
        #expect(empty.hex == "6c62272e07bb014262b821756295c58d")
        var a = FNV1a128()
        a.combine(Array("a".utf8))
        #expect(a.hex == "d228cb696f1a8caf78912b704e4a8964")
        var foobar = FNV1a128()
        foobar.combine(Array("foobar".utf8))
        #expect(foobar.hex == "343e1662793c64bf6f0d3597ba446f18")
    }

    @Test("the digest follows its documented definition on a hand-written state")
    func documentedDefinition() throws {
        let dir = try TemporaryDirectory()
        let store = try IngestSchema.openStore(path: dir.sub("state"))
        defer { store.close() }
        let schema = try IngestSchema(store: store)
        try schema.vocab.put(CompositeKey(UInt16(0), UInt32(0)), "sku-1")
        try schema.vocab.put(CompositeKey(UInt16(0), UInt32(1)), "sku-2")
        try schema.edges.add(CompositeKey(UInt16(0), UInt32(0), UInt32(1)), 2)
        try schema.edges.add(CompositeKey(UInt16(0), UInt32(0), UInt32(1)), 3)  // merged: 5
        try schema.meta.put("events.applied", 99)  // not part of the digest
        let digest = try StateDigest.compute(store: store)

        // Stored keys: prefix 0x01, then big-endian components (see the Store key encoding).
        let vocabStream = le32(7) + [1, 0, 0, 0, 0, 0, 0] + le32(5) + Array("sku-1".utf8)
            + le32(7) + [1, 0, 0, 0, 0, 0, 1] + le32(5) + Array("sku-2".utf8)
        let edgeStream = le32(11) + [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1] + le32(8) + [5, 0, 0, 0, 0, 0, 0, 0]
        let expected = ["vocab": referenceFNV128(vocabStream), "edges": referenceFNV128(edgeStream),
                        "attrs": referenceFNV128([]), "walks": referenceFNV128([])]
        #expect(digest.families.map(\.name) == ["vocab", "edges", "attrs", "walks"])
        for family in digest.families { #expect(family.digest == expected[family.name], "\(family.name)") }
        #expect(digest.families.map(\.entries) == [2, 1, 0, 0])
        var combined: [UInt8] = []
        for name in ["vocab", "edges", "attrs", "walks"] { combined += Array(name.utf8) + [0] + hexBytes(expected[name]!) }
        #expect(digest.digest == referenceFNV128(combined))
    }

    @Test("two states built from the same events have the same digest; one more event changes it")
    func sameEventsSameDigest() throws {
        let events = distinctTimeEvents(count: 1_500, seed: 5)
        let dir = try TemporaryDirectory()
        try buildState(dir.sub("a"), events: events)
        try buildState(dir.sub("b"), events: events)
        let last = try #require(events.last)
        let extra = Event(user: last.user, item: "digest-test-new-item", timestampMillis: last.timestampMillis + 1_000,
                          attributeValues: last.attributes)
        try buildState(dir.sub("c"), events: events + [extra])

        let a = try StateInspector.openReadOnly(path: dir.sub("a"))
        let b = try StateInspector.openReadOnly(path: dir.sub("b"))
        let c = try StateInspector.openReadOnly(path: dir.sub("c"))
        defer { a.close(); b.close(); c.close() }
        let da = try StateDigest.compute(store: a.store)
        let db = try StateDigest.compute(store: b.store)
        let dc = try StateDigest.compute(store: c.store)
        #expect(da.families.allSatisfy { $0.entries > 0 }, "\(da.families)")
        #expect(da == db)
        #expect(dc.families[0].entries == da.families[0].entries + 1, "the extra event must add one vocabulary node")
        #expect(dc.digest != da.digest)
        #expect(dc.families[0].digest != da.families[0].digest)
    }

    @Test("each family has its own digest; sessions, offsets and counters are not hashed")
    func perFamilyDigests() throws {
        let dir = try TemporaryDirectory()
        try buildState(dir.sub("state"), events: distinctTimeEvents(count: 800, seed: 9))
        let store = try IngestSchema.openStore(path: dir.sub("state"))
        defer { store.close() }
        let before = try StateDigest.compute(store: store)
        let schema = try IngestSchema(store: store)

        try schema.meta.put("events.applied", 123_456)
        try schema.offsets.put(CompositeKey("other-topic", Int32(0)), 42)
        try schema.sessions.put(CompositeKey("events", Int32(0), "someone"), [1, 2, 3])
        #expect(try StateDigest.compute(store: store) == before)

        try schema.walks.put(CompositeKey(UInt16(1), UInt64.max), WalkBlockCodec.encode(WalkCorpus(tokens: [0, 1], walkEnds: [2])))
        let afterWalk = try StateDigest.compute(store: store)
        #expect(afterWalk.digest != before.digest)
        for (old, new) in zip(before.families, afterWalk.families) {
            if old.name == "walks" { #expect(old.digest != new.digest && new.entries == old.entries + 1) } else { #expect(old == new) }
        }

        try schema.attrs.put(CompositeKey(UInt16(1), UInt32.max), 0)
        let afterAttr = try StateDigest.compute(store: store)
        for (old, new) in zip(afterWalk.families, afterAttr.families) {
            if old.name == "attrs" { #expect(old.digest != new.digest) } else { #expect(old == new) }
        }
    }

    @Test("the digest survives a flush and a reopen, and a read-only open sees the writer's digest")
    func stableAcrossReopen() throws {
        let dir = try TemporaryDirectory()
        let path = dir.sub("state")
        let (store, processor) = try openProcessor(path, config: try syntheticPipeline())
        try feed(distinctTimeEvents(count: 800, seed: 13), to: processor)
        let live = try StateDigest.compute(store: store)
        let reader = try StateInspector.openReadOnly(path: path)  // the writer holds the lock
        #expect(try StateDigest.compute(store: reader.store) == live)
        reader.close()
        try store.flush()
        #expect(try StateDigest.compute(store: store) == live)
        store.close()
        let reopened = try StateInspector.openReadOnly(path: path)
        defer { reopened.close() }
        #expect(try StateDigest.compute(store: reopened.store) == live)
    }
}
