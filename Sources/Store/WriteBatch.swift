import CRocksDB

/// An atomic group of puts, deletes, range deletes and counter adds across column
/// families of one store, committed by ``Store/write(_:sync:disableWAL:)`` in a single
/// `rocksdb_write`.
///
/// Not thread-safe (build it on one thread). Owns its native batch and frees it on deinit.
/// Before committing, the store checks that every family the batch touches is still live:
/// RocksDB 7.8 itself applies the entries *preceding* an entry for a dropped family
/// before rejecting the batch, which would break atomicity.
public final class WriteBatch {
    let handle: OpaquePointer
    /// The store of the first family used; mixing stores is refused.
    private(set) var store: Store?
    /// Families touched, checked for liveness at commit.
    private(set) var families: [ColumnFamily] = []
    /// The family of the previous entry and its native handle (entries come in runs).
    private var lastFamily: (family: ColumnFamily, handle: OpaquePointer)?

    public init() {
        handle = rocksdb_writebatch_create()
    }

    deinit { rocksdb_writebatch_destroy(handle) }

    /// Number of operations recorded.
    public var count: Int { Int(rocksdb_writebatch_count(handle)) }

    /// Removes all recorded operations.
    public func clear() {
        rocksdb_writebatch_clear(handle)
        families.removeAll()
        lastFamily = nil
        store = nil
    }

    /// Records `key = value` in `family`.
    public func put(_ family: ColumnFamily, key: [UInt8], value: [UInt8]) throws {
        try record(family) { columnFamily in
            withCBytes(key) { keyPointer, keyLength in
                withCBytes(value) { valuePointer, valueLength in
                    rocksdb_writebatch_put_cf(handle, columnFamily, keyPointer, keyLength, valuePointer, valueLength)
                }
            }
        }
    }

    /// Records the deletion of `key` in `family`.
    public func delete(_ family: ColumnFamily, key: [UInt8]) throws {
        try record(family) { columnFamily in
            withCBytes(key) { rocksdb_writebatch_delete_cf(handle, columnFamily, $0, $1) }
        }
    }

    /// Records the deletion of every key in `[lower, upper)` of `family`.
    public func deleteRange(_ family: ColumnFamily, from lower: [UInt8], to upper: [UInt8]) throws {
        guard lower.lexicographicallyPrecedes(upper) else {
            throw StoreError.invalidArgument("deleteRange needs lower < upper")
        }
        try record(family) { columnFamily in
            withCBytes(lower) { lowerPointer, lowerLength in
                withCBytes(upper) { upperPointer, upperLength in
                    rocksdb_writebatch_delete_range_cf(
                        handle, columnFamily, lowerPointer, lowerLength, upperPointer, upperLength)
                }
            }
        }
    }

    /// Records `counter[key] += delta` (mod 2^64) through the UInt64-add merge operator.
    /// A missing key counts as 0; a stored value that is not 8 bytes is treated as 0 by RocksDB.
    public func add(_ family: ColumnFamily, key: [UInt8], delta: UInt64) throws {
        let operand = UInt64LittleEndianCodec().encode(delta)
        try record(family) { columnFamily in
            withCBytes(key) { keyPointer, keyLength in
                withCBytes(operand) { operandPointer, operandLength in
                    rocksdb_writebatch_merge_cf(handle, columnFamily, keyPointer, keyLength, operandPointer, operandLength)
                }
            }
        }
    }

    private func record(_ family: ColumnFamily, _ append: (OpaquePointer) -> Void) throws {
        if let store, store !== family.store { throw StoreError.foreignColumnFamily(family.name) }
        if let last = lastFamily, last.family == family {
            // Same family as the previous entry: its handle stays valid while the store is
            // open (handles are freed only by close, under the exclusive lock); liveness
            // against drops is checked again at commit.
            try family.store.withState { _ in append(last.handle) }
            return
        }
        let handle = try family.store.withFamily(family) { _, columnFamily, _ in
            append(columnFamily)
            return columnFamily
        }
        lastFamily = (family, handle)
        store = family.store
        if !families.contains(family) { families.append(family) }
    }
}

extension Store {
    /// Commits `batch` atomically with one `rocksdb_write`: all of it or none of it.
    ///
    /// - Parameters:
    ///   - sync: fsync the WAL before returning; nil uses ``StoreOptions/syncWrites``.
    ///   - disableWAL: skip the WAL (faster, lost on crash; for rebuildable state only).
    ///     RocksDB rejects `sync` together with `disableWAL`.
    public func write(_ batch: WriteBatch, sync: Bool? = nil, disableWAL: Bool = false) throws {
        if let owner = batch.store, owner !== self {
            throw StoreError.foreignColumnFamily(batch.families.first?.name ?? "?")
        }
        try withState { state in
            for family in batch.families { _ = try state.liveHandle(name: family.name, id: family.id) }
            let writeOptions = rocksdb_writeoptions_create()
            defer { rocksdb_writeoptions_destroy(writeOptions) }
            rocksdb_writeoptions_set_sync(writeOptions, (sync ?? options.syncWrites) ? 1 : 0)
            rocksdb_writeoptions_disable_WAL(writeOptions, disableWAL ? 1 : 0)
            try rocksCall("write batch") { rocksdb_write(state.db, writeOptions, batch.handle, $0) }
        }
    }
}
