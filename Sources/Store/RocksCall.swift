import CRocksDB

/// The `char** errptr` out-parameter of the RocksDB C API.
typealias RocksErrorPointer = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>

/// Runs a RocksDB C call that reports failures through `errptr`; turns a set error into
/// ``StoreError/rocksdb(operation:message:)`` after freeing the C string with `rocksdb_free`.
@inline(__always)
func rocksCall<T>(_ operation: String, _ body: (RocksErrorPointer) throws -> T) throws -> T {
    var error: UnsafeMutablePointer<CChar>? = nil
    let result = try body(&error)
    if let error {
        let message = String(cString: error)
        rocksdb_free(error)
        throw StoreError.rocksdb(operation: operation, message: message)
    }
    return result
}

/// Calls `body` with a `const char*` view of `bytes` and its length. An empty array gets a
/// valid one-byte pointer (never null) so RocksDB never sees a null slice pointer.
@inline(__always)
func withCBytes<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>, Int) throws -> R) rethrows -> R {
    try bytes.withUnsafeBufferPointer { buffer in
        if let base = buffer.baseAddress, buffer.count > 0 {
            return try UnsafeRawPointer(base).withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                try body($0, buffer.count)
            }
        }
        var zero: CChar = 0
        return try withUnsafePointer(to: &zero) { try body($0, 0) }
    }
}

/// Views a C buffer as raw bytes (an empty buffer for a null pointer).
@inline(__always)
func rawBuffer(_ pointer: UnsafePointer<CChar>?, _ count: Int) -> UnsafeRawBufferPointer {
    guard let pointer, count > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: UnsafeRawPointer(pointer), count: count)
}
