import Kafka
import Model

/// The content of one published embedding version, handed by the continuous trainer to the
/// `EmbeddingPublisher`: the rows of every view that changed since the previous version
/// (`.delta`) or all rows (`.snapshot`), the alignment matrices, the task weights and what
/// the version reflects of the input (offsets, event-time watermark).
///
/// Versions are numbered 1, 2, 3, ... without gaps. A `.delta` version `v` applies on top
/// of version `v - 1` of the same publisher attempt; a `.snapshot` stands alone.
public struct EmbeddingVersion: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, Codable {
        case snapshot, delta
    }

    /// Rows of one view included in this version.
    public struct ViewRows: Sendable, Equatable {
        public var name: String
        /// Number of rows the view has at this version (ids `0..<totalRows`); a reader
        /// rebuilding the version must end up with exactly this many rows.
        public var totalRows: Int
        /// Dense ids of the rows included (ascending).
        public var ids: [UInt32]
        /// External node name of each included row (`names[k]` for `ids[k]`).
        public var names: [String]
        /// `ids.count * dim` floats, row-major, in the order of `ids`.
        public var values: [Float]

        public init(name: String, totalRows: Int, ids: [UInt32] = [], names: [String] = [], values: [Float] = []) {
            self.name = name
            self.totalRows = totalRows
            self.ids = ids
            self.names = names
            self.values = values
        }
    }

    public var version: UInt64
    public var kind: Kind
    /// The snapshot version this version builds on (itself for a snapshot).
    public var baseSnapshotVersion: UInt64
    public var dim: Int
    public var views: [ViewRows]
    /// Every alignment matrix, always included (they change on every training round).
    public var alignments: [TrainedAlignment]
    /// Learned `s_t = log σ_t²` per task name.
    public var taskLogVariances: [String: Double]
    /// Latest event time (ms since epoch) among the events the version's training saw.
    public var eventTimeWatermarkMs: Int64
    /// Input topic offsets (next offset per partition) the version reflects.
    public var inputOffsets: [TopicPartition: Int64]
    /// Hash of the pipeline file the trainer runs (copied into the manifest and into the
    /// `manifest.json` that `m2grl snapshot` writes); may be empty.
    public var pipelineHash: String = ""

    public init(
        version: UInt64, kind: Kind, baseSnapshotVersion: UInt64, dim: Int, views: [ViewRows],
        alignments: [TrainedAlignment] = [], taskLogVariances: [String: Double] = [:],
        eventTimeWatermarkMs: Int64 = 0, inputOffsets: [TopicPartition: Int64] = [:],
        pipelineHash: String = ""
    ) {
        self.version = version
        self.kind = kind
        self.baseSnapshotVersion = baseSnapshotVersion
        self.dim = dim
        self.views = views
        self.alignments = alignments
        self.taskLogVariances = taskLogVariances
        self.eventTimeWatermarkMs = eventTimeWatermarkMs
        self.inputOffsets = inputOffsets
        self.pipelineHash = pipelineHash
    }

    /// Rows included in this version, all views.
    public var rowCount: Int { views.reduce(0) { $0 + $1.ids.count } }
}
