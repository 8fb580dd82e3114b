import Model

/// `manifest.json` of a model directory: what was written, from which pipeline, when.
public struct ModelManifest: Sendable, Equatable, Codable {
    /// One view's files.
    public struct ViewEntry: Sendable, Equatable, Codable {
        public var name: String
        public var rows: Int
        public var dim: Int
        /// `<view>.emb`.
        public var embeddings: String
        /// `<view>.nodes`.
        public var nodes: String
        /// `<view>.tsv`, when written.
        public var tsv: String?
    }

    /// One alignment matrix file.
    public struct AlignmentEntry: Sendable, Equatable, Codable {
        public var sourceView: String
        public var targetView: String
        public var activation: AlignmentActivation
        /// `align-<source>-<target>.emb`.
        public var file: String
    }

    /// Layout version of the directory (`EmbeddingFileFormat.directoryFormatVersion`).
    public var formatVersion: Int
    /// The model's version number (e.g. the streaming publication number).
    public var modelVersion: Int
    /// Hash of the pipeline file the model was trained with, as given by the caller.
    public var pipelineHash: String
    /// ISO 8601 UTC time of writing.
    public var createdAt: String
    public var dim: Int
    public var views: [ViewEntry]
    public var alignments: [AlignmentEntry]
    /// `task-weights.json`.
    public var taskWeights: String
    public var stats: TrainingStats
}
