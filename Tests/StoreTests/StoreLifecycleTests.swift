import Foundation
import Testing
@testable import Store

@Suite("Store lifecycle")
struct StoreLifecycleTests {
    @Test func putGetDeleteRoundTrip() throws {
        try withTemporaryDirectory { dir in
            let store = try Store(path: dir + "/db", options: testOptions())
            defer { store.close() }
            let family = try store.columnFamily()
            #expect(try family.get([1, 2, 3]) == nil)
            try family.put([1, 2, 3], [9, 8])
            try family.put([], [7])  // empty key is a valid key
            #expect(try family.get([1, 2, 3]) == [9, 8])
            #expect(try family.get([]) == [7])
            let length = try family.withValue([1, 2, 3]) { $0?.count }
            #expect(length == 2)
            try family.put([1, 2, 3], [])  // empty value is distinct from absent
            #expect(try family.get([1, 2, 3]) == [])
            try family.delete([1, 2, 3])
            #expect(try family.get([1, 2, 3]) == nil)
            #expect(try family.get([]) == [7])
        }
    }

    @Test func multiGetMatchesPointGets() throws {
        try withTemporaryDirectory { dir in
            let store = try Store(path: dir + "/db", options: testOptions())
            defer { store.close() }
            let names = Keyspace(try store.columnFamily(), prefix: [7], key: UInt32.self, codec: StringCodec())
            try names.put(3, "c")
            try names.put(1, "a")
            #expect(try names.multiGet([3, 2, 1, 3]) == ["c", nil, "a", "c"])
            #expect(try names.multiGet([]) == [])
            try store.withReadView { readView in
                try names.put(2, "b")
                #expect(try names.multiGet([1, 2], readView: readView) == ["a", nil])
            }
            #expect(try names.multiGet([2]) == ["b"])
        }
    }

