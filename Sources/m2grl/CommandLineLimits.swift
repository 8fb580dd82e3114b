import ArgumentParser
import Model

/// Ranges of the command-line numbers that are not pipeline keys (the others use
/// ``ConfigLimits``); docs/configuration.md, "Limits", lists them all.
enum CommandLineLimits {
    /// `serve`/`replay`/`status --walk-ring`.
    static let walkRing = 1...100_000_000
    /// `serve`/`replay --walks-per-node` (0: no fresh walks).
    static let walksPerTouchedNode = 0...ConfigLimits.walksPerNode.upperBound
    /// `serve`/`replay --final-epochs`.
    static let finalEpochs = 0...ConfigLimits.epochs.upperBound
    /// `serve --max-batch`.
    static let maxBatch = 1...1_000_000
    /// `replay --batch-events`.
    static let batchEvents = 1...10_000_000
    /// `replay --train-every`.
    static let trainEvery = 0...1_000_000
    /// `similar --k` and each of `eval --k`.
    static let neighbours = 1...100_000
    /// `serve`/`replay --ready-max-lag`, messages.
    static let readyMaxLag: ClosedRange<Int64> = 0...1_000_000_000_000
    /// `serve`/`replay --ready-publish-intervals`.
    static let readyPublishIntervals = 1...1_000_000
    /// `produce --rate`, messages per second.
    static let messagesPerSecond: ClosedRange<Double> = 0.001...1_000_000_000

    /// Checks the options `serve` and `replay` share for the ingester and the continuous trainer.
    static func checkIngestOptions(walksPerNode: Int, walkRing: Int, trainThreads: Int?, finalEpochs: Int?) throws {
        try requireRange(walksPerNode, walksPerTouchedNode, option: "--walks-per-node")
        try requireRange(walkRing, Self.walkRing, option: "--walk-ring")
        if let trainThreads { try requireRange(trainThreads, ConfigLimits.threads, option: "--train-threads") }
        if let finalEpochs { try requireRange(finalEpochs, Self.finalEpochs, option: "--final-epochs") }
    }
}

/// Checks a number given on the command line against its documented range (NaN is in no
/// range) before it is used: `--timeout: must be between 0.001 and 86400, got 1e+300`.
func requireRange<T: Comparable>(_ value: T, _ range: ClosedRange<T>, option: String) throws {
    if !range.contains(value) {
        throw ValidationError("\(option): must be \(ConfigLimits.describe(range)), got \(ConfigLimits.format(value))")
    }
}
