import CRocksDB
import Foundation

extension Store {
    /// Opens an existing database read-only (`rocksdb_open_for_read_only_column_families`)
    /// with all of its column families, for inspection tools.
    ///
    /// - Never takes the directory lock and never writes to the directory, so it works while
    ///   a writer (e.g. `m2grl serve`) holds the state directory. It sees the database as of
    ///   the open (SST files plus the WAL replayed into memory); later writes are invisible.
    /// - All table files are opened up front (`max_open_files = -1`), so a compaction of the
    ///   writer that deletes files after the open cannot make a later read fail.
    /// - Writes, flushes and column-family changes through the returned store fail with
    ///   RocksDB's "not supported in read only mode" error.
    ///
    /// - Throws: ``StoreError/directoryMissing(path:)`` when `path` holds no database,
    ///   ``StoreError/rocksdb(operation:message:)`` for RocksDB failures.
    public convenience init(readOnlyPath path: String, options: StoreOptions = StoreOptions()) throws {
        var settings = options
        settings.createIfMissing = false
        let state = try OpenState.openReadOnly(path: path, settings: settings)
        self.init(path: path, options: settings, openState: state)
    }
}

extension Store.OpenState {
    static func openReadOnly(path: String, settings: StoreOptions) throws -> Store.OpenState {
        guard FileManager.default.fileExists(atPath: path + "/CURRENT") else { throw StoreError.directoryMissing(path: path) }
        let native = NativeOptions(settings)
        rocksdb_options_set_max_open_files(native.options, -1)
        var names = try existingFamilies(path: path, options: native.options)
        if !names.contains("default") { names.insert("default", at: 0) }
        var handles = [OpaquePointer?](repeating: nil, count: names.count)
        let cNames = names.map { strdup($0) }
        defer { cNames.forEach { free($0) } }
        let familyOptions = [OpaquePointer?](repeating: native.options, count: names.count)
        let db = try cNames.map { UnsafePointer($0) }.withUnsafeBufferPointer { namePointers in
            try familyOptions.withUnsafeBufferPointer { optionPointers in
                try handles.withUnsafeMutableBufferPointer { handlePointers in
                    try rocksCall("open \(path) read-only") {
                        rocksdb_open_for_read_only_column_families(
                            native.options, path, Int32(names.count), namePointers.baseAddress,
                            optionPointers.baseAddress, handlePointers.baseAddress, 0, $0)
                    }
                }
            }
        }
        guard let db else { throw StoreError.rocksdb(operation: "open \(path) read-only", message: "no handle returned") }
        var families: [String: FamilyEntry] = [:]
        for (name, handle) in zip(names, handles) {
            guard let handle else { continue }
            families[name] = FamilyEntry(handle: handle, id: rocksdb_column_family_handle_get_id(handle), dropped: false)
        }
        return Store.OpenState(
            db: db, native: native, readOptions: rocksdb_readoptions_create(),
            families: families, order: names, directoryLock: nil)
    }
}
