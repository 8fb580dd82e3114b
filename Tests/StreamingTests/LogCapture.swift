import Foundation
import Logging

/// Records what a logger was asked to log (nothing is printed), so a test can see what
/// one ingest service did, e.g. which partitions it was assigned.
final class LogCapture: @unchecked Sendable {
    struct Entry {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let lock = NSLock()
    private var entries: [Entry] = []

    func append(_ entry: Entry) { lock.withLock { entries.append(entry) } }

    var all: [Entry] { lock.withLock { entries } }

    /// A logger at `.info` whose records land here.
    func logger(_ label: String) -> Logger {
        var l = Logger(label: label) { _ in CapturingLogHandler(capture: self) }
        l.logLevel = .info
        return l
    }

    /// Partition numbers an ingest service currently holds, from its last
    /// "resuming from stored offsets" (assignment) or "partitions revoked" record.
    var currentPartitions: Set<Int32> {
        var current: Set<Int32> = []
        for e in all {
            if e.message.hasPrefix("resuming from stored offsets") {
                current = Self.partitionNumbers(in: e.metadata["offsets"].map { "\($0)" } ?? "")
            } else if e.message.hasPrefix("partitions revoked") {
                current.subtract(Self.partitionNumbers(in: e.metadata["partitions"].map { "\($0)" } ?? ""))
            }
        }
        return current
    }

    /// Numbers `n` in `topic[n]` occurrences.
    static func partitionNumbers(in text: String) -> Set<Int32> {
        var out: Set<Int32> = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "[") {
            rest = rest[rest.index(after: open)...]
            guard let close = rest.firstIndex(of: "]") else { break }
            if let n = Int32(rest[..<close]) { out.insert(n) }
        }
        return out
    }

    /// Messages at `.error` or above.
    var errors: [String] { lock.withLock { entries.filter { $0.level >= .error }.map(\.message) } }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        capture.append(.init(level: event.level, message: event.message.description,
                             metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
    }
}
