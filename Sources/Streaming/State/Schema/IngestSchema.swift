import Store

/// Where the ingester keeps its durable state in RocksDB (one column family per concern).
///
/// | family | key | value |
/// | --- | --- | --- |
/// | `vocab` | (view u16, id u32) | node name (UTF-8) |
/// | `edges` | (view u16, from u32, to u32) | weight, u64 (merge-add) |
/// | `attrs` | (view u16, item u32) | the item's (first) attribute node id, u64 |
/// | `attrs` (prefix 2) | (view u16, item u32, position u32) | a multi-valued item's further attribute node ids (position >= 1), u64 |
/// | `sessions` | (topic, partition i32, user) | one user's open-session state (`UserStateCodec`) |
/// | `offsets` | (topic, partition i32) | next offset to consume, u64 |
/// | `offsets` (prefix 2) | (topic, partition i32) | the partition's event clock, ms (i64 as u64) |
/// | `offsets` (prefix 3) | (topic, partition i32) | the two latest users behind that clock (`PartitionClockCodec`) |
/// | `offsets` (prefix 4) | (topic, partition i32) | scale-out replica: next offset of the graph-deltas log to read |
/// | `walks` | (view u16, seq u64) | one block of walks, the sequence number of its first walk in the key (`WalkBlockCodec`) |
/// | `meta` | name | u64 counters (`events.applied`, `walks.next.<view>`, ...) |
///
/// Everything one consumed batch changes goes into one `WriteBatch`, offsets included, so
/// the state on disk always reflects a prefix of each partition, applied exactly once.
public struct IngestSchema: Sendable {
    public static let families = ["vocab", "edges", "attrs", "sessions", "offsets", "walks", "meta"]
    public static let formatVersion: UInt64 = 1
    /// Stored `edges` keys start with the keyspace prefix (1 byte), the view (2) and the
    /// source node (4): one memtable bucket per source node.
    static let edgeSourcePrefixLength = 7

    public typealias ViewNodeKey = CompositeKey<UInt16, UInt32>
    public typealias EdgeKey = CompositeKey<UInt16, UInt32, UInt32>
    public typealias PartitionKey = CompositeKey<String, Int32>
    public typealias UserKey = CompositeKey<String, Int32, String>
    public typealias WalkKey = CompositeKey<UInt16, UInt64>

    public let vocab: Keyspace<ViewNodeKey, StringCodec>
    public let edges: Keyspace<EdgeKey, UInt64LittleEndianCodec>
    public let attrs: Keyspace<ViewNodeKey, UInt64LittleEndianCodec>
    public let furtherAttrs: Keyspace<EdgeKey, UInt64LittleEndianCodec>
    public let sessions: Keyspace<UserKey, RawBytesCodec>
    public let offsets: Keyspace<PartitionKey, UInt64LittleEndianCodec>
    public let eventClock: Keyspace<PartitionKey, UInt64LittleEndianCodec>
    public let clockMarks: Keyspace<PartitionKey, RawBytesCodec>
    /// A scale-out replica's position in the graph-deltas log (docs/scale-out.md).
    public let replicaPositions: Keyspace<PartitionKey, UInt64LittleEndianCodec>
    public let walks: Keyspace<WalkKey, RawBytesCodec>
    public let meta: Keyspace<String, UInt64LittleEndianCodec>

    public init(store: Store) throws {
        vocab = Keyspace(try store.columnFamily("vocab"), prefix: [1], codec: StringCodec())
        edges = Keyspace(try store.columnFamily("edges"), prefix: [1], codec: UInt64LittleEndianCodec())
        attrs = Keyspace(try store.columnFamily("attrs"), prefix: [1], codec: UInt64LittleEndianCodec())
        furtherAttrs = Keyspace(try store.columnFamily("attrs"), prefix: [2], codec: UInt64LittleEndianCodec())
        sessions = Keyspace(try store.columnFamily("sessions"), prefix: [1], codec: RawBytesCodec())
        offsets = Keyspace(try store.columnFamily("offsets"), prefix: [1], codec: UInt64LittleEndianCodec())
        eventClock = Keyspace(try store.columnFamily("offsets"), prefix: [2], codec: UInt64LittleEndianCodec())
        clockMarks = Keyspace(try store.columnFamily("offsets"), prefix: [3], codec: RawBytesCodec())
        replicaPositions = Keyspace(try store.columnFamily("offsets"), prefix: [4], codec: UInt64LittleEndianCodec())
        walks = Keyspace(try store.columnFamily("walks"), prefix: [1], codec: RawBytesCodec())
        meta = Keyspace(try store.columnFamily("meta"), prefix: [1], codec: UInt64LittleEndianCodec())
    }

    /// The view names the state was built with, item view first (`meta` keys
    /// `view:<i>:<name>`); empty for a new state.
    public func viewNames() throws -> [String] {
        var views: [(Int, String)] = []
        try meta.scan { key, _ in  // String keys are terminated: a prefix scan on "view:" matches nothing
            let parts = key.split(separator: ":", maxSplits: 2)
            if key.hasPrefix("view:"), parts.count == 3, let i = Int(parts[1]) { views.append((i, String(parts[2]))) }
            return .continue
        }
        return views.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Records `names` as the state's views (see ``viewNames()``).
    public func putViewNames(_ names: [String], into batch: WriteBatch) throws {
        for (i, n) in names.enumerated() { try batch.put(meta, "view:\(i):\(n)", 1) }
    }

    /// Opens (or creates) an ingest state directory. The families every batch writes tens of
    /// thousands of keys to, read back only by scans at load (session states, vocabulary,
    /// attributes), get vector memtables: an append instead of a skip-list insert. Edges,
    /// written as heavily but read back node by node by the adjacency cache, get a memtable
    /// hashed by (view, source node): an insert into that node's small skip list, a read of
    /// that node's bucket alone (a read of a vector memtable would sort a copy of it). Walk
    /// blocks and counters, read by key by the trainer and status, keep the skip list.
    public static func openStore(path: String, options: StoreOptions = StoreOptions()) throws -> Store {
        var options = options
        options.vectorMemtableFamilies = ["sessions", "vocab", "attrs"]
        options.hashedPrefixFamilies = ["edges": edgeSourcePrefixLength]
        return try Store(path: path, columnFamilies: families, options: options)
    }
}
