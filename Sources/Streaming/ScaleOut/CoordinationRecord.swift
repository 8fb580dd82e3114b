import Foundation
import Kafka
import Logging

/// A record of the coordination topic (JSON, docs/scale-out.md): the deployment's pipeline
/// fingerprint (written by its first instance), a leader's claim of a term, or a member's
/// heartbeat. Keys: `deployment:<fingerprint>`, `term:<number>`, `member:<instance>`, so the
/// topic can be compacted.
public struct CoordinationRecord: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case deployment, term, heartbeat
    }

    public var kind: Kind
    public var instance: String
    /// The writer's incarnation (random per process start), hex.
    public var incarnation: String
    public var timeMs: Int64
    /// `deployment`: the fingerprint (hex) and its canonical text.
    public var fingerprint: String?
    public var fingerprintText: String?
    /// `term`: the term claimed; `heartbeat`: the member's term when it leads.
    public var term: UInt64?
    /// `heartbeat`: input partitions owned, leadership, replica position and the log end seen.
    public var partitions: [Int32]?
    public var leader: Bool?
    public var replicaPosition: Int64?
    public var logEnd: Int64?

    public init(kind: Kind, writer: GraphDeltaRecord.Writer, timeMs: Int64 = HistoryLog.nowMs) {
        self.kind = kind
        self.instance = writer.instance
        self.incarnation = String(writer.incarnation, radix: 16)
        self.timeMs = timeMs
    }

    public var key: String {
        switch kind {
        case .deployment: return "deployment:\(fingerprint ?? "")"
        case .term: return "term:\(term ?? 0)"
        case .heartbeat: return "member:\(instance)"
        }
    }

    func producerRecord(topic: String) throws -> KafkaProducerRecord {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return KafkaProducerRecord(topic: topic, partition: 0, key: Array(key.utf8), value: Array(try encoder.encode(self)))
    }

    /// Decodes a record of the coordination topic (nil: not one; such records are ignored).
    static func decode(_ message: KafkaMessage) -> CoordinationRecord? {
        guard let value = message.value else { return nil }
        return try? JSONDecoder().decode(CoordinationRecord.self, from: Data(value))
    }
}

/// Reading and writing the coordination topic.
struct CoordinationLog: Sendable {
    let kafka: KafkaConfiguration
    let topic: String
    let logger: Logger

    /// Every record of the topic up to its current end, with its offset, in offset order.
    func readAll(timeout: Duration = .seconds(30)) async throws -> [(offset: Int64, record: CoordinationRecord)] {
        let scan = try TopicRangeScan(configuration: kafka, logger: logger)
        do {
            var out: [(offset: Int64, record: CoordinationRecord)] = []
            let starts = Dictionary(uniqueKeysWithValues: try await scan.partitions(of: topic).map { ($0, KafkaOffset.beginning) })
            try await scan.read(from: starts, timeout: timeout) { message in
                if let record = CoordinationRecord.decode(message) { out.append((message.offset, record)) }
            }
            await scan.close()
            return out.sorted { $0.offset < $1.offset }
        } catch {
            await scan.close()
            throw error
        }
    }

    /// Produces `record` and returns its offset.
    func write(_ record: CoordinationRecord, with producer: KafkaProducer) async throws -> Int64 {
        try await producer.send(try record.producerRecord(topic: topic)).offset
    }
}
