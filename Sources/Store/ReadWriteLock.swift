#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny wrapper over `pthread_rwlock_t` guarding a store's native handles.
///
/// Every operation that touches a native handle runs under the read lock (many at once);
/// `close()` and column-family creation/drop take the write lock, so they wait for
/// in-flight operations (including running scan and read-view bodies) to finish.
/// Read locks may be taken recursively on the same thread (POSIX allows it; glibc prefers
/// readers). Taking the write lock from inside a read-locked body deadlocks, which is why
/// `close()`, `createColumnFamily` and `dropColumnFamily` must not be called from inside
/// a scan or read-view body.
final class ReadWriteLock: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        pthread_rwlock_init(lock, nil)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deinitialize(count: 1)
        lock.deallocate()
    }

    func withReadLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    func withWriteLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}
