import Foundation

/// Everything `m2grl status` shows: the ingest state, the model checkpoint (if any), the
/// optional digest and broker lag; rendered as text or encoded as JSON.
public struct StatusReport: Sendable, Equatable, Codable {
    /// One task's learned weight from the checkpoint.
    public struct TaskWeight: Sendable, Equatable, Codable {
        public var task: String
        /// `s = log σ²`.
        public var logVariance: Double
        /// `exp(-s)`, the task's precision (the loss is scaled by half of it).
        public var weight: Double
    }

    public var stateDirectory: String
    public var state: StateStatus
    /// The walk ring capacity `serve` runs with, when the operator gives it (not stored in the state).
    public var walkRingCapacity: Int?
    /// Nil: no checkpoint yet.
    public var checkpoint: CheckpointInfo?
    public var taskWeights: [TaskWeight]
    public var digest: StateDigest?
    /// Why lag could not be read from the broker, if it was asked and failed.
    public var lagError: String?
    /// The scale-out instance this state belongs to (docs/scale-out.md), and its deployment
    /// as the coordination topic shows it (with --brokers), or why that could not be read.
    public var scaleOut: ScaleOutIdentity?
    public var deployment: DeploymentStatus?
    public var deploymentError: String?

    public init(stateDirectory: String, state: StateStatus, walkRingCapacity: Int? = nil,
                checkpoint: CheckpointInfo? = nil, digest: StateDigest? = nil, lagError: String? = nil) {
        self.stateDirectory = stateDirectory
        self.state = state
        self.walkRingCapacity = walkRingCapacity
        self.checkpoint = checkpoint
        self.taskWeights = (checkpoint?.taskLogVariances ?? [:]).sorted { $0.key < $1.key }.map {
            TaskWeight(task: $0.key, logVariance: $0.value, weight: exp(-$0.value))
        }
        self.digest = digest
        self.lagError = lagError
    }

    /// The counters shown, in this order, with their labels.
    public static let counterLabels: [(key: String, label: String)] = [
        ("events.applied", "events applied"), ("events.dead_lettered", "dead letters"),
        ("events.late", "late events"), ("sessions.closed", "sessions closed"),
        ("walks.written", "walks written"), ("batches", "batches"),
    ]

    /// Human-readable report, one fact per line.
    public func text() -> String {
        var lines: [String] = ["state \(stateDirectory)"]
        if let i = scaleOut {
            lines.append("scale-out instance \(i.instance) of \(i.eventsTopic) (deltas log \(i.deltasTopic), coordination \(i.coordinationTopic), fingerprint \(i.fingerprint))")
            if let deployment { lines.append(deployment.text().trimmingCharacters(in: .newlines)) }
            if let deploymentError { lines.append("deployment: unreadable: \(deploymentError)") }
            if deployment == nil && deploymentError == nil { lines.append("deployment: give --brokers to see the members, the leader and their partitions") }
        }
        lines.append("views:")
        for v in state.views {
            var line = "  \(v.name): \(v.nodes) nodes, \(v.edges) edges"
            if v.itemsWithAttribute > 0 { line += ", \(v.itemsWithAttribute) items mapped" }
            if let capacity = walkRingCapacity, capacity > 0 {
                line += String(format: ", walk ring %d / %d (%.1f%%)", v.walksInRing, capacity, 100 * Double(v.walksInRing) / Double(capacity))
            } else {
                line += ", walk ring \(v.walksInRing) walks (capacity: see serve --walk-ring)"
            }
            lines.append(line)
        }
        lines.append("counters: " + Self.counterLabels.map { "\($0.label) \(state.counters[$0.key] ?? 0)" }.joined(separator: ", "))
        lines.append("users with open sessions: \(state.usersWithOpenState)")
        if state.partitions.isEmpty {
            lines.append("input offsets: none stored yet")
        } else {
            lines.append("input offsets (next offset to consume):")
            for p in state.partitions {
                var line = "  \(p.topic):\(p.partition) \(p.nextOffset)"
                if let high = p.highWatermark, let lag = p.lag { line += ", end \(high), lag \(lag)" }
                if let t = p.eventTimeMs { line += ", event time \(Self.iso(t))" }
                lines.append(line)
            }
            if let lagError { lines.append("  lag unknown: \(lagError)") }
        }
        if let c = checkpoint {
            lines.append("checkpoint: \(c.createdAt), last published version \(c.publishedVersion), \(c.rounds) rounds, \(c.tokensTrained) tokens trained, event time \(Self.iso(c.eventTimeWatermarkMs))")
            if !c.inputOffsets.isEmpty {
                lines.append("  reflects offsets: " + c.inputOffsets.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            }
            if !taskWeights.isEmpty {
                lines.append("task weights (exp(-s)): " + taskWeights.map { String(format: "%@=%.4f", $0.task, $0.weight) }.joined(separator: " "))
            }
        } else {
            lines.append("checkpoint: no checkpoint yet (last published version: none)")
        }
        if let digest {
            lines.append("digest \(digest.digest)")
            for f in digest.families { lines.append("  \(f.name) \(f.digest) (\(f.entries) entries)") }
            if let named = digest.namedGraph { lines.append("graph digest by node names \(named) (equal for any state holding the same graphs, e.g. live vs replay)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// JSON (sorted keys, pretty-printed).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    static func iso(_ ms: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}
