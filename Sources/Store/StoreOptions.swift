/// Tunables for opening a ``Store``. Defaults suit a single trainer process with a few
/// GB of state: 64 MiB memtables, a 128 MiB LRU block cache, LZ4 compression, async WAL.
public struct StoreOptions: Sendable, Equatable {
    /// Block compression for SST files. The RocksDB build must link the codec, otherwise
    /// opening fails with RocksDB's "not linked with the binary" message.
    public enum Compression: Sendable, Equatable {
        case none, snappy, lz4, zstd
    }

    /// Create the directory, the database and any requested missing column families.
    public var createIfMissing: Bool = true
    /// Memtable size per column family, in bytes (`write_buffer_size`).
    public var writeBufferSize: Int = 64 << 20
    /// Shared LRU block cache capacity in bytes; 0 disables the block cache.
    public var blockCacheSize: Int = 128 << 20
    /// SST block compression.
    public var compression: Compression = .lz4
    /// Column families whose memtable is an append-only vector sorted when it is flushed
    /// (or read) instead of RocksDB's skip list: an insert costs a copy whatever the key
    /// order, but a point read of the unflushed part sorts a copy of it. For write-heavy
    /// families read mostly by scans (the ingest state's sessions, vocabulary, attributes).
    public var vectorMemtableFamilies: Set<String> = []
    /// Column families whose memtable is hashed by the first `n` bytes of the stored key
    /// (RocksDB's hash skip list with a fixed-prefix extractor): an insert goes into the
    /// small skip list of its prefix, and a forward scan that stays within one prefix reads
    /// that bucket alone; a scan across prefixes makes a sorted copy of the memtable first.
    /// For write-heavy families read back one prefix at a time (the ingest state's edges,
    /// read node by node). Every stored key must be at least `n` bytes long.
    public var hashedPrefixFamilies: [String: Int] = [:]
    /// Default for writes that do not say otherwise: fsync the WAL before returning.
    public var syncWrites: Bool = false
    /// Background flush/compaction threads (`increase_parallelism`); nil keeps RocksDB's default.
    public var backgroundThreads: Int? = nil

    public init() {}
}
