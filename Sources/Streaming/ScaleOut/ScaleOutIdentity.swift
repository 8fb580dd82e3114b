import Foundation

/// What a scale-out instance records about itself in its state directory
/// (`<state>/scale-out.json`, written at start), so that `m2grl status --state` finds its
/// deployment's topics.
public struct ScaleOutIdentity: Codable, Sendable, Equatable {
    public static let fileName = "scale-out.json"

    public var instance: String
    public var eventsTopic: String
    public var deltasTopic: String
    public var coordinationTopic: String
    public var fingerprint: String

    public init(instance: String, topics: ScaleOutTopics, fingerprint: PipelineFingerprint) {
        self.instance = instance
        self.eventsTopic = topics.events
        self.deltasTopic = topics.deltas
        self.coordinationTopic = topics.coordination
        self.fingerprint = fingerprint.hex
    }

    public func write(stateDirectory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: stateDirectory).appendingPathComponent(Self.fileName), options: .atomic)
    }

    /// The identity in `stateDirectory` (nil: not a scale-out state, or unreadable).
    public static func read(stateDirectory: String) -> ScaleOutIdentity? {
        guard let data = FileManager.default.contents(atPath: URL(fileURLWithPath: stateDirectory).appendingPathComponent(fileName).path)
        else { return nil }
        return try? JSONDecoder().decode(ScaleOutIdentity.self, from: data)
    }
}
