import Foundation
import Kafka
import Logging

/// A deployment as its coordination topic shows it (`m2grl status`): the members whose last
/// heartbeat is recent, the leader and its term, the input partitions of each member and
/// each replica's position in the deltas log. Pure: built from the topic's records.
public struct DeploymentStatus: Sendable, Equatable, Codable {
    public struct Member: Sendable, Equatable, Codable {
        public var instance: String
        public var leader: Bool
        public var term: UInt64?
        public var partitions: [Int32]
        public var replicaPosition: Int64?
        public var logEnd: Int64?
        /// Milliseconds since the member's last heartbeat.
        public var ageMs: Int64
    }

    public var fingerprint: String?
    /// The highest term claimed, and by whom.
    public var term: UInt64?
    public var termClaimedBy: String?
    /// Members heard from within the window, by instance id.
    public var members: [Member]
    /// Members whose last heartbeat is older than the window.
    public var silent: [String]

    /// From the coordination topic's records; members count when their last heartbeat is at
    /// most `window` old at `nowMs` (latest heartbeat per instance id).
    public init(records: [CoordinationRecord], nowMs: Int64, window: Int64 = 30_000) {
        fingerprint = records.first { $0.kind == .deployment }?.fingerprint
        let claims = records.filter { $0.kind == .term && $0.term != nil }
        let highest = claims.max { ($0.term ?? 0) < ($1.term ?? 0) }
        term = highest?.term
        termClaimedBy = highest?.instance
        var latest: [String: CoordinationRecord] = [:]
        for r in records where r.kind == .heartbeat && r.timeMs >= (latest[r.instance]?.timeMs ?? .min) { latest[r.instance] = r }
        members = latest.values.filter { nowMs - $0.timeMs <= window }.sorted { $0.instance < $1.instance }.map {
            Member(instance: $0.instance, leader: $0.leader ?? false, term: $0.term, partitions: ($0.partitions ?? []).sorted(),
                   replicaPosition: $0.replicaPosition, logEnd: $0.logEnd, ageMs: max(0, nowMs - $0.timeMs))
        }
        silent = latest.values.filter { nowMs - $0.timeMs > window }.map(\.instance).sorted()
    }

    /// Reads the coordination topic `topic` to its end.
    public static func read(kafka: KafkaConfiguration, topic: String, logger: Logger) async throws -> DeploymentStatus {
        let records = try await CoordinationLog(kafka: kafka, topic: topic, logger: logger).readAll(timeout: .seconds(20))
        return DeploymentStatus(records: records.map(\.record), nowMs: HistoryLog.nowMs)
    }

    public func text() -> String {
        var lines = ["deployment: fingerprint \(fingerprint ?? "?"), \(members.count) member\(members.count == 1 ? "" : "s")"
            + (term.map { ", highest term \($0) (claimed by \(termClaimedBy ?? "?"))" } ?? "")]
        for m in members {
            let role = m.leader ? "leader (term \(m.term.map(String.init) ?? "?"))" : "standby"
            let replica = m.replicaPosition.map { p in "replica \(p)/\(m.logEnd.map(String.init) ?? "?")" } ?? "replica ?"
            lines.append("  \(m.instance): \(role), input partitions \(m.partitions.map(String.init).joined(separator: ",")), \(replica), heartbeat \(m.ageMs / 1000) s ago")
        }
        if !members.contains(where: \.leader) { lines.append("  no member leads right now") }
        if !silent.isEmpty { lines.append("  not heard from lately: \(silent.joined(separator: ", "))") }
        return lines.joined(separator: "\n") + "\n"
    }
}
