import Foundation
import Testing
import Model

/// Opt-in throughput run on a 2M-token planted-cluster corpus (10k nodes), dim 128,
/// window 5, 5 negatives, one epoch. Skipped unless `M2GRL_BENCH` lists modes, e.g.
///
///     M2GRL_BENCH=fast1,ref1,fast2,ref2 swift test -c release -Xswiftc -enable-testing \
///         --filter TrainingThroughputTests
///
/// It prints tokens/s (no timing assertions) and checks that the run learned.
@Suite struct TrainingThroughputTests {
    static let modes = (ProcessInfo.processInfo.environment["M2GRL_BENCH"] ?? "")
        .split(separator: ",").map(String.init)

    @Test(.enabled(if: !modes.isEmpty))
    func largeCorpusThroughput() throws {
        var rng = TrainingRNG(seed: 42)
        let nodes = 10_000, perCluster = 50
        var corpus = WalkCorpus(nodeCount: nodes)
        for _ in 0..<5 {
            for start in 0..<nodes {
                var current = start
                var walk: [UInt32] = [UInt32(current)]
                for _ in 1..<40 {
                    current = rng.nextUnitFloat() < 0.9
                        ? (current / perCluster) * perCluster + rng.nextIndex(perCluster) : rng.nextIndex(nodes)
                    walk.append(UInt32(current))
                }
                corpus.append(walk: walk)
            }
        }
        let data = TrainingData(
            views: [ViewTrainingData(name: "item", nodeNames: (0..<nodes).map { "n\($0)" }, corpus: corpus)],
            alignments: [])
        for mode in Self.modes {
            var config = TrainerConfig()
            config.dim = 128
            config.window = 5
            config.defaultNegatives = 5
            config.epochs = 1
            config.threads = mode.hasSuffix("2") ? 2 : 1
            config.useFastPath = mode.hasPrefix("fast")
            let model = try Trainer(config: config).train(data)
            let loss = model.tasks.tasks[0].recentLoss
            print(String(format: "BENCH %@ threads=%d tokens=%d seconds=%.2f tokens/s=%.0f per-core=%.0f loss=%.3f",
                         mode, config.threads, model.stats.tokens, model.stats.seconds,
                         model.stats.tokensPerSecond, model.stats.tokensPerSecond / Double(config.threads), loss))
            #expect(loss < 0.5 * 6 * log(2.0), "\(mode): loss \(loss) did not fall from 6 ln 2")
        }
    }
}
