import Testing
@testable import Store

@Suite("Read views and checkpoints")
struct ReadViewCheckpointTests {
    @Test func writesAfterAReadViewAreInvisibleThroughIt() throws {
        try withTemporaryDirectory { dir in
            let store = try Store(path: dir + "/db", options: testOptions())
            defer { store.close() }
            let family = try store.columnFamily()
            try family.put([1], [1])
            try family.put([3], [3])
            var escaped: StoreReadView?
            try store.withReadView { readView in
                escaped = readView
                try family.put([1], [100])
                try family.put([2], [2])
                try family.delete([3])
                #expect(try family.get([1], readView: readView) == [1])
                #expect(try family.get([2], readView: readView) == nil)
                #expect(try family.get([3], readView: readView) == [3])
                var seen: [[UInt8]] = []
                try family.scan(readView: readView) { key, value in seen.append(key + value); return .continue }
                #expect(seen == [[1, 1], [3, 3]])
                var current: [[UInt8]] = []
                try family.scan { key, value in current.append(key + value); return .continue }
                #expect(current == [[1, 100], [2, 2]])
            }
            let readView = try #require(escaped)
            #expect(throws: StoreError.readViewReleased) { try family.get([1], readView: readView) }
        }
    }

    @Test func checkpointOpensAsStoreWithTheData() throws {
        try withTemporaryDirectory { dir in
            let store = try Store(path: dir + "/db", columnFamilies: ["graph"], options: testOptions())
            defer { store.close() }
            let vocab = Keyspace(try store.columnFamily(), prefix: [1], key: String.self, codec: UInt64LittleEndianCodec())
            let graph = try store.columnFamily("graph")
            try vocab.put("alice", 1)
            try graph.put([5], [50])
            try store.createCheckpoint(at: dir + "/checkpoint")
            try vocab.put("bob", 2)  // after the checkpoint
            #expect(throws: StoreError.self) { try store.createCheckpoint(at: dir + "/checkpoint") }  // exists

            let copy = try Store(path: dir + "/checkpoint", options: testOptions())
            defer { copy.close() }
            #expect(Set(try copy.columnFamilyNames()) == ["default", "graph"])
            let copiedVocab = Keyspace(try copy.columnFamily(), prefix: [1], key: String.self, codec: UInt64LittleEndianCodec())
            #expect(try copiedVocab.get("alice") == 1)
            #expect(try copiedVocab.get("bob") == nil)
            #expect(try copy.columnFamily("graph").get([5]) == [50])
            // The copy is an independent database.
            try copiedVocab.put("carol", 3)
            #expect(try vocab.get("carol") == nil)
        }
    }
}
