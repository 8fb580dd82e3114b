/// A handle to one column family of a ``Store``: raw byte-level reads and writes.
///
/// Cheap to copy and `Sendable`. It stays usable until the family is dropped or the store
/// is closed; after that every call throws instead of touching a freed native handle.
/// For typed access wrap it in a ``Keyspace``.
public struct ColumnFamily: Sendable, Hashable {
    /// The store this family belongs to.
    public let store: Store
    /// The column family name.
    public let name: String
    /// RocksDB's id for the family (unique within the database, never reused).
    let id: UInt32

    public static func == (lhs: ColumnFamily, rhs: ColumnFamily) -> Bool {
        lhs.store === rhs.store && lhs.id == rhs.id
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(store))
        hasher.combine(id)
    }

    /// The value stored under `key`, copied out of RocksDB's pinned slice; nil if absent.
    public func get(_ key: [UInt8], readView: StoreReadView? = nil) throws -> [UInt8]? {
        try store.withValue(in: self, key: key, readView: readView) { $0.map { Array($0) } }
    }

    /// Calls `body` with the pinned value bytes for `key` (nil if absent) without copying.
    /// The buffer is only valid during `body`.
    public func withValue<R>(_ key: [UInt8], readView: StoreReadView? = nil, _ body: (UnsafeRawBufferPointer?) throws -> R) throws -> R {
        try store.withValue(in: self, key: key, readView: readView, body)
    }

    /// Several point reads in one `rocksdb_batched_multi_get_cf`; results follow `keys`' order.
    public func multiGet(_ keys: [[UInt8]], readView: StoreReadView? = nil) throws -> [[UInt8]?] {
        try store.multiGet(in: self, keys: keys, readView: readView)
    }

    /// Writes one key (its own atomic write). `sync` nil uses ``StoreOptions/syncWrites``.
    public func put(_ key: [UInt8], _ value: [UInt8], sync: Bool? = nil) throws {
        let batch = WriteBatch()
        try batch.put(self, key: key, value: value)
        try store.write(batch, sync: sync)
    }

    /// Deletes one key (its own atomic write).
    public func delete(_ key: [UInt8], sync: Bool? = nil) throws {
        let batch = WriteBatch()
        try batch.delete(self, key: key)
        try store.write(batch, sync: sync)
    }

    /// Adds `delta` (mod 2^64) to the UInt64 counter under `key` with the UInt64-add merge
    /// operator. Counters are 8-byte little-endian; read them with ``UInt64LittleEndianCodec``.
    public func add(_ key: [UInt8], _ delta: UInt64, sync: Bool? = nil) throws {
        let batch = WriteBatch()
        try batch.add(self, key: key, delta: delta)
        try store.write(batch, sync: sync)
    }

    /// Visits the entries of `range` in key order (byte-wise), copying key and value
    /// before the iterator moves. The iterator is freed before this returns (or throws).
    public func scan(
        _ range: KeyRange = .all, direction: ScanDirection = .forward, readView: StoreReadView? = nil,
        _ body: (_ key: [UInt8], _ value: [UInt8]) throws -> ScanControl
    ) throws {
        try store.scanRaw(self, range: range, direction: direction, readView: readView) { key, value in
            try body(Array(key), Array(value))
        }
    }

    /// Like ``scan(_:direction:readView:_:)`` but hands out RocksDB's buffers without
    /// copying; they are only valid during the call to `body`.
    public func scanRaw(
        _ range: KeyRange = .all, direction: ScanDirection = .forward, readView: StoreReadView? = nil,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> ScanControl
    ) throws {
        try store.scanRaw(self, range: range, direction: direction, readView: readView, body)
    }
}
