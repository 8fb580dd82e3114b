import Testing
@testable import Store

/// (view, signed score, user name, time) — the shape of the session/edge keys.
private typealias EventKey = CompositeKey<UInt16, Int32, String, Int64>

private struct DecodedEvent: Equatable {
    var view: UInt16, score: Int32, name: String, time: Int64

    init(_ key: EventKey) {
        (view, score, name, time) = key.components
    }

    init(view: UInt16, score: Int32, name: String, time: Int64) {
        (self.view, self.score, self.name, self.time) = (view, score, name, time)
    }

    /// Reference order computed in Swift: component by component, strings by UTF-8 bytes.
    static func precedes(_ a: DecodedEvent, _ b: DecodedEvent) -> Bool {
        if a.view != b.view { return a.view < b.view }
        if a.score != b.score { return a.score < b.score }
        if a.name != b.name { return a.name.utf8Bytes.lexicographicallyPrecedes(b.name.utf8Bytes) }
        return a.time < b.time
    }
}

@Suite("Scans")
struct ScanTests {
    @Test func compositeKeysIterateInTupleOrder() throws {
        try withTemporaryDirectory { dir in
            let store = try Store(path: dir + "/db", options: testOptions())
            defer { store.close() }
            let events = Keyspace(try store.columnFamily(), prefix: [0x02], key: EventKey.self, codec: RawBytesCodec())
            let names = ["", "a", "a\u{0}", "a\u{0}b", "ab", "b", "user-name", "user", "user-name-2", "é", "\u{1F600}", "Z"]
            var rng = SplitMix64(seed: 42)
            var inserted: [DecodedEvent] = []
            for _ in 0..<300 {
                let event = DecodedEvent(
                    view: UInt16(rng.next() % 3),
                    score: Int32(truncatingIfNeeded: Int64(rng.next() % 9) - 4) * (rng.next() % 2 == 0 ? 1 : 1_000_000),
                    name: names[Int(rng.next() % UInt64(names.count))],
                    time: Int64(bitPattern: rng.next()) >> Int64(rng.next() % 60))
                if inserted.contains(event) { continue }
                inserted.append(event)
                try events.put(CompositeKey(event.view, event.score, event.name, event.time), [])
            }
            // A neighbour keyspace in the same family must not leak into the scan.
            try store.columnFamily().put([0x03, 0x00], [1])
            try store.columnFamily().put([0x01, 0xFF], [1])

            var scanned: [DecodedEvent] = []
            try events.scan { key, _ in scanned.append(DecodedEvent(key)); return .continue }
            #expect(scanned == inserted.sorted(by: DecodedEvent.precedes))
            #expect(scanned.contains { $0.score < 0 })

            var reversed: [DecodedEvent] = []
            try events.scan(direction: .reverse) { key, _ in reversed.append(DecodedEvent(key)); return .continue }
            #expect(reversed == scanned.reversed())
        }
    }

    @Test func prefixAndRangeScansRespectBounds() throws {
        try withTemporaryDirectory { dir in
            let store = try Store(path: dir + "/db", columnFamilies: ["graph"], options: testOptions())
            defer { store.close() }
            let nodes = Keyspace(try store.columnFamily("graph"), prefix: [0x01],
                                 key: CompositeKey<UInt16, UInt32>.self, codec: FloatArrayCodec(count: 2))
            var all: [(UInt16, UInt32)] = []
            for view: UInt16 in [0, 1, 2, 0xFFFF] {
                for node: UInt32 in [0, 1, 5, 255, 256, .max] {
                    try nodes.put(CompositeKey(view, node), [Float(view), Float(node)])
                    all.append((view, node))
                }
            }
            func collect(_ scan: ((CompositeKey<UInt16, UInt32>, [Float]) throws -> ScanControl) throws -> Void) throws -> [[UInt32]] {
                var out: [[UInt32]] = []
                try scan { key, value in
                    #expect(value == [Float(key.components.0), Float(key.components.1)])
                    out.append([UInt32(key.components.0), key.components.1])
                    return .continue
                }
                return out
            }
            let view1 = try collect { try nodes.scan(prefix: UInt16(1), $0) }
            #expect(view1 == [0, 1, 5, 255, 256, UInt32.max].map { [1, $0] })
            let lastView = try collect { try nodes.scan(prefix: UInt16.max, $0) }
            #expect(lastView.count == 6 && lastView.allSatisfy { $0[0] == 0xFFFF })
            let view1Reverse = try collect { try nodes.scan(prefix: UInt16(1), direction: .reverse, $0) }
            #expect(view1Reverse == view1.reversed())

            // [ (1, 5), (2, 1) ): upper bound excluded, lower included.
            let range = try collect { try nodes.scan(from: CompositeKey(1, 5), to: CompositeKey(2, 1), $0) }
            #expect(range == [[1, 5], [1, 255], [1, 256], [1, UInt32.max], [2, 0]])
            let rangeReverse = try collect { try nodes.scan(from: CompositeKey(1, 5), to: CompositeKey(2, 1), direction: .reverse, $0) }
            #expect(rangeReverse == range.reversed())
            let openLower = try collect { try nodes.scan(from: nil, to: CompositeKey(0, 5), $0) }
            #expect(openLower == [[0, 0], [0, 1]])
            let openUpper = try collect { try nodes.scan(from: CompositeKey(0xFFFF, 256), to: nil, $0) }
            #expect(openUpper == [[0xFFFF, 256], [0xFFFF, UInt32.max]])
            let empty = try collect { try nodes.scan(from: CompositeKey(2, 0), to: CompositeKey(1, 0), $0) }
            #expect(empty.isEmpty)

            // Early stop.
            var firstTwo = 0
            try nodes.scan { _, _ in firstTwo += 1; return firstTwo == 2 ? .stop : .continue }
            #expect(firstTwo == 2)
            #expect(try nodes.entries(limit: 3).map { $0.key.components.1 } == [0, 1, 5])

            // Raw prefix ranges ending in 0xFF have no successor and still stop correctly.
            let raw = try store.columnFamily()
            for key: [UInt8] in [[0xFE, 0xFF], [0xFF], [0xFF, 0x00], [0xFF, 0xFF, 1]] { try raw.put(key, []) }
            var underFF: [[UInt8]] = []
            try raw.scan(.prefix([0xFF])) { key, _ in underFF.append(key); return .continue }
            #expect(underFF == [[0xFF], [0xFF, 0x00], [0xFF, 0xFF, 1]])

            // deleteAll(prefix:) removes exactly one view.
            let batch = WriteBatch()
            try batch.deleteAll(nodes, prefix: UInt16(1))
            try store.write(batch)
            let remaining = try collect { try nodes.scan($0) }
            #expect(remaining.count == all.count - 6 && !remaining.contains { $0[0] == 1 })
        }
    }

    @Test func scanBodyErrorPropagatesAndStoreStaysUsable() throws {
        struct Boom: Error {}
        try withTemporaryDirectory { dir in
            let store = try Store(path: dir + "/db", options: testOptions())
            defer { store.close() }
            let family = try store.columnFamily()
            try family.put([1], [1])
            #expect(throws: Boom.self) { try family.scan { _, _ in throw Boom() } }
            #expect(try family.get([1]) == [1])
        }
    }
}
