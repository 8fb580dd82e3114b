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
        return try openFamilies(path: path, names: names, native: native, directoryLock: nil,
                                operation: "open \(path) read-only") { options, count, namePointers, optionPointers, handles, error in
            rocksdb_open_for_read_only_column_families(options, path, count, namePointers, optionPointers, handles, 0, error)
        }
    }
}
