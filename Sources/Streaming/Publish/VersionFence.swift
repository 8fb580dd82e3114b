import Foundation
import Kafka

/// A scale-out leader's fence in the versions topic (docs/scale-out.md): written when it
/// takes over, before its first version. From the fence on, readers skip every manifest of
/// a lower term (a deposed leader's). Headers `m2grl.kind: fence` and `m2grl.term`; key
/// `fence:<term>`; a JSON value naming the instance. Not a manifest: older readers skip it
/// as an invalid one.
public struct VersionFence: Sendable, Equatable {
    public var term: UInt64
    public var instance: String

    public init(term: UInt64, instance: String) {
        self.term = term
        self.instance = instance
    }

    /// The fence of a record of the versions topic (nil: not a fence, or one without a term).
    public init?(message: KafkaMessage) {
        guard message.header(PublicationHeaders.kind)?.stringValue == PublicationHeaders.fenceKind,
              let term = message.uint64Header(PublicationHeaders.term) else { return nil }
        let value = message.value.flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
        self.init(term: term, instance: value?["instance"] as? String ?? "")
    }

    /// Whether a record of the versions topic is a fence (valid or not).
    public static func isFence(_ message: KafkaMessage) -> Bool {
        message.header(PublicationHeaders.kind)?.stringValue == PublicationHeaders.fenceKind
    }

    public func producerRecord(topic: String) -> KafkaProducerRecord {
        let value = (try? JSONSerialization.data(withJSONObject: ["term": term, "instance": instance], options: [.sortedKeys])) ?? Data()
        return KafkaProducerRecord(topic: topic, partition: 0, key: Array("fence:\(term)".utf8), value: Array(value), headers: [
            KafkaHeader(key: PublicationHeaders.kind, string: PublicationHeaders.fenceKind),
            KafkaHeader(key: PublicationHeaders.term, string: String(term)),
        ])
    }
}
