import ArgumentParser
import Foundation
import Kafka
import Logging
import Model
import ModelFiles
import Synchronization

struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train M2GRL offline on an events file (or a walks corpus) and write the embeddings.",
        discussion: """
            From events: sessions -> one weighted graph per view -> random walks -> skip-gram per view, item -> attribute alignments, task weights learned by homoscedastic uncertainty. With --split-time/--split-fraction only the events before the cut are used, so `m2grl eval` with the same split measures the model on unseen transitions.

            Output directory: <view>.emb (binary, docs/formats.md), <view>.nodes, optional <view>.tsv, align-<src>-<dst>.emb, task-weights.json, manifest.json.

            Examples:
              m2grl train --pipeline pipelines/movielens-100k.yaml --events ml.jsonl --split-fraction 0.9 --out out/full
              m2grl train --pipeline pipelines/movielens-100k.yaml --events ml.jsonl --split-fraction 0.9 --item-only --out out/item-only
              m2grl train --walks walks.txt --dim 128 --window 5 --negatives 5 --threads 2 --out out/w2v
            """
    )

    @OptionGroup var pipelineOptions: PipelineOptions

    @Option(name: .long, help: "Events file (JSON Lines, CSV or TSV as the pipeline says).")
    var events: String?

    @Option(name: .long, help: "A walks corpus instead of events: one walk per line, node ids separated by spaces (item view only).")
    var walks: String?

    @Option(name: .long, help: "Output directory.")
    var out: String

    @OptionGroup var split: SplitOptions

    @Option(name: .long, help: "Training threads (default: the pipeline's training.threads).") var threads: Int?
    @Option(name: .long, help: "Random seed (default: the pipeline's training.seed).") var seed: UInt64?
    @Option(name: .long, help: "Epochs over the walks.") var epochs: Int?
    @Option(name: .long, help: "Embedding dimension.") var dim: Int?
    @Option(name: .long, help: "Skip-gram window.") var window: Int?
    @Option(name: .long, help: "Negatives per positive pair, every view.") var negatives: Int?
    @Option(name: .long, help: "Starting learning rate.") var learningRate: Float?
    @Option(name: .long, help: "Passes over the alignment pairs per epoch.") var alignPasses: Int?
    @Option(name: .long, help: "Alignment examples: passes (every pair --align-passes times) or occurrence (drawn in proportion to the item's occurrences in the walks); default: the pipeline's training.align_sampling.")
    var alignSampling: AlignmentSampling?
    @Option(name: .long, help: "A hot attribute row's step in a batch: sum or mean of its occurrences' steps; default: the pipeline's training.align_row_step.")
    var alignRowStep: AlignmentRowStep?
    @Option(name: .long, help: "Frequent-node subsampling threshold (word2vec's sample; 0: off); default: the pipeline's training.sample.")
    var sample: Double?

    @Option(name: .long, help: "Exponent of the negative-sampling distribution, count^p (word2vec 0.75); default: the pipeline's training.negative_power.")
    var negativePower: Double?

    @Option(name: .long, help: "What a published vector is: input (the input table) or input_plus_context; default: the pipeline's training.embedding.")
    var embedding: EmbeddingVectors?

    @Flag(name: .long, help: "Ablation: only the item view (DeepWalk-style skip-gram), no attribute views or alignments.")
    var itemOnly = false

    @Flag(name: .long, help: "Ablation: fixed equal task weights instead of learned uncertainty weights.")
    var fixedWeights = false

    @Flag(name: .long, help: "Use the per-pair reference path instead of the batched gemm fast path.")
    var referencePath = false

    @Option(name: .long, help: "Output format: binary, or tsv (binary plus <view>.tsv text).")
    var format: String = "binary"

    @Flag(name: .long, help: "No progress output.")
    var quiet = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if (events == nil) == (walks == nil) { throw ValidationError("--events or --walks: give exactly one") }
        if events != nil && pipelineOptions.pipeline == nil { throw ValidationError("--pipeline: needed with --events") }
        if walks != nil && (split.splitTime != nil || split.splitFraction != nil) {
            throw ValidationError("--split-time/--split-fraction: only with --events")
        }
        if !["binary", "tsv"].contains(format) { throw ValidationError("--format: 'binary' or 'tsv', got '\(format)'") }
        if let threads { try requireRange(threads, ConfigLimits.threads, option: "--threads") }
        if let dim { try requireRange(dim, ConfigLimits.dimensions, option: "--dim") }
        if let epochs { try requireRange(epochs, ConfigLimits.epochs, option: "--epochs") }
        if let window { try requireRange(window, ConfigLimits.window, option: "--window") }
        if let negatives { try requireRange(negatives, 1...ConfigLimits.negatives.upperBound, option: "--negatives") }
        if let alignPasses { try requireRange(alignPasses, ConfigLimits.alignPasses, option: "--align-passes") }
        if let sample { try requireRange(sample, ConfigLimits.subsampleThreshold, option: "--sample") }
        if let negativePower { try requireRange(negativePower, ConfigLimits.negativePower, option: "--negative-power") }
        if let learningRate, !(learningRate > 0 && learningRate < 1) {
            throw ValidationError("--learning-rate: must be in (0, 1), got \(learningRate)")
        }
    }

    func run() async throws {
        var logger = try global.bootstrapLogging()
        if quiet { logger.logLevel = .warning }
        let (loaded, hash) = try pipelineOptions.load(required: events != nil)
        var trainer = TrainerConfig(pipeline: (loaded ?? PipelineConfig(name: "walks", events: .init())).training)
        if let threads { trainer.threads = threads }
        if let seed { trainer.seed = seed }
        if let epochs { trainer.epochs = epochs }
        if let dim { trainer.dim = dim }
        if let window { trainer.window = window }
        if let negatives { trainer.defaultNegatives = negatives; trainer.negatives = [:] }
        if let learningRate { trainer.learningRate = learningRate }
        if let alignPasses { trainer.alignPassesPerEpoch = alignPasses }
        if let alignSampling { trainer.alignSampling = alignSampling }
        if let alignRowStep { trainer.alignRowStep = alignRowStep }
        if let sample { trainer.subsampleThreshold = sample }
        if let negativePower { trainer.negativePower = negativePower }
        if let embedding { trainer.embedding = embedding }
        if fixedWeights { trainer.tasks.uncertainty = false }
        if referencePath { trainer.useFastPath = false }

        let started = Date()
        var eventCount = 0
        var data: TrainingData
        if let walks {
            data = try WalkCorpusLoader.load(path: walks)
        } else if let events, let config = loaded {
            let loader = EventFileLoader(config: config, logger: logger)
            let (all, report) = try loader.load(path: events)
            eventCount = all.count
            if report.malformedCount > 0 && !quiet { printErr(report.description) }
            var trainEvents = all
            if let cut = try split.cut() {
                let s = TemporalSplit(events: all, cut: cut, sessions: config.sessions)
                trainEvents = s.trainingEvents
                if !quiet { printErr("split at \(s.cutMillis / 1000) s: \(s.trainingEvents.count) training events, \(s.testEventCount) held out") }
            }
            data = TrainingDataBuilder(config: config, logger: logger).build(events: trainEvents)
        } else {
            throw ValidationError("--events or --walks: give exactly one")
        }
        if itemOnly {
            data.views = Array(data.views.prefix(1))
            data.alignments = []
        }
        if !quiet {
            let views = data.views.map { "\($0.name): \($0.nodeNames.count) nodes, \($0.corpus.tokens.count) walk tokens" }
            let seconds = Date().timeIntervalSince(started)
            let rate = eventCount > 0 ? " (\(formatRate(Double(eventCount) / max(seconds, 1e-9))) events/s)" : ""
            printErr("data ready in \(String(format: "%.1f", seconds)) s\(rate); " + views.joined(separator: "; "))
        }

        let lastPrint = Mutex<Double>(-1)
        let quiet = self.quiet
        let progress: @Sendable (TrainingProgress) -> Void = { p in
            guard !quiet else { return }
            let due = lastPrint.withLock { last in
                if p.elapsedSeconds - last >= 1 || p.progress >= 1 { last = p.elapsedSeconds; return true }
                return false
            }
            guard due else { return }
            let losses = p.taskLosses.sorted { $0.key < $1.key }.map { "\($0.key)=\(String(format: "%.3f", $0.value))" }.joined(separator: " ")
            let weights = p.taskWeights.sorted { $0.key < $1.key }.map { "\($0.key)=\(String(format: "%.2f", $0.value))" }.joined(separator: " ")
            printErr(String(format: "%5.1f%%  %@ tokens/s  lr %.4f  loss %@  weights %@",
                            p.progress * 100, formatRate(p.tokensPerSecond), p.learningRate, losses, weights))
        }
        let config = trainer
        let trainingData = data
        let trainLogger = logger
        // Minutes of CPU work: on a queue (a thread) of its own, off the cooperative pool.
        let model = try await BlockingExecutor(serial: "m2grl.train").run {
            try Trainer(config: config, logger: trainLogger).train(trainingData, progress: progress)
        }
        let manifest = try EmbeddingWriter(includeTSV: format == "tsv").write(model, to: URL(fileURLWithPath: out), pipelineHash: hash)
        print("trained \(model.views.map { "\($0.name) \($0.embeddings.rows)x\($0.embeddings.dim)" }.joined(separator: ", ")) in \(String(format: "%.1f", model.stats.seconds)) s (\(formatRate(model.stats.tokensPerSecond)) tokens/s, \(config.threads) threads)")
        print("task weights: " + model.tasks.tasks.map { "\($0.name)=\(String(format: "%.3f", $0.weight))" }.joined(separator: " "))
        print("wrote \(out) (manifest version \(manifest.formatVersion))")
    }
}

extension AlignmentSampling: ExpressibleByArgument {}
extension AlignmentRowStep: ExpressibleByArgument {}
extension EmbeddingVectors: ExpressibleByArgument {}
