import CRocksDB

/// A consistent read view of a ``Store`` (a RocksDB snapshot), valid only inside
/// ``Store/withReadView(_:)``.
///
/// Pass it to gets and scans (`readView:`) to read the state as of its creation; writes
/// made afterwards are invisible through it. Using it after the body returned throws
/// ``StoreError/readViewReleased`` instead of touching the released native snapshot.
public final class StoreReadView: @unchecked Sendable {
    private let store: Store
    private let lock = ReadWriteLock()
    /// Guarded by `lock`; nil once released.
    private var pointer: OpaquePointer?

    fileprivate init(store: Store, pointer: OpaquePointer) {
        self.store = store
        self.pointer = pointer
    }

    /// Runs `body` with the native snapshot, refusing released or foreign read views.
    func withPointer<R>(for owner: Store, _ body: (OpaquePointer) throws -> R) throws -> R {
        guard owner === store else { throw StoreError.invalidArgument("read view belongs to a different store") }
        return try lock.withReadLock {
            guard let pointer else { throw StoreError.readViewReleased }
            return try body(pointer)
        }
    }

    /// Takes the pointer out (under the exclusive lock) so no later use can reach it.
    fileprivate func invalidate() -> OpaquePointer? {
        lock.withWriteLock {
            defer { pointer = nil }
            return pointer
        }
    }
}

extension Store {
    /// Creates a read view (a RocksDB snapshot), runs `body` with it and releases it
    /// afterwards (also on throw).
    /// The store cannot close while `body` runs; do not call ``close()`` from `body`.
    public func withReadView<R>(_ body: (StoreReadView) throws -> R) throws -> R {
        try withState { state in
            guard let native = rocksdb_create_snapshot(state.db) else {
                throw StoreError.rocksdb(operation: "create snapshot", message: "no snapshot returned")
            }
            let readView = StoreReadView(store: self, pointer: native)
            defer {
                if let released = readView.invalidate() { rocksdb_release_snapshot(state.db, released) }
            }
            return try body(readView)
        }
    }
}
