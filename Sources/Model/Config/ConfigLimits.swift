/// The documented ranges of the numbers a pipeline file or a command-line option may hold
/// (docs/configuration.md, "Limits"). Every such number is checked against its range when it
/// is read, before any arithmetic or conversion, so no setting can overflow or trap later:
/// out of range, the pipeline fails at load naming the field and a command exits with 64
/// naming the option.
public enum ConfigLimits {
    /// `sessions.gap_seconds`: one millisecond (the resolution of event times) to 365 days.
    public static let gapSeconds: ClosedRange<Double> = 0.001...31_536_000
    /// `sessions.min_dwell_seconds`: up to 365 days.
    public static let dwellSeconds: ClosedRange<Double> = 0...31_536_000
    /// `sessions.allowed_lateness_seconds`: up to one day.
    public static let latenessSeconds: ClosedRange<Double> = 0...86_400
    /// Intervals between periodic actions (`publish.interval_seconds`,
    /// `online.checkpoint_seconds`, `serve --status-seconds`): one millisecond to one day.
    public static let intervalSeconds: ClosedRange<Double> = 0.001...86_400
    /// Time allowed for a command's reads (`snapshot --timeout`): one millisecond to one day.
    public static let timeoutSeconds: ClosedRange<Double> = 0.001...86_400

    /// `views[].delimiter`: a separator of at most 16 bytes.
    public static let delimiterBytes = 16
    /// `views[].max_values`: distinct values per record in one attribute field (a step
    /// between two items adds up to the product of their counts to the view's edges).
    public static let maxValues = 1...1_024

    /// `training.sample`: a frequency threshold (0: off).
    public static let subsampleThreshold: ClosedRange<Double> = 0...1
    /// `training.negative_power`: the exponent of the negative-sampling distribution.
    public static let negativePower: ClosedRange<Double> = -1...2

    /// `training.dim`, `train --dim`.
    public static let dimensions = 1...4_096
    /// `training.window`, `train --window`.
    public static let window = 1...100
    /// Negatives per example (`training.negatives`, `training.align_negatives`, `train --negatives`).
    public static let negatives = 0...1_000
    /// `training.align_passes`, `train --align-passes`.
    public static let alignPasses = 1...1_000
    /// `training.epochs`, `train --epochs`; `online.final_epochs` and `--final-epochs` may also be 0.
    public static let epochs = 1...10_000
    /// `training.batch_size`.
    public static let batchSize = 1...4_096
    /// Training threads (`training.threads`, `train --threads`, `serve`/`replay --train-threads`).
    public static let threads = 1...64
    /// `walks.length`.
    public static let walkLength = 2...1_000
    /// Walks started per node (`walks.per_node`; `serve`/`replay --walks-per-node` may also be 0).
    public static let walksPerNode = 1...1_000
    /// `online.walks_per_round`.
    public static let walksPerRound = 1...1_000_000
    /// `online.stability_pull`: a fraction.
    public static let stabilityPull: ClosedRange<Double> = 0...1
    /// Partitions of a topic (`kafka.partitions`, `broker --topic NAME:PARTITIONS`).
    public static let partitions = 1...10_000

    /// The range in words for error messages: `between 0.001 and 86400`.
    public static func describe<T: Comparable>(_ range: ClosedRange<T>) -> String {
        "between \(format(range.lowerBound)) and \(format(range.upperBound))"
    }

    /// A number as written in the docs: integral doubles without `.0`.
    public static func format<T>(_ value: T) -> String {
        if let double = value as? Double, double.isFinite, double == double.rounded(), abs(double) < 1e15 {
            return String(Int64(double))
        }
        return "\(value)"
    }

    /// Milliseconds of `seconds`, rounded, after clamping it into `range` (NaN: the lower
    /// bound). The parsers reject values out of range before they get here; this keeps values
    /// set in code from trapping.
    static func milliseconds(_ seconds: Double, clampedTo range: ClosedRange<Double>) -> Int64 {
        let clamped = seconds.isNaN ? range.lowerBound : min(max(seconds, range.lowerBound), range.upperBound)
        return Int64((clamped * 1000).rounded())
    }
}
