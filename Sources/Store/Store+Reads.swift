import CRocksDB

extension Store {
    /// Point read through `rocksdb_get_pinned_cf`; `body` sees the pinned bytes (nil if absent).
    func withValue<R>(
        in family: ColumnFamily, key: [UInt8], readView: StoreReadView?,
        _ body: (UnsafeRawBufferPointer?) throws -> R
    ) throws -> R {
        try withFamily(family) { db, handle, defaultReadOptions in
            try withReadOptions(readView: readView, default: defaultReadOptions) { readOptions in
                let pinned = try withCBytes(key) { keyPointer, keyLength in
                    try rocksCall("get from '\(family.name)'") {
                        rocksdb_get_pinned_cf(db, readOptions, handle, keyPointer, keyLength, $0)
                    }
                }
                guard let pinned else { return try body(nil) }
                defer { rocksdb_pinnableslice_destroy(pinned) }
                var length = 0
                let value = rocksdb_pinnableslice_value(pinned, &length)
                return try body(rawBuffer(value, length))
            }
        }
    }

    /// Batched point reads through `rocksdb_batched_multi_get_cf`; values are copied out.
    /// Any per-key error (other than not-found) is thrown after all slices are freed.
    func multiGet(in family: ColumnFamily, keys: [[UInt8]], readView: StoreReadView?) throws -> [[UInt8]?] {
        guard !keys.isEmpty else { return [] }
        // One contiguous buffer holds every key so all pointers are valid at once.
        var offsets: [Int] = []
        offsets.reserveCapacity(keys.count)
        var joined: [UInt8] = [0]  // never empty, so the base address is never null
        for key in keys {
            offsets.append(joined.count)
            joined.append(contentsOf: key)
        }
        let sizes = keys.map(\.count)
        return try withFamily(family) { db, handle, defaultReadOptions in
            try withReadOptions(readView: readView, default: defaultReadOptions) { readOptions in
                var values = [OpaquePointer?](repeating: nil, count: keys.count)
                var errors = [UnsafeMutablePointer<CChar>?](repeating: nil, count: keys.count)
                joined.withUnsafeBufferPointer { buffer in
                    guard let address = buffer.baseAddress else { return }
                    let base = UnsafeRawPointer(address).assumingMemoryBound(to: CChar.self)
                    let keyPointers: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
                    rocksdb_batched_multi_get_cf(db, readOptions, handle, keys.count, keyPointers, sizes, &values, &errors, false)
                }
                defer {
                    for value in values { if let value { rocksdb_pinnableslice_destroy(value) } }
                    for error in errors { if let error { rocksdb_free(error) } }
                }
                if let index = errors.firstIndex(where: { $0 != nil }), let error = errors[index] {
                    throw StoreError.rocksdb(operation: "multi-get from '\(family.name)'", message: String(cString: error))
                }
                return values.map { value in
                    guard let value else { return nil }
                    var length = 0
                    return Array(rawBuffer(rocksdb_pinnableslice_value(value, &length), length))
                }
            }
        }
    }

    /// Iterates `range` of `family`; the iterator and its read options are freed on exit.
    func scanRaw(
        _ family: ColumnFamily, range: KeyRange, direction: ScanDirection, readView: StoreReadView?,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> ScanControl
    ) throws {
        if let lower = range.lower, let upper = range.upper, !lower.lexicographicallyPrecedes(upper) {
            return  // empty range
        }
        let prefixLength = try withState { $0.native.hashedPrefixLengths[family.name] }
        try withFamily(family) { db, handle, _ in
            try withReadViewPointer(readView) { readViewPointer in
                let readOptions = rocksdb_readoptions_create()
                defer { rocksdb_readoptions_destroy(readOptions) }
                if let readViewPointer { rocksdb_readoptions_set_snapshot(readOptions, readViewPointer) }
                // A family with a prefix extractor: a forward scan within one prefix reads only
                // that prefix (its memtable bucket); any other scan is total-order.
                let onePrefix = prefixLength.map { direction == .forward && range.staysWithinPrefix(ofLength: $0) } ?? false
                rocksdb_readoptions_set_total_order_seek(readOptions, onePrefix ? 0 : 1)
                if onePrefix { rocksdb_readoptions_set_prefix_same_as_start(readOptions, 1) }
                // The C API copies bound bytes into the read options object.
                if let lower = range.lower {
                    withCBytes(lower) { rocksdb_readoptions_set_iterate_lower_bound(readOptions, $0, $1) }
                }
                if let upper = range.upper {
                    withCBytes(upper) { rocksdb_readoptions_set_iterate_upper_bound(readOptions, $0, $1) }
                }
                guard let iterator = rocksdb_create_iterator_cf(db, readOptions, handle) else {
                    throw StoreError.rocksdb(operation: "create iterator on '\(family.name)'", message: "no iterator returned")
                }
                defer { rocksdb_iter_destroy(iterator) }
                switch direction {
                case .forward:
                    if let lower = range.lower {
                        withCBytes(lower) { rocksdb_iter_seek(iterator, $0, $1) }
                    } else {
                        rocksdb_iter_seek_to_first(iterator)
                    }
                case .reverse:
                    // Honours iterate_upper_bound: lands on the last key strictly below it.
                    rocksdb_iter_seek_to_last(iterator)
                }
                while rocksdb_iter_valid(iterator) != 0 {
                    var keyLength = 0
                    var valueLength = 0
                    let key = rocksdb_iter_key(iterator, &keyLength)
                    let value = rocksdb_iter_value(iterator, &valueLength)
                    if try body(rawBuffer(key, keyLength), rawBuffer(value, valueLength)) == .stop { break }
                    switch direction {
                    case .forward: rocksdb_iter_next(iterator)
                    case .reverse: rocksdb_iter_prev(iterator)
                    }
                }
                try rocksCall("iterate '\(family.name)'") { rocksdb_iter_get_error(iterator, $0) }
            }
        }
    }

    /// Uses the shared default read options, or fresh ones pinned to `snapshot`.
    private func withReadOptions<R>(
        readView: StoreReadView?, default defaultReadOptions: OpaquePointer,
        _ body: (OpaquePointer) throws -> R
    ) throws -> R {
        try withReadViewPointer(readView) { readViewPointer in
            guard let readViewPointer else { return try body(defaultReadOptions) }
            let readOptions = rocksdb_readoptions_create()
            defer { rocksdb_readoptions_destroy(readOptions) }
            rocksdb_readoptions_set_snapshot(readOptions, readViewPointer)
            guard let readOptions else { throw StoreError.rocksdb(operation: "create read options", message: "allocation failed") }
            return try body(readOptions)
        }
    }

    private func withReadViewPointer<R>(_ readView: StoreReadView?, _ body: (OpaquePointer?) throws -> R) throws -> R {
        guard let readView else { return try body(nil) }
        return try readView.withPointer(for: self) { try body($0) }
    }
}
