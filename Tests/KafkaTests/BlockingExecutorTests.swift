import Dispatch
import Foundation
import Kafka
import Synchronization
import Testing

@Suite("Blocking work off the cooperative pool", .timeLimit(.minutes(1)))
struct BlockingExecutorTests {
    private struct Refused: Error, Equatable {}

    /// A counter shared with the jobs.
    private final class Count: Sendable {
        let value = Atomic<Int>(0)
    }

    @Test("run returns what the work returns and throws what it throws")
    func results() async {
        #expect(await BlockingExecutor.run { 6 * 7 } == 42)
        #expect(await BlockingExecutor(serial: "test.results").run { "serial" } == "serial")
        await #expect(throws: Refused.self) { try await BlockingExecutor.run { () throws(Refused) -> Int in throw Refused() } }
    }

    @Test("a serial executor runs its jobs one at a time, in the order submitted")
    func serialOrder() async {
        let executor = BlockingExecutor(serial: "test.order")
        let order = Count(), running = Count(), overlaps = Count()
        for i in 0..<200 {
            executor.submit {
                if running.value.add(1, ordering: .sequentiallyConsistent).newValue > 1 { overlaps.value.add(1, ordering: .relaxed) }
                if i % 20 == 0 { usleep(1_000) }
                // Job i finds the i jobs before it done.
                if order.value.load(ordering: .relaxed) == i { order.value.add(1, ordering: .relaxed) }
                running.value.subtract(1, ordering: .sequentiallyConsistent)
            }
        }
        let done = await executor.run { order.value.load(ordering: .relaxed) }
        #expect(done == 200, "jobs ran in submission order")
        #expect(overlaps.value.load(ordering: .relaxed) == 0, "jobs ran side by side")
    }

    @Test("one-off calls that block far more threads than there are cores hold back neither the cooperative pool nor another call")
    func blockingHoldsNothingBack() async throws {
        let blocked = 8 * ProcessInfo.processInfo.activeProcessorCount + 8
        let release = DispatchSemaphore(value: 0)
        let started = Count()
        let jobs = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<blocked {
                    group.addTask {
                        await BlockingExecutor.run {
                            started.value.add(1, ordering: .relaxed)
                            release.wait()
                        }
                    }
                }
            }
        }
        // Every call starts at once. A concurrent Dispatch queue would hold most of them back:
        // it is about as wide as the cores and adds about one thread a second while its
        // threads are blocked.
        let deadline = ContinuousClock.now + .seconds(5)
        while started.value.load(ordering: .relaxed) < blocked && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(started.value.load(ordering: .relaxed) == blocked, "calls started while the others block")
        // Had the calls blocked the cooperative pool's threads, this task would never run.
        #expect(await Task.detached { true }.value)
        #expect(await BlockingExecutor.run { 6 * 7 } == 42, "another call runs while they block")
        for _ in 0..<blocked { release.signal() }
        await jobs.value
    }

    @Test("an actor on a serial executor runs its methods there, one at a time")
    func actorExecutor() async {
        actor Tally {
            private nonisolated let executor = BlockingExecutor(serial: "test.actor")
            nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
            private var count = 0
            func add() -> Int {
                executor.checkIsolated()   // traps unless on the executor's queue
                count += 1
                return count
            }
        }
        let tally = Tally()
        let results = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<100 { group.addTask { await tally.add() } }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(results.sorted() == Array(1...100))
    }
}