    @Test func reopenPersistsDataAndOpensAllFamiliesUnnamed() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/state"
            do {
                let store = try Store(path: path, columnFamilies: ["graph", "vocab"], options: testOptions())
                try store.columnFamily("graph").put([1], [10])
                try store.columnFamily("vocab").put([2], [20])
                try store.columnFamily().put([3], [30])
                _ = try store.createColumnFamily("rings")
                try store.columnFamily("rings").put([4], [40])
                store.close()
            }
            let reopened = try Store(path: path, options: testOptions())
            defer { reopened.close() }
            #expect(Set(try reopened.columnFamilyNames()) == ["default", "graph", "vocab", "rings"])
            #expect(try reopened.columnFamily("graph").get([1]) == [10])
            #expect(try reopened.columnFamily("vocab").get([2]) == [20])
            #expect(try reopened.columnFamily("rings").get([4]) == [40])
            #expect(try reopened.columnFamily().get([3]) == [30])
            #expect(throws: StoreError.unknownColumnFamily("nope")) { try reopened.columnFamily("nope") }
        }
    }

    @Test func missingDirectoryWithoutCreateIfMissingThrows() throws {
        try withTemporaryDirectory { dir in
            var options = testOptions()
            options.createIfMissing = false
            #expect(throws: StoreError.directoryMissing(path: dir + "/absent")) {
                try Store(path: dir + "/absent", options: options)
            }
        }
    }

    @Test func secondOpenReportsDirectoryInUseWithOurPid() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/state"
            let first = try Store(path: path, options: testOptions())
            try first.columnFamily().put([1], [1])
            let error = #expect(throws: StoreError.self) { try Store(path: path, options: testOptions()) }
            let pid = ProcessInfo.processInfo.processIdentifier
            #expect(error == .directoryInUse(path: path, pid: pid))
            #expect(error?.description == "state directory \(path) is in use by pid \(pid)")
            // The failed opener must not have disturbed the holder.
            #expect(try first.columnFamily().get([1]) == [1])
            first.close()
            let second = try Store(path: path, options: testOptions())
            defer { second.close() }
            #expect(try second.columnFamily().get([1]) == [1])
        }
    }

    @Test func lockHeldByAnotherProcessIsReported() throws {
        let flockTool = ["/usr/bin/flock", "/bin/flock"].first { FileManager.default.isExecutableFile(atPath: $0) }
        // util-linux's flock(1) is part of every Debian base system.
        let tool = try #require(flockTool, "flock(1) from util-linux is needed for the cross-process lock test")
        try withTemporaryDirectory { dir in
            let lockFile = dir + "/" + DirectoryLock.fileName
            let ready = dir + "/ready"
            // The child writes its own pid, takes the lock on the same file, signals, and waits for stdin EOF.
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/bin/sh")
            child.arguments = ["-c", "echo $$ > '\(lockFile)'; exec \(tool) -n '\(lockFile)' sh -c 'touch \"\(ready)\"; cat >/dev/null'"]
            let stdin = Pipe()
            child.standardInput = stdin
            try child.run()
            defer {
                try? stdin.fileHandleForWriting.close()
                child.waitUntilExit()
            }
            while !FileManager.default.fileExists(atPath: ready) && child.isRunning { usleep(5_000) }
            try #require(child.isRunning)
            let error = #expect(throws: StoreError.self) { try Store(path: dir, options: testOptions()) }
            #expect(error == .directoryInUse(path: dir, pid: child.processIdentifier))
        }
    }

    @Test func useAfterCloseThrows() throws {
        try withTemporaryDirectory { dir in
            let store = try Store(path: dir + "/db", columnFamilies: ["a"], options: testOptions())
            let family = try store.columnFamily("a")
            let keyspace = Keyspace(family, prefix: [1], key: UInt32.self, codec: UInt64LittleEndianCodec())
            try keyspace.put(1, 5)
            let batch = WriteBatch()
            try batch.put(family, key: [2], value: [2])
            store.close()
            store.close()  // idempotent
            #expect(store.isClosed)
            #expect(throws: StoreError.closed) { try family.get([1]) }
            #expect(throws: StoreError.closed) { try family.put([1], [1]) }
            #expect(throws: StoreError.closed) { try keyspace.get(1) }
            #expect(throws: StoreError.closed) { try keyspace.add(1, 1) }
            #expect(throws: StoreError.closed) { try family.scan { _, _ in .continue } }
            #expect(throws: StoreError.closed) { try store.write(batch) }
            #expect(throws: StoreError.closed) { try batch.delete(family, key: [2]) }
            #expect(throws: StoreError.closed) { try store.columnFamily("a") }
            #expect(throws: StoreError.closed) { try store.withReadView { _ in 0 } }
            #expect(throws: StoreError.closed) { try store.createCheckpoint(at: dir + "/cp") }
            #expect(throws: StoreError.closed) { try store.createColumnFamily("b") }
            // The lock was released: the directory opens again.
            let reopened = try Store(path: dir + "/db", options: testOptions())
            defer { reopened.close() }
            #expect(try Keyspace(reopened.columnFamily("a"), prefix: [1], key: UInt32.self, codec: UInt64LittleEndianCodec()).get(1) == 5)
        }
    }

    @Test func droppedFamilyHandleIsRefused() throws {
        try withTemporaryDirectory { dir in
            let store = try Store(path: dir + "/db", columnFamilies: ["tmp"], options: testOptions())
            defer { store.close() }
            let family = try store.columnFamily("tmp")
            try family.put([1], [1])
            try store.dropColumnFamily("tmp")
            #expect(throws: StoreError.columnFamilyDropped("tmp")) { try family.get([1]) }
            #expect(throws: StoreError.columnFamilyDropped("tmp")) { try store.columnFamily("tmp") }
            #expect(try store.columnFamilyNames() == ["default"])
            // Re-creating the name gives a new, empty family; the old handle stays refused.
            let recreated = try store.createColumnFamily("tmp")
            #expect(try recreated.get([1]) == nil)
            #expect(throws: StoreError.columnFamilyDropped("tmp")) { try family.get([1]) }
        }
    }
}
