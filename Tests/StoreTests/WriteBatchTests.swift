import Testing
@testable import Store

@Suite("Write batches")
struct WriteBatchTests {
    @Test func batchCommitsAcrossFamiliesAtOnce() throws {
        try withTemporaryDirectory { dir in
            let store = try Store(path: dir + "/db", columnFamilies: ["graph"], options: testOptions())
            defer { store.close() }
            let main = try store.columnFamily()
            let graph = try store.columnFamily("graph")
            for key: UInt8 in 0..<10 { try graph.put([key], [key]) }
            try main.put([9], [9])
            let batch = WriteBatch()
            try batch.put(main, key: [1], value: [1])
            try batch.put(graph, key: [100], value: [100])
            try batch.delete(main, key: [9])
            try batch.deleteRange(graph, from: [2], to: [5])
            #expect(batch.count == 4)
            #expect(try graph.get([100]) == nil)  // nothing visible before commit
            try store.write(batch, sync: true)
            #expect(try main.get([1]) == [1])
            #expect(try main.get([9]) == nil)
            #expect(try graph.get([100]) == [100])
            var remaining: [UInt8] = []
            try graph.scan { key, _ in remaining.append(contentsOf: key); return .continue }
            #expect(remaining == [0, 1, 5, 6, 7, 8, 9, 100])
        }
    }

    /// A batch RocksDB rejects as a whole (sync writes without WAL) leaves no trace in any family.
    @Test func batchRejectedByRocksDBLeavesNothing() throws {
        try withTemporaryDirectory { dir in
            let store = try Store(path: dir + "/db", columnFamilies: ["graph"], options: testOptions())
            defer { store.close() }
            let main = try store.columnFamily()
            let graph = try store.columnFamily("graph")
            try main.put([7], [7])
            let batch = WriteBatch()
            try batch.put(main, key: [1], value: [1])
            try batch.put(graph, key: [2], value: [2])
            try batch.delete(main, key: [7])
            let error = #expect(throws: StoreError.self) { try store.write(batch, sync: true, disableWAL: true) }
            guard case .rocksdb(_, let message)? = error else {
                Issue.record("expected a RocksDB error, got \(String(describing: error))")
                return
            }
            #expect(message.contains("WAL"))
            #expect(try main.get([1]) == nil)
            #expect(try graph.get([2]) == nil)
            #expect(try main.get([7]) == [7])
            // The same batch commits fine with valid options.
            try store.write(batch)
            #expect(try graph.get([2]) == [2])
        }
    }

    /// RocksDB 7.8 applies the entries that precede an entry for a dropped family before it
    /// rejects the batch (checked with a C probe), so the store refuses such batches up front.
    @Test func batchTouchingDroppedFamilyIsRefusedWhole() throws {
        try withTemporaryDirectory { dir in
            let store = try Store(path: dir + "/db", columnFamilies: ["doomed"], options: testOptions())
            defer { store.close() }
            let main = try store.columnFamily()
            let doomed = try store.columnFamily("doomed")
            let batch = WriteBatch()
            try batch.put(main, key: [1], value: [1])
            try batch.put(doomed, key: [2], value: [2])
            try store.dropColumnFamily("doomed")
            #expect(throws: StoreError.columnFamilyDropped("doomed")) { try store.write(batch) }
            #expect(try main.get([1]) == nil)
            // Appending to the dropped family is refused too.
            let other = WriteBatch()
            try other.put(main, key: [3], value: [3])
            #expect(throws: StoreError.columnFamilyDropped("doomed")) { try other.put(doomed, key: [4], value: [4]) }
        }
    }

    @Test func batchCannotMixStores() throws {
        try withTemporaryDirectory { dir in
            let first = try Store(path: dir + "/a", options: testOptions())
            let second = try Store(path: dir + "/b", options: testOptions())
            defer { first.close(); second.close() }
            let batch = WriteBatch()
            try batch.put(first.columnFamily(), key: [1], value: [1])
            #expect(throws: StoreError.foreignColumnFamily("default")) { try batch.put(second.columnFamily(), key: [1], value: [1]) }
            #expect(throws: StoreError.foreignColumnFamily("default")) { try second.write(batch) }
        }
    }

    @Test func mergeOperatorAddsCounters() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/db"
            do {
                let store = try Store(path: path, columnFamilies: ["weights"], options: testOptions())
                let weights = Keyspace(try store.columnFamily("weights"), prefix: [0x10],
                                       key: CompositeKey<UInt32, UInt32>.self, codec: UInt64LittleEndianCodec())
                try weights.add(CompositeKey(1, 2), 5)
                let batch = WriteBatch()
                try batch.add(weights, CompositeKey(1, 2), 7)
                try batch.add(weights, CompositeKey(1, 3), 1)
                try store.write(batch)
                #expect(try weights.get(CompositeKey(1, 2)) == 12)
                #expect(try weights.get(CompositeKey(1, 3)) == 1)
                try weights.put(CompositeKey(2, 2), .max)
                try weights.add(CompositeKey(2, 2), 2)  // wraps mod 2^64
                #expect(try weights.get(CompositeKey(2, 2)) == 1)
                try store.flush()  // merge results survive flush and reopen
                try weights.add(CompositeKey(1, 2), 100)
                store.close()
            }
            let store = try Store(path: path, options: testOptions())
            defer { store.close() }
            let weights = Keyspace(try store.columnFamily("weights"), prefix: [0x10],
                                   key: CompositeKey<UInt32, UInt32>.self, codec: UInt64LittleEndianCodec())
            #expect(try weights.get(CompositeKey(1, 2)) == 112)
        }
    }
}
