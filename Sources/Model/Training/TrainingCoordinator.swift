import Foundation
import Synchronization

/// Shared state of one training pass: global work counters (lock-free atomics) and, behind
/// a mutex, the per-task loss statistics and uncertainty parameters. Threads synchronise
/// with it every `syncInterval` units of work; between synchronisations they use the task
/// scales and learning rate it last returned.
final class TrainingCoordinator: Sendable {
    struct Snapshot {
        var scales: [Float]
        var learningRate: Float
    }

    private struct State {
        var logVariance: [Double]
        var recentLoss: [Double]
        var syncs: [Int]
        /// Loss sums and counts of the current and the previous tenth of the run.
        var windowSum: [Double], windowCount: [Int]
        var previousSum: [Double], previousCount: [Int]
        var windowEnd: Double = 0.1
        var lossSum: [Double]
        var examples: [Int]
        var history: [TaskWeightSnapshot] = []
        var nextHistoryAt: Double = 0
        var lastReport: Double = 0
    }

    let taskNames: [String]
    let taskKinds: [TaskKind]
    /// Tasks that have work in this pass (enabled and non-empty).
    let activeTasks: [Bool]
    private let config: TrainerConfig
    private let totalUnits: Int
    private let start = Date()
    private let units = Atomic<Int>(0)
    private let tokens = Atomic<Int>(0)
    private let pairs = Atomic<Int>(0)
    private let state: Mutex<State>
    private let progress: (@Sendable (TrainingProgress) -> Void)?

    init(taskNames: [String], taskKinds: [TaskKind], activeTasks: [Bool], logVariances: [Double],
         config: TrainerConfig, totalUnits: Int, progress: (@Sendable (TrainingProgress) -> Void)?) {
        self.taskNames = taskNames
        self.taskKinds = taskKinds
        self.activeTasks = activeTasks
        self.config = config
        self.totalUnits = max(1, totalUnits)
        self.progress = progress
        let n = taskNames.count
        state = Mutex(State(
            logVariance: logVariances, recentLoss: Array(repeating: 0, count: n),
            syncs: Array(repeating: 0, count: n),
            windowSum: Array(repeating: 0, count: n), windowCount: Array(repeating: 0, count: n),
            previousSum: Array(repeating: 0, count: n), previousCount: Array(repeating: 0, count: n),
            lossSum: Array(repeating: 0, count: n), examples: Array(repeating: 0, count: n)))
    }

    /// Weight per task. Fixed weights: 1. Uncertainty: `exp(-s_t)/2`, divided by its mean
    /// over the active tasks unless `config.taskWeightScaling` is `.raw`. How the weights
    /// become step sizes: `TaskStepFactors`.
    private func scales(_ s: [Double]) -> [Float] {
        guard config.tasks.uncertainty else { return s.map { _ in 1 } }
        let raw = s.map { UncertaintyWeighting.gradientScale(logVariance: $0) }
        guard config.taskWeightScaling != .raw else { return raw.map { Float($0) } }
        let active = raw.indices.filter { activeTasks[$0] }
        let mean = active.isEmpty ? 1 : active.reduce(0.0) { $0 + raw[$1] } / Double(active.count)
        return raw.map { Float($0 / mean) }
    }

    private func learningRate(units done: Int) -> Float {
        let fraction = Float(Double(done) / Double(totalUnits + 1))
        return max(config.minLearningRate, config.learningRate * (1 - fraction))
    }

    /// The state before any work.
    func initial() -> Snapshot {
        state.withLock { st in
            Snapshot(scales: self.scales(st.logVariance),
                     learningRate: learningRate(units: 0))
        }
    }

