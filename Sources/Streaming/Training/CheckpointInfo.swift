import Foundation

/// `checkpoint.json` of a state directory's model checkpoint (`<state>/model/`): what the
/// checkpointed tables reflect. The tables themselves are in the same layout as
/// `m2grl train --out` (`manifest.json`, `<view>.emb`, `<view>.nodes`, alignments), plus
/// the context tables (`context-<view>.emb`) the trainer needs to continue.
public struct CheckpointInfo: Sendable, Equatable, Codable {
    public static let fileName = "checkpoint.json"
    public static let directoryName = "model"
    public static let formatVersion = 1

    public var formatVersion: Int
    /// Last embedding version published before this checkpoint (0: none yet).
    public var publishedVersion: UInt64
    /// ISO 8601 time the checkpoint was written.
    public var createdAt: String
    /// Input offsets (`"topic:partition"` -> next offset) reflected by the tables.
    public var inputOffsets: [String: Int64]
    /// Latest event time (ms) reflected by the tables.
    public var eventTimeWatermarkMs: Int64
    /// Learned `s_t = log σ_t²` per task name.
    public var taskLogVariances: [String: Double]
    /// Training rounds completed so far (all runs).
    public var rounds: UInt64
    /// Walk tokens trained so far (all runs).
    public var tokensTrained: UInt64

    public init(publishedVersion: UInt64, createdAt: String, inputOffsets: [String: Int64],
                eventTimeWatermarkMs: Int64, taskLogVariances: [String: Double], rounds: UInt64,
                tokensTrained: UInt64) {
        self.formatVersion = Self.formatVersion
        self.publishedVersion = publishedVersion
        self.createdAt = createdAt
        self.inputOffsets = inputOffsets
        self.eventTimeWatermarkMs = eventTimeWatermarkMs
        self.taskLogVariances = taskLogVariances
        self.rounds = rounds
        self.tokensTrained = tokensTrained
    }

    /// Reads `<state>/model/checkpoint.json`; nil when the state has no checkpoint yet.
    public static func read(stateDirectory: String) throws -> CheckpointInfo? {
        let url = URL(fileURLWithPath: stateDirectory).appendingPathComponent(directoryName).appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try JSONDecoder().decode(CheckpointInfo.self, from: Data(contentsOf: url))
    }
}
