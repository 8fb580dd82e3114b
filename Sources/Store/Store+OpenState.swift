import CRocksDB
import Foundation

/// One open column family in ``Store/OpenState``.
struct FamilyEntry {
    let handle: OpaquePointer
    let id: UInt32
    var dropped: Bool
}

extension Store {
    /// The native handles of an open store. Freed only by ``close()`` under the write lock.
    struct OpenState {
        let db: OpaquePointer
        let native: NativeOptions
        /// Default read options, shared read-only by concurrent gets.
        let readOptions: OpaquePointer
        var families: [String: FamilyEntry]
        var order: [String]
        /// Handles of families dropped and then re-created under the same name.
        var retired: [OpaquePointer] = []
        /// Our lock file; nil for a read-only open (which never locks, see `Store+ReadOnly`).
        let directoryLock: DirectoryLock?

        func liveHandle(name: String, id: UInt32) throws -> OpaquePointer {
            guard let entry = families[name], entry.id == id, !entry.dropped else {
                throw StoreError.columnFamilyDropped(name)
            }
            return entry.handle
        }

        func close() {
            for entry in families.values { rocksdb_column_family_handle_destroy(entry.handle) }
            for handle in retired { rocksdb_column_family_handle_destroy(handle) }
            rocksdb_readoptions_destroy(readOptions)
            rocksdb_close(db)
            directoryLock?.release()
        }

        static func open(path: String, requested: [String], settings: StoreOptions) throws -> OpenState {
            try prepareDirectory(path, create: settings.createIfMissing)
            let directoryLock = try DirectoryLock.acquire(directory: path)
            do {
                let native = NativeOptions(settings)
                var names = try existingFamilies(path: path, options: native.options)
                for name in ["default"] + requested where !names.contains(name) { names.append(name) }
                return try openFamilies(path: path, names: names, native: native, directoryLock: directoryLock,
                                        operation: "open \(path)") { options, count, namePointers, optionPointers, handles, error in
                    rocksdb_open_column_families(options, path, count, namePointers, optionPointers, handles, error)
                }
            } catch {
                directoryLock.release()
                throw error
            }
        }

        private static func prepareDirectory(_ path: String, create: Bool) throws {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else { throw StoreError.invalidArgument("\(path) is not a directory") }
                return
            }
            guard create else { throw StoreError.directoryMissing(path: path) }
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw StoreError.io(operation: "create directory", path: path, errno: Int32((error as NSError).code))
            }
        }

        /// Opens the database with the column families `names` through `open` (a
        /// `rocksdb_open*_column_families` call) and wraps the handles.
        static func openFamilies(
            path: String, names: [String], native: NativeOptions, directoryLock: DirectoryLock?, operation: String,
            _ open: (OpaquePointer?, Int32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<OpaquePointer?>?,
                     UnsafeMutablePointer<OpaquePointer?>?, RocksErrorPointer) -> OpaquePointer?
        ) throws -> OpenState {
            var handles = [OpaquePointer?](repeating: nil, count: names.count)
            let cNames = names.map { strdup($0) }
            defer { cNames.forEach { free($0) } }
            let familyOptions: [OpaquePointer?] = names.map { native.options(forFamily: $0) }
            let db = try cNames.map { UnsafePointer($0) }.withUnsafeBufferPointer { namePointers in
                try familyOptions.withUnsafeBufferPointer { optionPointers in
                    try handles.withUnsafeMutableBufferPointer { handlePointers in
                        try rocksCall(operation) {
                            open(native.options, Int32(names.count), namePointers.baseAddress,
                                 optionPointers.baseAddress, handlePointers.baseAddress, $0)
                        }
                    }
                }
            }
            guard let db else { throw StoreError.rocksdb(operation: operation, message: "no handle returned") }
            var families: [String: FamilyEntry] = [:]
            for (name, handle) in zip(names, handles) {
                guard let handle else { continue }
                families[name] = FamilyEntry(handle: handle, id: rocksdb_column_family_handle_get_id(handle), dropped: false)
            }
            return OpenState(
                db: db, native: native, readOptions: rocksdb_readoptions_create(),
                families: families, order: names, directoryLock: directoryLock)
        }

        /// Existing column families, or none for a directory without a database yet.
        static func existingFamilies(path: String, options: OpaquePointer) throws -> [String] {
            guard FileManager.default.fileExists(atPath: path + "/CURRENT") else { return [] }
            var count = 0
            let list = try rocksCall("list column families of \(path)") {
                rocksdb_list_column_families(options, path, &count, $0)
            }
            guard let list else { return [] }
            defer { rocksdb_list_column_families_destroy(list, count) }
            return (0..<count).compactMap { list[$0].map { String(cString: $0) } }
        }
    }
}
