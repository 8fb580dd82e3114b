import Foundation

/// Appends `HistoryRecord`s to `<state>/history.jsonl` (one JSON object per line). Writes
/// are serialised by a lock; a failed write is logged once by the caller's choice and
/// otherwise ignored (the history is for reports, never for correctness). Every record also
/// goes to the metrics (`StreamTelemetry`: rounds, versions, checkpoints).
public final class HistoryLog: @unchecked Sendable {
    private let lock = NSLock()
    private let handle: FileHandle?
    private let encoder: JSONEncoder
    private let telemetry: StreamTelemetry

    public init(stateDirectory: String, telemetry: StreamTelemetry = .shared) {
        self.telemetry = telemetry
        let path = URL(fileURLWithPath: stateDirectory).appendingPathComponent(HistoryRecord.fileName).path
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        handle = FileHandle(forWritingAtPath: path)
        _ = try? handle?.seekToEnd()
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
    }

    deinit { try? handle?.close() }

    public func append(_ record: HistoryRecord) {
        telemetry.record(record)
        guard let data = try? encoder.encode(record) else { return }
        lock.withLock {
            try? handle?.write(contentsOf: data + Data("\n".utf8))
        }
    }

    /// Milliseconds since the Unix epoch, now.
    public static var nowMs: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
