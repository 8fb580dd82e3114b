/// Errors thrown by the store layer.
///
/// Every RocksDB `char** errptr` failure becomes ``rocksdb(operation:message:)`` carrying
/// RocksDB's own message; the C string is freed with `rocksdb_free` before throwing.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// RocksDB reported an error for `operation`.
    case rocksdb(operation: String, message: String)
    /// Another opener (this or another process) holds the state directory's lock file.
    /// `pid` is what the holder wrote into the lock file, if it could be read.
    case directoryInUse(path: String, pid: Int32?)
    /// The state directory does not exist and `createIfMissing` is false.
    case directoryMissing(path: String)
    /// A file-system call failed (lock file, directory creation).
    case io(operation: String, path: String, errno: Int32)
    /// The store was closed; the handle must not be used any more.
    case closed
    /// The read view was used after the `withReadView` body that created it returned.
    case readViewReleased
    /// No column family with this name is open in the store.
    case unknownColumnFamily(String)
    /// The column family was dropped; writes and reads through old handles are refused.
    case columnFamilyDropped(String)
    /// A handle from one store was used with another store.
    case foreignColumnFamily(String)
    /// Stored bytes could not be decoded with the requested key or value codec.
    case decoding(String)
    /// An argument was rejected before reaching RocksDB.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .rocksdb(let operation, let message):
            return "rocksdb \(operation) failed: \(message)"
        case .directoryInUse(let path, let pid):
            return "state directory \(path) is in use by pid \(pid.map(String.init) ?? "unknown")"
        case .directoryMissing(let path):
            return "state directory \(path) does not exist (createIfMissing is false)"
        case .io(let operation, let path, let errno):
            return "\(operation) on \(path) failed with errno \(errno)"
        case .closed:
            return "store is closed"
        case .readViewReleased:
            return "read view used after it was released"
        case .unknownColumnFamily(let name):
            return "unknown column family '\(name)'"
        case .columnFamilyDropped(let name):
            return "column family '\(name)' was dropped"
        case .foreignColumnFamily(let name):
            return "column family '\(name)' belongs to a different store"
        case .decoding(let detail):
            return "cannot decode stored bytes: \(detail)"
        case .invalidArgument(let detail):
            return "invalid argument: \(detail)"
        }
    }
}
