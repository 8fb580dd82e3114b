import ArgumentParser
import Foundation
import Model
import ModelFiles

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate item embeddings on next-item prediction (HitRate@K, MRR) over a temporal split.",
        discussion: """
            Test transitions are the moves a -> b between consecutive distinct items of sessions after the cut, where both items were seen before it. All items are ranked by cosine similarity to a (a itself excluded); HitRate@K is the share of transitions whose b ranks within the top K, MRR the mean of 1/rank. Transitions whose items have no embedding (e.g. items only in too-short sessions) are counted and skipped. Results are printed and written as JSON.

            Examples:
              m2grl eval --pipeline pipelines/movielens-100k.yaml --events ml.jsonl --embeddings out/full --split-fraction 0.9
              m2grl eval --pipeline p.yaml --events ev.jsonl --embeddings out --split-time 2024-01-31T00:00:00Z --k 10,20,50 --json r.json
              m2grl eval --pipeline pipelines/movielens-100k.yaml --events ml.jsonl --embeddings out/full --split-fraction 0.9 --diversity

            --diversity also compares top-K lists (K = --diversity-k) retrieved through the item space, through each alignment's shared space (`via <view>`, the space `similar --via` searches) and a round-robin mix of them: HitRate@K, distinct attribute values per view among the K items (item attributes from the events before the cut) and the mean pairwise cosine of the K items (docs/results.md, "Diversity").
            """
    )

    @OptionGroup var pipelineOptions: PipelineOptions

    @Option(name: .long, help: "Events file (the same one training used).")
    var events: String

    @Option(name: .long, help: "Directory written by `m2grl train` or `m2grl snapshot`.")
    var embeddings: String

    @OptionGroup var split: SplitOptions

    @Option(name: .long, help: "Cut-offs for HitRate, comma-separated.")
    var k: String = "10,20,50"

    @Option(name: .long, help: "Where to write the results as JSON (default: <embeddings>/eval.json).")
    var json: String?

    @Flag(name: .long, help: "Also compare the relevance and diversity of top-K lists through the item space, each aligned view and a mix.")
    var diversity = false

    @Option(name: .long, help: "K of the --diversity lists.")
    var diversityK: Int = 20

    func validate() throws {
        if split.splitTime == nil && split.splitFraction == nil {
            throw ValidationError("--split-time or --split-fraction: one is needed (the same as for training)")
        }
        _ = try ks()
        try requireRange(diversityK, CommandLineLimits.neighbours, option: "--diversity-k")
    }

    func ks() throws -> [Int] {
        let values = k.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ CommandLineLimits.neighbours.contains($0 ?? 0) }) else {
            throw ValidationError("--k: integers \(ConfigLimits.describe(CommandLineLimits.neighbours)) separated by commas, got '\(k)'")
        }
        return values.compactMap { $0 }
    }

    func run() throws {
        let (loaded, _) = try pipelineOptions.load()
        guard let config = loaded, let cut = try split.cut() else { throw ValidationError("--pipeline: missing") }
        let model: LoadedModel
        do { model = try EmbeddingReader().read(from: URL(fileURLWithPath: embeddings)) } catch {
            throw ValidationError("--embeddings: cannot read '\(embeddings)': \(error)")
        }
        guard let items = model.model.view(named: PipelineConfig.itemViewName) else {
            throw ValidationError("--embeddings: '\(embeddings)' has no item view")
        }
        let (all, _) = try EventFileLoader(config: config).load(path: events)
        let s = TemporalSplit(events: all, cut: cut, sessions: config.sessions)
        var ids: [String: UInt32] = [:]
        for (i, name) in items.nodeNames.enumerated() { ids[name] = UInt32(i) }
        var transitions: [ItemTransition] = []
        var missing = 0
        for t in s.testTransitions {
            if let a = ids[t.from], let b = ids[t.to] { transitions.append(ItemTransition(from: a, to: b)) } else { missing += 1 }
        }
        guard !transitions.isEmpty else {
            throw ValidationError("no test transitions after the cut (\(s.testTransitions.count) found, \(missing) without embeddings): move the split earlier")
        }
        let result = NextItemEvaluator(embeddings: items.embeddings).evaluate(transitions, ks: try ks())
        var report = EvalReport(
            embeddings: embeddings, cutSeconds: s.cutMillis / 1000, testTransitions: s.testTransitions.count,
            withoutEmbedding: missing, unseenBeforeCut: s.unseenTransitions, result: result)
        for h in result.hitRates { print(String(format: "HitRate@%d  %.4f", h.k, h.hitRate)) }
        print(String(format: "MRR        %.4f", result.mrr))
        print("transitions evaluated \(result.evaluated), skipped \(result.skipped + missing) (no embedding: \(missing)); unseen before cut: \(s.unseenTransitions)")
        if diversity {
            let evaluation = try diversityEvaluation(model: model.model, items: items, config: config,
                                                     trainingEvents: s.trainingEvents, transitions: transitions)
            print(Self.diversityTable(evaluation))
            report.diversity = evaluation
        }
        let path = json ?? URL(fileURLWithPath: embeddings).appendingPathComponent("eval.json").path
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(report).write(to: URL(fileURLWithPath: path))
        print("wrote \(path)")
    }
}

