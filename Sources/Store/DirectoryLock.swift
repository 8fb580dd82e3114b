#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exclusive ownership of a state directory, held for the life of a ``Store``.
///
/// Implemented with our own lock file (`m2grl-store.lock`) in the directory:
/// `open` + `flock(LOCK_EX | LOCK_NB)`, then the holder's pid is written into the file.
/// `flock` locks belong to the open file description, so a second open in the *same*
/// process conflicts just like one from another process. The lock is taken before
/// `rocksdb_open`, so users see ``StoreError/directoryInUse(path:pid:)`` rather than
/// RocksDB's own `LOCK` error. The kernel drops the lock if the process dies.
final class DirectoryLock: @unchecked Sendable {
    /// Name of the lock file inside the state directory.
    static let fileName = "m2grl-store.lock"

    let directory: String
    private var descriptor: Int32

    private init(directory: String, descriptor: Int32) {
        self.directory = directory
        self.descriptor = descriptor
    }

    /// Takes the lock or throws ``StoreError/directoryInUse(path:pid:)`` naming the holder.
    static func acquire(directory: String) throws -> DirectoryLock {
        let path = directory + "/" + fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.io(operation: "open lock file", path: path, errno: errno) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            let holder = readPid(fd)
            close(fd)
            if code == EWOULDBLOCK || code == EAGAIN {
                throw StoreError.directoryInUse(path: directory, pid: holder)
            }
            throw StoreError.io(operation: "flock", path: path, errno: code)
        }
        let pidText = Array("\(getpid())\n".utf8)
        let written = pidText.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        if ftruncate(fd, off_t(pidText.count)) != 0 || written != pidText.count {
            let code = errno
            close(fd)  // also releases the flock
            throw StoreError.io(operation: "write pid to lock file", path: path, errno: code)
        }
        return DirectoryLock(directory: directory, descriptor: fd)
    }

    /// Empties the pid, releases the lock and closes the file. Idempotent.
    func release() {
        guard descriptor >= 0 else { return }
        _ = ftruncate(descriptor, 0)
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }

    /// Reads the pid the current holder wrote (nil if empty or unreadable).
    private static func readPid(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self)
        return Int32(text.trimmingWhitespace())
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        String(self.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
