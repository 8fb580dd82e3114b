import Testing
@testable import Store

@Suite("Vector memtable")
struct VectorMemtableTests {
    /// The ingest state's memtable: unsorted appends, then the same reads as a skip list,
    /// before and after a flush and a reopen; batches interleaving families in any key order.
    @Test func readsMergesAndRangeDeletesMatchTheSkipList() throws {
        try withTemporaryDirectory { dir in
            var results: [[String]] = []
            for vector: Set<String> in [[], ["counters"], ["default", "counters"]] {
                var options = testOptions()
                options.vectorMemtableFamilies = vector
                let path = dir + "/db-\(vector.count)"
                var store = try Store(path: path, columnFamilies: ["counters"], options: options)
                var log: [String] = []
                func snapshot(_ store: Store) throws -> String {
                    var text = ""
                    try store.columnFamily().scan { key, value in text += "\(Array(key))=\(Array(value));"; return .continue }
                    try store.columnFamily("counters").scan { key, value in
                        text += "c\(Array(key))=\(UInt64LittleEndianCodec().decodeOrZero(value));"
                        return .continue
                    }
                    return text
                }
                for round in 0..<3 {
                    let batch = WriteBatch()
                    let main = try store.columnFamily(), counters = try store.columnFamily("counters")
                    for k in [9, 3, 7, 1, 5, 3, 9] as [UInt8] {  // descending, repeated, interleaved
                        try batch.put(main, key: [k], value: [k, UInt8(round)])
                        try batch.add(counters, key: [k], delta: UInt64(k))
                    }
                    if round == 1 { try batch.deleteRange(main, from: [2], to: [6]) }
                    try store.write(batch)
                    log.append(try snapshot(store))
                    #expect(try main.get([9]) == [9, UInt8(round)])  // point read of the unflushed memtable
                }
                try store.flush()
                log.append(try snapshot(store))
                store.close()
                store = try Store(path: path, columnFamilies: ["counters"], options: options)
                log.append(try snapshot(store))
                store.close()
                results.append(log)
            }
            #expect(results[0] == results[1] && results[0] == results[2])
            #expect(results[2].last?.contains("c[9]=54;") == true)  // 9 added twice per round, 3 rounds
        }
    }
}

private extension UInt64LittleEndianCodec {
    func decodeOrZero(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBytes { (try? decode($0)) ?? 0 } }
}
