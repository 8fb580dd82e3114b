import Foundation
import Testing
@testable import Store

@Suite("Concurrency")
struct ConcurrencyTests {
    /// Readers and writers on several threads race with `close()`: every call either works
    /// or throws `.closed`; none touches a freed handle (which would crash the test process).
    @Test func concurrentCallsRacingCloseSucceedOrThrowClosed() throws {
        try withTemporaryDirectory { dir in
            let store = try Store(path: dir + "/db", columnFamilies: ["graph"], options: testOptions())
            let family = try store.columnFamily("graph")
            let counters = Keyspace(family, prefix: [9], key: UInt32.self, codec: UInt64LittleEndianCodec())
            for node: UInt32 in 0..<64 { try counters.put(node, 0) }
            let unexpected = ErrorLog()
            DispatchQueue.concurrentPerform(iterations: 8) { worker in
                if worker == 0 {
                    usleep(2_000)
                    store.close()
                    return
                }
                for round in 0..<400 {
                    do {
                        let node = UInt32((worker * 31 + round) % 64)
                        switch round % 4 {
                        case 0: try counters.add(node, 1)
                        case 1: _ = try counters.get(node)
                        case 2: try counters.scan(prefix: UInt8(0)) { _, _ in .continue }
                        default: try store.withReadView { _ = try counters.get(node, readView: $0) }
                        }
                    } catch StoreError.closed {
                        return
                    } catch {
                        unexpected.append("\(error)")
                        return
                    }
                }
            }
            #expect(unexpected.messages.isEmpty)
            #expect(store.isClosed)
        }
    }
}

/// Thread-safe list of unexpected error messages.
private final class ErrorLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ message: String) { lock.withLock { storage.append(message) } }
    var messages: [String] { lock.withLock { storage } }
}
