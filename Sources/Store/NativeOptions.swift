import CRocksDB

/// Owns the `rocksdb_options_t` (and the block cache / table options it references)
/// built from ``StoreOptions``. The same options serve as DB options and as the options
/// of every column family (including the built-in UInt64-add merge operator), except that
/// the families of ``StoreOptions/vectorMemtableFamilies`` get a copy with a vector memtable.
final class NativeOptions: @unchecked Sendable {
    let options: OpaquePointer
    private let tableOptions: OpaquePointer
    private let cache: OpaquePointer?
    /// Options of the families listed in ``StoreOptions/vectorMemtableFamilies``.
    private let vectorOptions: OpaquePointer?
    private let vectorFamilies: Set<String>

    init(_ settings: StoreOptions) {
        options = rocksdb_options_create()
        rocksdb_options_set_create_if_missing(options, settings.createIfMissing ? 1 : 0)
        rocksdb_options_set_create_missing_column_families(options, settings.createIfMissing ? 1 : 0)
        rocksdb_options_set_write_buffer_size(options, settings.writeBufferSize)
        rocksdb_options_set_compression(options, settings.compression.rocksdbValue)
        if let threads = settings.backgroundThreads, threads > 0 {
            rocksdb_options_increase_parallelism(options, Int32(threads))
        }
        // Counters (edge weights): merge operands and stored values are 8-byte little-endian UInt64.
        rocksdb_options_set_uint64add_merge_operator(options)

        tableOptions = rocksdb_block_based_options_create()
        if settings.blockCacheSize > 0 {
            let lru = rocksdb_cache_create_lru(settings.blockCacheSize)
            cache = lru
            rocksdb_block_based_options_set_block_cache(tableOptions, lru)
        } else {
            cache = nil
            rocksdb_block_based_options_set_no_block_cache(tableOptions, 1)
        }
        rocksdb_options_set_block_based_table_factory(options, tableOptions)

        vectorFamilies = settings.vectorMemtableFamilies
        if vectorFamilies.isEmpty {
            vectorOptions = nil
        } else {
            // The vector memtable takes no concurrent inserts (a DB-wide setting); writes
            // are serialised by RocksDB's write queue anyway.
            rocksdb_options_set_allow_concurrent_memtable_write(options, 0)
            let copy = rocksdb_options_create_copy(options)!
            rocksdb_options_set_memtable_vector_rep(copy)
            vectorOptions = copy
        }
    }

    /// The options of column family `name`.
    func options(forFamily name: String) -> OpaquePointer {
        if let vectorOptions, vectorFamilies.contains(name) { return vectorOptions }
        return options
    }

    deinit {
        rocksdb_options_destroy(options)
        if let vectorOptions { rocksdb_options_destroy(vectorOptions) }
        rocksdb_block_based_options_destroy(tableOptions)
        if let cache { rocksdb_cache_destroy(cache) }
    }
}

extension StoreOptions.Compression {
    var rocksdbValue: Int32 {
        switch self {
        case .none: return Int32(rocksdb_no_compression)
        case .snappy: return Int32(rocksdb_snappy_compression)
        case .lz4: return Int32(rocksdb_lz4_compression)
        case .zstd: return Int32(rocksdb_zstd_compression)
        }
    }
}
