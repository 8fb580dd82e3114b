import ArgumentParser
import Streaming

/// The embeddings and versions topics a publication reader (`snapshot`, `diff`) reads: named
/// by `--topic` (and `--versions-topic`), or by the pipeline file's `kafka:` section.
struct PublicationTopicOptions: ParsableArguments {
    @Option(name: .long, help: "Embeddings topic (default: the pipeline's kafka.embeddings_topic, or <name>.embeddings).")
    var topic: String?

    @Option(name: .long, help: "Versions topic (default: the pipeline's kafka.versions_topic, or <topic>.versions).")
    var versionsTopic: String?

    @OptionGroup var pipelineOptions: PipelineOptions

    /// Whether the topics are named at all (`--topic` or `--pipeline`).
    var isGiven: Bool { topic != nil || pipelineOptions.pipeline != nil }

    static let missing = ValidationError("--topic or --pipeline: one is needed to name the embeddings topic")

    func topics() throws -> PublicationTopics {
        if let topic { return PublicationTopics(embeddings: topic, versions: versionsTopic) }
        let (config, _) = try pipelineOptions.load()
        guard let config else { throw ValidationError("--pipeline: missing") }
        var t = PublicationTopics(pipeline: config)
        if let versionsTopic { t.versions = versionsTopic }
        return t
    }
}
