import Foundation
import Model

/// What a replay reads and does (`m2grl replay`): where to start and stop in the log, how
/// big its deterministic batches are, and how training and publication are interleaved.
public struct ReplayPlan: Sendable, Equatable {
    public enum Start: Sendable, Equatable {
        /// The earliest retained offset of every partition.
        case earliest
        /// Explicit next offsets per partition (partitions not listed start at the earliest).
        case offsets([Int32: Int64])
        /// The first event at or after this event time (ms): offsets-for-times where the
        /// broker answers it, else the earliest offset with earlier events skipped.
        case time(Int64)
    }

    public enum End: Sendable, Equatable {
        /// The high watermarks when the replay starts.
        case end
        /// Each partition stops before its first event at or after this event time (ms).
        case time(Int64)
    }

    public enum Publish: String, Sendable, Equatable, CaseIterable {
        /// Nothing is published.
        case none
        /// One version at the end.
        case final
        /// A version after every training round, and one at the end.
        case every
    }

    public var start: Start = .earliest
    public var end: End = .end
    /// Events taken from each partition per batch (batches are cut by counts, never by
    /// fetch timing, so two replays of one log apply identical batches).
    public var eventsPerPartition: Int = 5_000
    /// A training round after every this many batches (0: no training during the replay).
    public var trainEveryBatches: Int = 4
    /// Epochs over fresh walks of the final graphs at the end (0: none; `ContinuousTrainer.finalTraining`).
    public var finalEpochs: Int = 0
    public var publish: Publish = .final

    public init() {}

    /// Parses `earliest`, `offsets:FILE` (JSON object partition -> next offset, both
    /// integers >= 0) or `time:ISO8601` (or `time:<seconds since the epoch>`; ``TimeArgument``).
    public static func parseStart(_ text: String) throws -> Start {
        if text == "earliest" { return .earliest }
        if text.hasPrefix("offsets:") {
            let path = String(text.dropFirst("offsets:".count))
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ReplayError.invalidOption("--from: cannot read offsets file '\(path)'")
            }
            // JSONDecoder, not JSONSerialization: an offset must be an integer (1.5, 1e300 or
            // true is an error, not truncated or saturated).
            guard let object = try? JSONDecoder().decode([String: Int64].self, from: data) else {
                throw ReplayError.invalidOption("--from: '\(path)' is not a JSON object {\"<partition>\": <next offset>, ...} of integers")
            }
            var offsets: [Int32: Int64] = [:]
            for (key, offset) in object {
                guard let p = Int32(key), p >= 0, offset >= 0 else {
                    throw ReplayError.invalidOption("--from: '\(path)': entry \"\(key)\" must map a partition number to an offset >= 0")
                }
                offsets[p] = offset
            }
            return .offsets(offsets)
        }
        if text.hasPrefix("time:") { return .time(try parseTime(String(text.dropFirst(5)), option: "--from")) }
        throw ReplayError.invalidOption("--from: '\(text)' is not earliest, offsets:FILE or time:ISO8601")
    }

    /// Parses `end` or `time:ISO8601`.
    public static func parseEnd(_ text: String) throws -> End {
        if text == "end" { return .end }
        if text.hasPrefix("time:") { return .time(try parseTime(String(text.dropFirst(5)), option: "--until")) }
        throw ReplayError.invalidOption("--until: '\(text)' is not end or time:ISO8601")
    }

    static func parseTime(_ text: String, option: String) throws -> Int64 {
        guard let millis = TimeArgument.milliseconds(text) else {
            throw ReplayError.invalidOption("\(option): '\(text)' is not \(TimeArgument.expected)")
        }
        return millis
    }
}

public enum ReplayError: Error, CustomStringConvertible, Sendable {
    case invalidOption(String)

    public var description: String {
        switch self {
        case .invalidOption(let m): return m
        }
    }
}
