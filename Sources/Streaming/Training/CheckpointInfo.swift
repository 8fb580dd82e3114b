import Foundation
import Model

/// `checkpoint.json` of a state directory's model checkpoint (`<state>/model/`): what the
/// checkpointed tables reflect. The tables themselves are in the same layout as
/// `m2grl train --out` (`manifest.json`, `<view>.emb`, `<view>.nodes`, alignments), plus
/// the context tables (`context-<view>.emb`) the trainer needs to continue.
///
/// Read from a file, so untrusted: `validate()` checks every number before the trainer
/// does arithmetic with it (docs/formats.md, "Model checkpoint").
public struct CheckpointInfo: Sendable, Equatable, Codable {
    public static let fileName = "checkpoint.json"
    public static let directoryName = "model"
    public static let formatVersion = 1
    /// Largest valid `publishedVersion`: the model directory's `modelVersion` is an `Int`,
    /// and the trainer's next version (`+ 1`) must not overflow.
    public static let maximumVersion = UInt64(Int64.max)
    /// Largest valid `rounds` and `tokensTrained`: the trainer keeps adding to them.
    public static let maximumCounter = UInt64(Int64.max)

    /// Why a `checkpoint.json` cannot be used.
    public struct Invalid: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { "invalid checkpoint info: \(reason)" }
    }

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
    /// What the published vectors are made of (`training.embedding`); absent: the input
    /// tables. The model files hold the published vectors either way; for
    /// `input_plus_context` the input tables are kept beside them (`input-<view>.emb`) so
    /// the trainer restores them exactly.
    public var embedding: EmbeddingVectors?

    public init(publishedVersion: UInt64, createdAt: String, inputOffsets: [String: Int64],
                eventTimeWatermarkMs: Int64, taskLogVariances: [String: Double], rounds: UInt64,
                tokensTrained: UInt64, embedding: EmbeddingVectors? = nil) {
        self.formatVersion = Self.formatVersion
        self.publishedVersion = publishedVersion
        self.createdAt = createdAt
        self.inputOffsets = inputOffsets
        self.eventTimeWatermarkMs = eventTimeWatermarkMs
        self.taskLogVariances = taskLogVariances
        self.rounds = rounds
        self.tokensTrained = tokensTrained
        self.embedding = embedding
    }

    /// Throws `Invalid` unless every field is in range: the format version is known, the
    /// published version and the counters are at most `maximumVersion` / `maximumCounter`,
    /// every input offset key is `topic:partition` with a partition >= 0 and an offset >= 0,
    /// and every task log-variance is finite.
    public func validate() throws {
        func invalid(_ reason: String) -> Invalid { Invalid(reason: reason) }
        guard formatVersion == Self.formatVersion else { throw invalid("format version \(formatVersion), expected \(Self.formatVersion)") }
        guard publishedVersion <= Self.maximumVersion else { throw invalid("published version \(publishedVersion) above \(Self.maximumVersion)") }
        guard rounds <= Self.maximumCounter else { throw invalid("rounds \(rounds) above \(Self.maximumCounter)") }
        guard tokensTrained <= Self.maximumCounter else { throw invalid("tokens trained \(tokensTrained) above \(Self.maximumCounter)") }
        for (key, offset) in inputOffsets.sorted(by: { $0.key < $1.key }) {
            guard Self.topicPartition(ofKey: key) != nil else { throw invalid("input offset key '\(key)' is not topic:partition") }
            guard offset >= 0 else { throw invalid("input offset \(offset) of \(key) is negative") }
        }
        if let bad = taskLogVariances.first(where: { !$0.value.isFinite }) { throw invalid("log-variance of task \(bad.key) is not finite") }
    }

    /// Topic and partition of an `inputOffsets` key (`topic:partition`, partition >= 0).
    public static func topicPartition(ofKey key: String) -> (topic: String, partition: Int32)? {
        guard let colon = key.lastIndex(of: ":"), let partition = Int32(key[key.index(after: colon)...]), partition >= 0 else {
            return nil
        }
        return (String(key[..<colon]), partition)
    }

    /// The info of the state's checkpoint: `model/checkpoint.json`, or `model.old/`'s when
    /// `model/` holds none or an unusable one (as `ModelCheckpoint.load` picks). Nil when the
    /// state has no checkpoint yet; an error naming each file when none is usable.
    public static func read(stateDirectory: String) throws -> CheckpointInfo? {
        try ModelCheckpoint.firstUsable(stateDirectory: stateDirectory, logger: nil) { try ModelCheckpoint.readInfo(in: $0) }
    }
}
