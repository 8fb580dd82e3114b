import Model

/// The two topics of embedding publication: the embeddings topic (one record per node row
/// and per alignment matrix of every version, compactable) and the small versions topic
/// (one manifest per complete version, one partition).
public struct PublicationTopics: Sendable, Equatable {
    public var embeddings: String
    public var versions: String

    public init(embeddings: String, versions: String? = nil) {
        self.embeddings = embeddings
        self.versions = versions ?? Self.defaultVersionsTopic(embeddings: embeddings)
    }

    /// The pipeline's topics: `kafka.embeddings_topic` (default `<name>.embeddings`) and
    /// `kafka.versions_topic` (default `<embeddings topic>.versions`).
    public init(pipeline config: PipelineConfig) {
        let embeddings = config.kafka?.embeddingsTopic ?? "\(config.name).embeddings"
        self.init(embeddings: embeddings, versions: config.kafka?.versionsTopic)
    }

    public static func defaultVersionsTopic(embeddings: String) -> String { "\(embeddings).versions" }
}
