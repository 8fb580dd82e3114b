import Testing
@testable import Store

@Suite("Hashed-prefix memtable")
struct HashedPrefixMemtableTests {
    /// Every read a family answers: full scans both ways, scans within one prefix (exactly
    /// the prefix, and longer), scans across prefixes (shorter prefixes, open and crossing
    /// ranges) and point reads.
    static func reads(_ store: Store) throws -> [String] {
        let family = try store.columnFamily("edges")
        func scan(_ range: KeyRange, _ direction: ScanDirection = .forward) throws -> String {
            var text = ""
            try family.scan(range, direction: direction) { key, value in
                text += "\(key)=\(value.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) });"
                return .continue
            }
            return text
        }
        var out = [try scan(.all), try scan(.all, .reverse)]
        for prefix: [UInt8] in [[1, 0, 2], [1, 0, 2, 7], [1, 0, 255], [1, 0], [1], [2, 255, 255]] {
            out.append(try scan(.prefix(prefix)))
            out.append(try scan(.prefix(prefix), .reverse))
        }
        out.append(try scan(KeyRange(lower: [1, 0, 2, 3], upper: [1, 0, 5])))
        out.append(try scan(KeyRange(lower: [1, 0, 2, 3], upper: [1, 0, 2, 9])))
        out.append(try scan(KeyRange(lower: [1, 0, 2], upper: nil)))
        for key: [UInt8] in [[1, 0, 2, 7, 1], [1, 0, 255, 0, 0], [9, 9, 9, 9, 9]] {
            out.append("\(key): \(String(describing: try family.get(key)))")
        }
        return out
    }

    @Test func readsMatchTheSkipListBeforeAndAfterFlushAndReopen() throws {
        try withTemporaryDirectory { dir in
            var results: [[String]] = []
            for hashed in [false, true] {
                var options = testOptions()
                if hashed { options.hashedPrefixFamilies = ["edges": 3] }
                let path = dir + "/db-\(hashed)"
                var store = try Store(path: path, columnFamilies: ["edges"], options: options)
                var log: [String] = []
                for round in 0..<3 {
                    let batch = WriteBatch()
                    let edges = try store.columnFamily("edges")
                    // Keys of 5 bytes under prefixes of 3, written out of order, merged repeatedly.
                    for (a, b, c) in [(1, 0, 2), (1, 0, 255), (1, 1, 0), (2, 255, 255), (1, 0, 2)] as [(UInt8, UInt8, UInt8)] {
                        for d in [7, 3, 200, 7] as [UInt8] {
                            try batch.add(edges, key: [a, b, c, d, UInt8(round % 2)], delta: UInt64(d) + UInt64(round))
                        }
                    }
                    if round == 1 { try batch.delete(edges, key: [1, 0, 2, 3, 1]) }
                    try store.write(batch)
                    log += try Self.reads(store)
                }
                try store.flush()
                log += try Self.reads(store)
                store.close()
                store = try Store(path: path, columnFamilies: ["edges"], options: options)
                log += try Self.reads(store)
                store.close()
                let readOnly = try Store(readOnlyPath: path, options: options)
                log += try Self.reads(readOnly)
                readOnly.close()
                results.append(log)
            }
            #expect(results[0] == results[1])
            #expect(results[1].first?.contains("[1, 0, 2, 7, 0]=") == true)
        }
    }

    @Test func rangesWithinOnePrefix() {
        #expect(KeyRange.prefix([1, 2, 3]).staysWithinPrefix(ofLength: 3))
        #expect(KeyRange.prefix([1, 2, 3, 4]).staysWithinPrefix(ofLength: 3))
        #expect(KeyRange.prefix([1, 2, 255]).staysWithinPrefix(ofLength: 3))
        #expect(KeyRange(lower: [1, 2, 3, 0], upper: [1, 2, 3, 9]).staysWithinPrefix(ofLength: 3))
        #expect(!KeyRange.prefix([1, 2]).staysWithinPrefix(ofLength: 3))
        #expect(!KeyRange(lower: [1, 2, 3], upper: [1, 2, 5]).staysWithinPrefix(ofLength: 3))
        #expect(!KeyRange(lower: [1, 2, 3], upper: nil).staysWithinPrefix(ofLength: 3))
        #expect(!KeyRange.prefix([255, 255, 255]).staysWithinPrefix(ofLength: 3))
        #expect(!KeyRange.all.staysWithinPrefix(ofLength: 3))
    }
}
