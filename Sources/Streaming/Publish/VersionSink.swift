/// Where the continuous trainer's versions go. `publish` returns once the version is
/// complete for readers (every record and its manifest acknowledged) and throws otherwise;
/// after a failure the trainer republishes the same number as a full snapshot, which a
/// sink must treat as a new attempt (records of the failed attempt never complete).
public protocol VersionSink: Sendable {
    func publish(_ version: EmbeddingVersion) async throws
}
