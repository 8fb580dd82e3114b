import CRocksDB

/// Owns the `rocksdb_options_t` (and the block cache / table options it references)
/// built from ``StoreOptions``. The same options serve as DB options and as the options
/// of every column family (including the built-in UInt64-add merge operator), except that
/// the families of ``StoreOptions/vectorMemtableFamilies`` and
/// ``StoreOptions/hashedPrefixFamilies`` get a copy with their memtable.
final class NativeOptions: @unchecked Sendable {
    let options: OpaquePointer
    private let tableOptions: OpaquePointer
    private let cache: OpaquePointer?
    /// Options of the families with another memtable than the skip list.
    private let familyOptions: [String: OpaquePointer]
    /// Prefix length of the families of ``StoreOptions/hashedPrefixFamilies``.
    let hashedPrefixLengths: [String: Int]

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

        var familyOptions: [String: OpaquePointer] = [:]
        if !settings.vectorMemtableFamilies.isEmpty || !settings.hashedPrefixFamilies.isEmpty {
            // Only the skip list takes concurrent inserts (a DB-wide setting); writes are
            // serialised by RocksDB's write queue anyway.
            rocksdb_options_set_allow_concurrent_memtable_write(options, 0)
        }
        for name in settings.vectorMemtableFamilies {
            let copy = rocksdb_options_create_copy(options)!
            rocksdb_options_set_memtable_vector_rep(copy)
            familyOptions[name] = copy
        }
        for (name, length) in settings.hashedPrefixFamilies where familyOptions[name] == nil {
            let copy = rocksdb_options_create_copy(options)!
            // The options object takes ownership of the slice transform.
            rocksdb_options_set_prefix_extractor(copy, rocksdb_slicetransform_create_fixed_prefix(length))
            // Buckets (8 bytes each, allocated with every memtable) take 1/8 of the write
            // buffer: a memtable must start well below its flush size (RocksDB asserts it).
            // Skip lists of height 8, branching 4: prefixes of up to ~64k entries stay O(log).
            let buckets = min(max(settings.writeBufferSize / 64, 1024), 1 << 20)
            rocksdb_options_set_hash_skip_list_rep(copy, buckets, 8, 4)
            familyOptions[name] = copy
        }
        self.familyOptions = familyOptions
        hashedPrefixLengths = settings.hashedPrefixFamilies.filter { !settings.vectorMemtableFamilies.contains($0.key) }
    }

    /// The options of column family `name`.
    func options(forFamily name: String) -> OpaquePointer {
        familyOptions[name] ?? options
    }

    deinit {
        rocksdb_options_destroy(options)
        for (_, o) in familyOptions { rocksdb_options_destroy(o) }
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
