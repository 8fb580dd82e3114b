import Foundation
import Model

/// What gives the shared state of a scale-out deployment its meaning, as canonical text
/// (one `key=value` line per setting) and its 64-bit FNV-1a hash: the views and their
/// fields, the event mapping, the session settings, the walk settings, the embedding
/// dimension and the alignments (docs/scale-out.md, "Pipeline fingerprint"). Instances whose
/// fingerprints differ would build different graphs or models from the same log.
public struct PipelineFingerprint: Sendable, Equatable {
    public let text: String
    public let value: UInt64

    public init(config: PipelineConfig, ingest: IngestOptions) {
        let e = config.events, s = config.sessions
        let lines = [
            "views=" + config.viewNames.joined(separator: ","),
            "view_fields=" + config.views.map(Self.viewField).joined(separator: ","),
            "events=\(e.user),\(e.item),\(e.time),\(e.timeUnit.rawValue),\(e.action ?? "-")",
            "events.max_future_skew_seconds=\(e.maxFutureSkewSeconds)",
            "sessions.gap_ms=\(s.gapMilliseconds)",
            "sessions.min_length=\(s.minLength)",
            "sessions.min_dwell_ms=\(s.minDwellMilliseconds.map(String.init) ?? "-")",
            "sessions.max_events_per_user=\(s.maxEventsPerUser.map(String.init) ?? "-")",
            "sessions.allowed_lateness_ms=\(s.allowedLatenessMilliseconds)",
            "walks.length=\(config.walks.length)",
            "walks.seed=\(config.walks.seed)",
            "walks.per_touched_node=\(ingest.walksPerTouchedNode)",
            "walks.ring=\(ingest.walkRingCapacity)",
            "training.dim=\(config.training.dim)",
            "alignments=" + config.alignments.map { "\($0.from)->\($0.to)" }.joined(separator: ","),
        ]
        // What a published vector is, where it is not the input row (every fingerprint
        // written before the setting existed meant input rows, and keeps its text): a new
        // leader publishes the same kind. The default (input plus context) adds the line, so
        // instances of an older deployment are refused until upgraded together.
        let embedding = config.training.embedding == .input ? [] : ["training.embedding=\(config.training.embedding.rawValue)"]
        self.init(text: (lines + embedding).joined(separator: "\n"))
    }

    /// `name:field`, then how the field becomes values where the view sets it (so a
    /// single-valued pipeline's text stays as it was): the separator's bytes and the cap.
    private static func viewField(_ v: PipelineConfig.View) -> String {
        var text = "\(v.name):\(v.field)"
        if let delimiter = v.delimiter { text += " split=" + delimiter.utf8.map { String($0) }.joined(separator: ".") }
        if let maxValues = v.maxValues { text += " max=\(maxValues)" }
        return text
    }

    public init(text: String) {
        self.text = text
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        self.value = h
    }

    /// 16 hex digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The settings (lines) of this fingerprint that differ from `other`'s, as
    /// `key: this vs other`.
    public func differences(from other: PipelineFingerprint) -> [String] {
        func settings(_ text: String) -> [String: String] {
            var out: [String: String] = [:]
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                out[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
            }
            return out
        }
        let mine = settings(text), theirs = settings(other.text)
        return Set(mine.keys).union(theirs.keys).sorted().compactMap { key in
            mine[key] == theirs[key] ? nil : "\(key): \(mine[key] ?? "(none)") vs \(theirs[key] ?? "(none)")"
        }
    }
}
