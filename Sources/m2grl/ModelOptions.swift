import ArgumentParser
import Foundation
import Model

/// `--pipeline` plus command-line overrides of its `training:` section.
struct PipelineOptions: ParsableArguments {
    @Option(name: .long, help: "Pipeline file (YAML): event fields, views, sessions, walks, alignments, training.")
    var pipeline: String?

    func load(required: Bool = true) throws -> (config: PipelineConfig?, hash: String) {
        guard let pipeline else {
            if required { throw ValidationError("--pipeline: missing (a pipeline file such as pipelines/movielens-100k.yaml)") }
            return (nil, "none")
        }
        guard FileManager.default.fileExists(atPath: pipeline) else {
            throw ValidationError("--pipeline: no such file '\(pipeline)'")
        }
        do {
            let config = try PipelineConfig.load(path: pipeline)
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: pipeline))) ?? Data()
            return (config, fnv1a64Hex(bytes))
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

/// Where to cut events into a training part and an evaluation part.
struct SplitOptions: ParsableArguments {
    @Option(name: .long, help: "Train on events before this time (seconds since the epoch, or ISO 8601); evaluate after it.")
    var splitTime: String?

    @Option(name: .long, help: "Cut at this quantile of event times instead (e.g. 0.9).")
    var splitFraction: Double?

    func validate() throws {
        if splitTime != nil && splitFraction != nil {
            throw ValidationError("--split-time and --split-fraction: give one, not both")
        }
        if let f = splitFraction, !(f > 0 && f < 1) {
            throw ValidationError("--split-fraction: must be between 0 and 1 (exclusive), got \(f)")
        }
        _ = try cut()
    }

    func cut() throws -> TemporalSplit.Cut? {
        if let f = splitFraction { return .fraction(f) }
        guard let t = splitTime else { return nil }
        guard let millis = TimeArgument.milliseconds(t) else {
            throw ValidationError("--split-time: '\(t)' is not \(TimeArgument.expected)")
        }
        return .time(millis)
    }
}

/// 64-bit FNV-1a of `data`, as hex: a cheap, stable fingerprint of a pipeline file.
func fnv1a64Hex(_ data: Data) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in data { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return String(format: "%016llx", h)
}

/// Writes a line to standard error (progress and summaries that must not mix with data on stdout).
func printErr(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

func formatRate(_ perSecond: Double) -> String {
    perSecond >= 1e6 ? String(format: "%.2fM", perSecond / 1e6)
        : perSecond >= 1e3 ? String(format: "%.1fk", perSecond / 1e3) : String(format: "%.0f", perSecond)
}