struct EvalReport: Codable {
    var embeddings: String
    var cutSeconds: Int64
    var testTransitions: Int
    var withoutEmbedding: Int
    var unseenBeforeCut: Int
    var result: NextItemEvaluation
    /// With `--diversity`.
    var diversity: DiversityEvaluation?
}

extension EvalCommand {
    /// The `--diversity` lists: the item space, one shared space per alignment from the item
    /// view, and the mix; item attributes from the graphs of the events before the cut.
    func diversityEvaluation(model: TrainedModel, items: TrainedView, config: PipelineConfig,
                             trainingEvents: [Event], transitions: [ItemTransition]) throws -> DiversityEvaluation {
        var via: [DiversityEvaluator.Retrieval] = []
        for alignment in model.alignments where alignment.sourceView == items.name {
            do {
                via.append(.init(name: "via \(alignment.targetView)", space: try AlignedSpace.project(items.embeddings, through: alignment)))
            } catch {
                throw CommandFailure("--diversity: cannot project through \(alignment.sourceView)->\(alignment.targetView): \(error)")
            }
        }
        let graphs = TrainingDataBuilder(config: config).buildGraphs(events: trainingEvents).builder
        let attributes = graphs.views.indices.dropFirst().map { v in
            DiversityEvaluator.AttributeValuesByItem(view: graphs.views[v].name, values: items.nodeNames.map { name in
                graphs.views[0].vocabulary.id(of: name).flatMap { graphs.attributes(ofItem: $0, view: v).map(Array.init) } ?? []
            })
        }
        do {
            return try DiversityEvaluator(items: items.embeddings, via: via, attributes: attributes).evaluate(transitions, k: diversityK)
        } catch {
            throw CommandFailure("--diversity: \(error)")
        }
    }

    /// One row per list: HitRate@K, mean pairwise cosine, mean distinct values per view.
    static func diversityTable(_ e: DiversityEvaluation) -> String {
        let views = e.lists.first?.distinctValues.map(\.view) ?? []
        var lines = ["diversity of top-\(e.k) lists (\(e.evaluated) transitions; distinct = mean distinct attribute values among the \(e.k) items; cos = mean pairwise cosine of their item vectors)"]
        lines.append(["list".padding(toLength: 16, withPad: " ", startingAt: 0), "HR@\(e.k)".padding(toLength: 8, withPad: " ", startingAt: 0),
                      "cos".padding(toLength: 8, withPad: " ", startingAt: 0)].joined() + views.map { "distinct \($0)  " }.joined())
        for list in e.lists {
            var line = list.name.padding(toLength: 16, withPad: " ", startingAt: 0)
            line += String(format: "%-8.4f%-8.3f", list.hitRate, list.meanPairwiseCosine)
            line += list.distinctValues.map {
                String(format: "%.2f", $0.mean).padding(toLength: "distinct \($0.view)".count + 2, withPad: " ", startingAt: 0)
            }.joined()
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
