#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The POSIX steps of a crash-safe replacement: `fsync` of a file or a directory (a file's
/// bytes, or a directory's entries, survive a power loss only once synced) and `rename(2)`
/// followed by an `fsync` of the parent directory.
enum DurableFiles {
    struct Failure: Error, CustomStringConvertible {
        var operation: String
        var path: String
        var code: Int32

        var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
    }

    /// `fsync` of a file or a directory.
    static func sync(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(operation: "open", path: path, code: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw Failure(operation: "fsync", path: path, code: errno) }
    }

    /// `fsync` of every entry of `directory` (not recursive), then of the directory itself.
    static func syncContents(ofDirectory directory: String) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) { try sync(directory + "/" + name) }
        try sync(directory)
    }

    /// Atomically renames `source` to `destination` (same file system; a directory
    /// destination must not exist or be empty), then syncs the parent directory.
    static func move(_ source: String, to destination: String) throws {
        guard rename(source, destination) == 0 else {
            throw Failure(operation: "rename to \(destination)", path: source, code: errno)
        }
        try sync(parent(of: destination))
    }

    static func parent(of path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().path
    }
}
