import ArgumentParser
import Logging
import Model
import Streaming

/// What a reader of published versions (`snapshot`, `diff`) needs: the brokers, the
/// embeddings and versions topics, and how long reading them to their end may take.
struct PublicationReadOptions: ParsableArguments {
    @OptionGroup var kafka: KafkaOptions

    @OptionGroup var topics: PublicationTopicOptions

    @Option(name: .long, help: "Seconds allowed for reading the topics to their end.")
    var timeout: Double = 300

    func validate() throws {
        try requireRange(timeout, ConfigLimits.timeoutSeconds, option: "--timeout")
    }

    /// A reader of the named topics on the given brokers, within `--timeout`.
    func reader(logger: Logger) throws -> PublishedVersionReader {
        PublishedVersionReader(configuration: try kafka.configuration(), topics: try topics.topics(),
                               timeout: .milliseconds(Int64(timeout * 1000)), logger: logger)
    }
}
