import Foundation
import Kafka

/// One line of `<state>/history.jsonl`, the time series `m2grl serve` appends to while it
/// runs (one JSON object per line, keys as below, absent fields omitted) and that
/// `m2grl report` draws (docs/report.md). Four kinds of record:
///
/// - `ingest` (every status interval): `events` (applied so far), `eventsPerSecond`,
///   `lag` (total messages behind the high watermarks), `deadLetters`, `openSessions`,
///   `nodes` and `edges` per view.
/// - `train` (every training round): `tokens` (trained so far), `roundTokens` and
///   `roundSeconds` (of this round), `losses` per task (mean loss of the round),
///   `taskLogVariances` per task (`s_t`; the weight is `exp(-s_t)`).
/// - `publish` (every published version): `version`, `versionKind` (`snapshot`/`delta`),
///   `rows`, `eventTimeWatermarkMs`, `freshnessMs` (publish time minus the event-time
///   watermark), `newEdgeFreshnessMs` (per new item edge: version complete time minus the
///   edge's event time, with `serve --track-freshness`), optionally `hitRate20` when an
///   evaluation split is configured.
/// - `checkpoint` (every model checkpoint attempt of `serve` and `replay`): `version` (the
///   last published version the checkpoint reflects), `ok` (false: it failed and the
///   previous checkpoint stayed in place), `reason` (why it failed), `final` (true for the
///   checkpoint at shutdown or at the end of a replay).
///
/// Readers skip lines that do not decode (e.g. a kind added later), so a file written by an
/// older or a newer version always reads.
public struct HistoryRecord: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable { case ingest, train, publish, checkpoint }

    public static let fileName = "history.jsonl"

    public var kind: Kind
    /// Wall-clock time, ms since the Unix epoch.
    public var timeMs: Int64

    // ingest
    public var events: UInt64?
    public var eventsPerSecond: Double?
    public var lag: Int64?
    public var deadLetters: UInt64?
    public var openSessions: Int?
    public var nodes: [String: Int]?
    public var edges: [String: Int]?

    // train
    public var tokens: UInt64?
    public var roundTokens: Int?
    public var roundSeconds: Double?
    public var losses: [String: Double]?
    public var taskLogVariances: [String: Double]?

    // publish
    public var version: UInt64?
    public var versionKind: String?
    public var rows: Int?
    public var eventTimeWatermarkMs: Int64?
    public var freshnessMs: Int64?
    /// For every new item edge whose source row this version is the first to carry after
    /// training on it: the time the version became complete minus the event time of the
    /// event that created the edge (ms). Only with new-edge tracking (`serve --track-freshness`).
    public var newEdgeFreshnessMs: [Int64]?
    public var hitRate20: Double?

    // checkpoint (and `version`)
    public var ok: Bool?
    public var reason: String?
    public var final: Bool?

    public init(kind: Kind, timeMs: Int64) {
        self.kind = kind
        self.timeMs = timeMs
    }

    /// Reads every record of `<state>/history.jsonl` (lines that do not decode are skipped
    /// and counted).
    public static func read(stateDirectory: String) throws -> (records: [HistoryRecord], skipped: Int) {
        let url = URL(fileURLWithPath: stateDirectory).appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return ([], 0) }
        let text = try String(contentsOf: url, encoding: .utf8)
        let decoder = JSONDecoder()
        var records: [HistoryRecord] = []
        var skipped = 0
        for line in text.split(separator: "\n") where !line.isEmpty {
            if let r = try? decoder.decode(HistoryRecord.self, from: Data(line.utf8)) { records.append(r) } else { skipped += 1 }
        }
        return (records, skipped)
    }
}

extension HistoryRecord {
    /// An `ingest` record from an ingest status.
    public init(ingest s: IngestStatus, eventsPerSecond: Double?, lag: [TopicPartition: Int64], timeMs: Int64 = HistoryLog.nowMs) {
        self.init(kind: .ingest, timeMs: timeMs)
        events = s.counters["events.applied"] ?? 0
        self.eventsPerSecond = eventsPerSecond
        self.lag = lag.isEmpty ? nil : lag.values.reduce(0, +)
        deadLetters = s.counters["events.dead_lettered"] ?? 0
        openSessions = s.openSessions
        nodes = Dictionary(uniqueKeysWithValues: s.views.map { ($0.name, $0.nodes) })
        edges = Dictionary(uniqueKeysWithValues: s.views.map { ($0.name, $0.edges) })
    }
}

extension HistoryRecord {
    /// A `train` record of one round; `tokens` is the trainer's running total.
    public init(round report: ContinuousTrainer.RoundReport, tokens: UInt64, timeMs: Int64 = HistoryLog.nowMs) {
        self.init(kind: .train, timeMs: timeMs)
        self.tokens = tokens
        roundTokens = report.tokens
        roundSeconds = report.seconds
        losses = Dictionary(uniqueKeysWithValues: report.tasks.tasks.map { ($0.name, $0.meanLoss) })
        taskLogVariances = Dictionary(uniqueKeysWithValues: report.tasks.tasks.map { ($0.name, $0.logVariance) })
    }

    /// A `publish` record of a version that just became complete, with the event times of
    /// the new edges it carries (freshness probes) and its HitRate@20 when evaluated.
    public init(published version: EmbeddingVersion, probeEventTimes: [Int64] = [], hitRate20: Double? = nil,
                timeMs: Int64 = HistoryLog.nowMs) {
        self.init(kind: .publish, timeMs: timeMs)
        self.version = version.version
        versionKind = version.kind.rawValue
        rows = version.rowCount
        eventTimeWatermarkMs = version.eventTimeWatermarkMs
        freshnessMs = version.eventTimeWatermarkMs > 0 ? timeMs - version.eventTimeWatermarkMs : nil
        if !probeEventTimes.isEmpty { newEdgeFreshnessMs = probeEventTimes.map { timeMs - $0 } }
        self.hitRate20 = hitRate20
    }
}

extension HistoryRecord {
    /// A `checkpoint` record: the checkpoint reflecting published `version` was written
    /// (`failure` nil) or failed with `failure`; `final` for the one at shutdown or at the end
    /// of a replay.
    public init(checkpointOf version: UInt64, final: Bool, failure: (any Error)? = nil, timeMs: Int64 = HistoryLog.nowMs) {
        self.init(kind: .checkpoint, timeMs: timeMs)
        self.version = version
        ok = failure == nil
        reason = failure.map { "\($0)" }
        self.final = final
    }
}
