import CRocksDB

/// A consistent read view of a ``Store``, valid only inside ``Store/withSnapshot(_:)``.
///
/// Pass it to gets and scans (`snapshot:`) to read the state as of its creation; writes
/// made afterwards are invisible through it. Using it after the body returned throws
/// ``StoreError/snapshotReleased`` instead of touching the released native snapshot.
public final class StoreSnapshot: @unchecked Sendable {
    private let store: Store
    private let lock = ReadWriteLock()
    /// Guarded by `lock`; nil once released.
    private var pointer: OpaquePointer?

    fileprivate init(store: Store, pointer: OpaquePointer) {
        self.store = store
        self.pointer = pointer
    }

    /// Runs `body` with the native snapshot, refusing released or foreign snapshots.
    func withPointer<R>(for owner: Store, _ body: (OpaquePointer) throws -> R) throws -> R {
        guard owner === store else { throw StoreError.invalidArgument("snapshot belongs to a different store") }
        return try lock.withReadLock {
            guard let pointer else { throw StoreError.snapshotReleased }
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
    /// Creates a snapshot, runs `body` with it and releases it afterwards (also on throw).
    /// The store cannot close while `body` runs; do not call ``close()`` from `body`.
    public func withSnapshot<R>(_ body: (StoreSnapshot) throws -> R) throws -> R {
        try withState { state in
            guard let native = rocksdb_create_snapshot(state.db) else {
                throw StoreError.rocksdb(operation: "create snapshot", message: "no snapshot returned")
            }
            let snapshot = StoreSnapshot(store: self, pointer: native)
            defer {
                if let released = snapshot.invalidate() { rocksdb_release_snapshot(state.db, released) }
            }
            return try body(snapshot)
        }
    }
}
