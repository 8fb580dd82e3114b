import Model

/// Topic and group names of a pipeline's input, with defaults when its `kafka:` section
/// omits them.
public struct StreamTopics: Sendable, Equatable {
    public var events: String
    public var group: String
    public var deadLetters: String
    public var partitions: Int

    public init(config: PipelineConfig) {
        events = config.kafka?.topic ?? "\(config.name).events"
        group = config.kafka?.group ?? "m2grl-\(config.name)"
        deadLetters = config.kafka?.deadLetterTopic ?? "\(events).dead-letters"
        partitions = config.kafka?.partitions ?? 8
    }
}