    /// Merges a thread's counters since its last call (and resets them), updates the
    /// uncertainty parameters from the mini-batch task losses, and returns the current
    /// scales and learning rate. Thread 0 also delivers progress callbacks.
    func sync(thread: Int, loss: inout [Double], examples: inout [Int],
              units u: inout Int, tokens t: inout Int, pairs p: inout Int) -> Snapshot {
        let done = units.wrappingAdd(u, ordering: .relaxed).newValue
        let tokensDone = tokens.wrappingAdd(t, ordering: .relaxed).newValue
        let pairsDone = pairs.wrappingAdd(p, ordering: .relaxed).newValue
        u = 0; t = 0; p = 0
        let fraction = min(1, Double(done) / Double(totalUnits))
        let lr = learningRate(units: done)
        let elapsed = Date().timeIntervalSince(start)
        var report: TrainingProgress?
        let scales: [Float] = state.withLock { st in
            if fraction >= st.windowEnd {
                st.previousSum = st.windowSum; st.previousCount = st.windowCount
                st.windowSum = st.windowSum.map { _ in 0 }; st.windowCount = st.windowCount.map { _ in 0 }
                st.windowEnd = fraction + 0.1
            }
            for i in taskNames.indices where examples[i] > 0 {
                let mean = UncertaintyWeighting.sanitized(loss[i] / Double(examples[i]))
                st.lossSum[i] += mean * Double(examples[i])
                st.examples[i] += examples[i]
                // Running mean over the first ten synchronisations, then an EMA.
                st.syncs[i] += 1
                let alpha = max(0.1, 1 / Double(st.syncs[i]))
                st.recentLoss[i] += alpha * (mean - st.recentLoss[i])
                st.windowSum[i] += mean * Double(examples[i])
                st.windowCount[i] += examples[i]
                if config.tasks.uncertainty {
                    st.logVariance[i] = UncertaintyWeighting.step(
                        logVariance: st.logVariance[i], loss: mean,
                        learningRate: Double(config.uncertaintyLearningRate))
                }
                loss[i] = 0
                examples[i] = 0
            }
            let scales = self.scales(st.logVariance)
            if fraction >= st.nextHistoryAt {
                st.history.append(weightSnapshot(progress: fraction, scales: scales))
                st.nextHistoryAt = fraction + 0.02
            }
            if thread == 0, progress != nil, elapsed - st.lastReport >= config.progressInterval {
                st.lastReport = elapsed
                report = makeProgress(st, scales: scales, fraction: fraction, tokens: tokensDone,
                                      pairs: pairsDone, elapsed: elapsed, lr: lr)
            }
            return scales
        }
        if let report, let progress { progress(report) }
        return Snapshot(scales: scales, learningRate: lr)
    }

    private func weightSnapshot(progress: Double, scales: [Float]) -> TaskWeightSnapshot {
        var weights: [String: Double] = [:]
        for (name, s) in zip(taskNames, scales) { weights[name] = Double(s) }
        return TaskWeightSnapshot(progress: progress, weights: weights)
    }

    private func makeProgress(_ st: State, scales: [Float], fraction: Double, tokens: Int,
                              pairs: Int, elapsed: Double, lr: Float) -> TrainingProgress {
        var losses: [String: Double] = [:]
        var weights: [String: Double] = [:]
        for i in taskNames.indices {
            losses[taskNames[i]] = st.recentLoss[i]
            weights[taskNames[i]] = Double(scales[i])
        }
        return TrainingProgress(
            progress: fraction, tokens: tokens, alignmentPairs: pairs, elapsedSeconds: elapsed,
            tokensPerSecond: elapsed > 0 ? Double(tokens) / elapsed : 0, learningRate: lr,
            taskLosses: losses, taskWeights: weights)
    }

    /// Final task report, statistics and uncertainty parameters; sends a last progress.
    func finish(threads: Int, epochs: Int) -> (TaskReport, TrainingStats, [Double]) {
        let elapsed = Date().timeIntervalSince(start)
        let tokensDone = tokens.load(ordering: .relaxed)
        let pairsDone = pairs.load(ordering: .relaxed)
        let done = units.load(ordering: .relaxed)
        let (report, logVariances, last): (TaskReport, [Double], TrainingProgress) = state.withLock { st in
            let scales = self.scales(st.logVariance)
            st.history.append(weightSnapshot(progress: min(1, Double(done) / Double(totalUnits)), scales: scales))
            let tasks = taskNames.indices.map { i in
                // Mean over about the last tenth of the run.
                var sum = st.windowSum[i], count = st.windowCount[i]
                if 2 * count < st.previousCount[i] { sum += st.previousSum[i]; count += st.previousCount[i] }
                return TaskSummary(
                    name: taskNames[i], kind: taskKinds[i], logVariance: st.logVariance[i],
                    weight: Double(scales[i]),
                    meanLoss: st.examples[i] > 0 ? st.lossSum[i] / Double(st.examples[i]) : 0,
                    recentLoss: count > 0 ? sum / Double(count) : 0, examples: st.examples[i])
            }
            let last = makeProgress(st, scales: scales, fraction: 1, tokens: tokensDone, pairs: pairsDone,
                                    elapsed: elapsed, lr: learningRate(units: done))
            return (TaskReport(tasks: tasks, history: st.history), st.logVariance, last)
        }
        progress?(last)
        let stats = TrainingStats(
            tokens: tokensDone, alignmentPairs: pairsDone, seconds: elapsed,
            tokensPerSecond: elapsed > 0 ? Double(tokensDone) / elapsed : 0,
            threads: threads, epochs: epochs)
        return (report, stats, logVariances)
    }
}
