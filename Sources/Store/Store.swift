import CRocksDB
import Foundation

/// A RocksDB database in a state directory, with all of its column families open.
///
/// - Opening lists the existing column families (`rocksdb_list_column_families`) and
///   opens all of them, creating requested missing ones; the state directory is locked
///   with our own lock file first (see ``StoreError/directoryInUse(path:pid:)``).
/// - Thread-safety: RocksDB handles are thread-safe; every call takes a shared lock on
///   the store's handles, `close()` takes it exclusively and waits for in-flight calls,
///   so no native handle is used after it is freed. After `close()` every call throws
///   ``StoreError/closed``. Do not call `close()`, `createColumnFamily` or
///   `dropColumnFamily` from inside a scan or read-view body (that would deadlock).
/// - Blocking: all calls are synchronous and may do disk I/O (fsync with sync writes,
///   compaction stalls). Async callers should call them from a dedicated thread or
///   executor, not from the cooperative pool in hot paths.
public final class Store: @unchecked Sendable {
    /// The state directory holding the database and our lock file.
    public let path: String
    /// The options the store was opened with.
    public let options: StoreOptions

    let handleLock = ReadWriteLock()
    /// Guarded by `handleLock`: read under the read lock, replaced under the write lock.
    private var state: OpenState?

    /// Opens (or creates) the database in `path`.
    ///
    /// - Parameters:
    ///   - path: state directory; created (with parents) when `options.createIfMissing`.
    ///   - columnFamilies: families that must exist; missing ones are created. Existing
    ///     families not named here are opened too. `"default"` is always open.
    /// - Throws: ``StoreError/directoryInUse(path:pid:)`` if another store holds the
    ///   directory, ``StoreError/rocksdb(operation:message:)`` for RocksDB failures.
    public init(path: String, columnFamilies: [String] = [], options: StoreOptions = StoreOptions()) throws {
        self.path = path
        self.options = options
        self.state = try OpenState.open(path: path, requested: columnFamilies, settings: options)
    }

    /// Wraps handles opened elsewhere (the read-only open in `Store+ReadOnly.swift`).
    init(path: String, options: StoreOptions, openState: OpenState) {
        self.path = path
        self.options = options
        self.state = openState
    }

    deinit { close() }

    /// Closes the database: destroys the column-family handles, closes RocksDB, releases
    /// the directory lock. Waits for in-flight calls. Idempotent.
    public func close() {
        handleLock.withWriteLock {
            state?.close()
            state = nil
        }
    }

    /// Whether ``close()`` has been called.
    public var isClosed: Bool { handleLock.withReadLock { state == nil } }

    /// Names of the live column families, in the order they were opened or created.
    public func columnFamilyNames() throws -> [String] {
        try withState { state in state.order.filter { state.families[$0]?.dropped == false } }
    }

    /// A handle to an open column family (`"default"` by default).
    public func columnFamily(_ name: String = "default") throws -> ColumnFamily {
        try withState { state in
            guard let entry = state.families[name] else { throw StoreError.unknownColumnFamily(name) }
            guard !entry.dropped else { throw StoreError.columnFamilyDropped(name) }
            return ColumnFamily(store: self, name: name, id: entry.id)
        }
    }

    /// Creates a column family (or returns the existing live one with that name).
    public func createColumnFamily(_ name: String) throws -> ColumnFamily {
        try handleLock.withWriteLock {
            guard var current = state else { throw StoreError.closed }
            if let entry = current.families[name], !entry.dropped {
                return ColumnFamily(store: self, name: name, id: entry.id)
            }
            let handle = try name.withCString { cName in
                try rocksCall("create column family '\(name)'") {
                    rocksdb_create_column_family(current.db, current.native.options(forFamily: name), cName, $0)
                }
            }
            guard let handle else { throw StoreError.rocksdb(operation: "create column family '\(name)'", message: "no handle returned") }
            if let old = current.families[name] { current.retired.append(old.handle) }
            let entry = FamilyEntry(handle: handle, id: rocksdb_column_family_handle_get_id(handle), dropped: false)
            current.families[name] = entry
            if !current.order.contains(name) { current.order.append(name) }
            state = current
            return ColumnFamily(store: self, name: name, id: entry.id)
        }
    }

    /// Drops a column family and its data. Handles to it (and batches touching it) are
    /// refused afterwards with ``StoreError/columnFamilyDropped(_:)``.
    public func dropColumnFamily(_ name: String) throws {
        try handleLock.withWriteLock {
            guard var current = state else { throw StoreError.closed }
            guard let entry = current.families[name], !entry.dropped else { throw StoreError.unknownColumnFamily(name) }
            try rocksCall("drop column family '\(name)'") { rocksdb_drop_column_family(current.db, entry.handle, $0) }
            current.families[name]?.dropped = true
            state = current
        }
    }

    /// Flushes the memtables of all live column families to SST files and waits.
    public func flush() throws {
        try withState { state in
            let flushOptions = rocksdb_flushoptions_create()
            defer { rocksdb_flushoptions_destroy(flushOptions) }
            rocksdb_flushoptions_set_wait(flushOptions, 1)
            for entry in state.families.values where !entry.dropped {
                try rocksCall("flush") { rocksdb_flush_cf(state.db, flushOptions, entry.handle, $0) }
            }
        }
    }

    /// Writes a consistent copy of the database into `directory` (which must not exist),
    /// hard-linking SST files where possible. The copy opens as a normal ``Store``.
    public func createCheckpoint(at directory: String) throws {
        try withState { state in
            let checkpoint = try rocksCall("create checkpoint object") {
                rocksdb_checkpoint_object_create(state.db, $0)
            }
            guard let checkpoint else { throw StoreError.rocksdb(operation: "create checkpoint object", message: "no object returned") }
            defer { rocksdb_checkpoint_object_destroy(checkpoint) }
            try directory.withCString { cDirectory in
                // log_size_for_flush = 0: always flush memtables so the copy holds no WAL replay.
                try rocksCall("create checkpoint in \(directory)") { rocksdb_checkpoint_create(checkpoint, cDirectory, 0, $0) }
            }
        }
    }

    // MARK: - Internal access to native handles

    /// Runs `body` with the open handles under the shared lock; throws if closed.
    func withState<R>(_ body: (borrowing OpenState) throws -> R) throws -> R {
        try handleLock.withReadLock {
            guard let state else { throw StoreError.closed }
            return try body(state)
        }
    }

    /// Resolves a family handle under the shared lock, checking it is ours and live.
    func withFamily<R>(_ family: ColumnFamily, _ body: (_ db: OpaquePointer, _ handle: OpaquePointer, _ readOptions: OpaquePointer) throws -> R) throws -> R {
        guard family.store === self else { throw StoreError.foreignColumnFamily(family.name) }
        return try withState { state in
            let handle = try state.liveHandle(name: family.name, id: family.id)
            return try body(state.db, handle, state.readOptions)
        }
    }
}
