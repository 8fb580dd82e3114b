import ArgumentParser
import Foundation
import Model
import ModelFiles
import Streaming

struct SimilarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar",
        abstract: "Nearest neighbours of a node by its embedding, in its own view or through an aligned view.",
        discussion: """
            Without --via: the --k nodes of --view whose embeddings have the highest cosine similarity with the node's own embedding (the node itself excluded).

            With --via VIEW: retrieval through the alignment between --view and VIEW (the paper's diversity use, e.g. the categories an item points to). The alignment task learned one matrix W per aligned pair and scores a pair (x, y) as f(e_x W) . f(e_y W), f being its activation; here the node's embedding is mapped into that shared space, f(e W), and the --k nodes of VIEW with the highest score f(e W) . f(e_y W) are listed (--metric cosine compares directions in that space instead). Works in either direction of an alignment (item -> category or category -> item).

            Item results show their attributes (category, shop, ...) when read from --state; model directories carry no attribute map, so --embeddings shows none.

            Examples:
              m2grl similar --state state/ --view item --node sku-12 --k 10
              m2grl similar --embeddings out/full --view item --node 50 --k 5
              m2grl similar --state state/ --view item --node sku-12 --via category --k 5
              m2grl similar --embeddings out/full --view category --node Comedy --via item

            Exit codes: 0 success, 1 the model or state cannot be read (e.g. no checkpoint yet), 64 invalid arguments (unknown view, node or alignment).
            """
    )

    @OptionGroup var source: ModelSourceOptions

    @Option(name: .long, help: "View of the query node (item, category, ...).")
    var view: String

    @Option(name: .long, help: "The query node's id (its name in the events).")
    var node: String

    @Option(name: .long, help: "How many neighbours.")
    var k: Int = 10

    @Option(name: .long, help: "Retrieve nodes of this view through the alignment between --view and it.")
    var via: String?

    @Option(name: .long, help: "Score: cosine (default without --via) or dot (default with --via: the alignment's trained score).")
    var metric: String?

    @OptionGroup var output: OutputFormatOptions

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        try requireRange(k, CommandLineLimits.neighbours, option: "--k")
        if let metric, NearestNeighbors.Similarity(rawValue: metric) == nil {
            throw ValidationError("--metric: 'cosine' or 'dot', got '\(metric)'")
        }
        if let via, via == view { throw ValidationError("--via: must name another view than --view (leave it out to search '\(view)' itself)") }
    }

    struct Result: Codable {
        var rank: Int
        var node: String
        var score: Float
        /// Per attribute view the item's values (several for a multi-valued field).
        var attributes: [String: [String]]?
    }

    struct Output: Codable {
        var view: String
        var node: String
        var via: String?
        var metric: String
        var modelVersion: Int
        var results: [Result]
    }

    func run() async throws {
        _ = try global.bootstrapLogging()
        let loaded = try source.load()
        let model = loaded.model
        let queryView = try model.requireView(view)
        guard let row = queryView.nodeNames.firstIndex(of: node) else {
            throw ValidationError("--node: '\(node)' is not in view '\(view)' of this model (\(queryView.nodeNames.count) nodes); nodes first seen after the model was written appear at the next checkpoint")
        }
        let similarity = NearestNeighbors.Similarity(rawValue: metric ?? (via == nil ? "cosine" : "dot")) ?? .cosine
        let query = Array(queryView.embeddings.row(row))
        let targetView: TrainedView
        var neighbours: [Neighbor]
        if let via {
            targetView = try model.requireView(via, option: "--via")
            guard let alignment = AlignedSpace.alignment(between: view, and: via, in: model) else {
                let pairs = model.alignments.map { "\($0.sourceView)->\($0.targetView)" }
                throw ValidationError("--via: the model has no alignment between '\(view)' and '\(via)'; alignments: \(pairs.isEmpty ? "none" : pairs.joined(separator: ", "))")
            }
            do {
                let mappedQuery = try AlignedSpace.project(EmbeddingMatrix(rows: 1, dim: query.count, values: query), through: alignment)
                let mappedTargets = try AlignedSpace.project(targetView.embeddings, through: alignment)
                neighbours = try NearestNeighbors(candidates: mappedTargets, similarity: similarity)
                    .nearest(to: mappedQuery.values, k: k)
            } catch {
                throw CommandFailure("cannot search through \(alignment.sourceView)->\(alignment.targetView): \(error)")
            }
        } else {
            targetView = queryView
            do {
                neighbours = try NearestNeighbors(candidates: queryView.embeddings, similarity: similarity)
                    .nearest(to: query, k: k, excluding: [row])
            } catch {
                throw CommandFailure("cannot search view '\(view)': \(error)")
            }
        }

        // Attributes of item results (and of an item query), from the state when given.
        let itemView = model.views.first?.name
        var itemNames = targetView.name == itemView ? neighbours.map { targetView.nodeNames[$0.row] } : []
        if view == itemView { itemNames.append(node) }
        let attributes = try source.attributes(ofItems: itemNames)
        func attributeMap(_ item: String) -> [String: [String]]? {
            attributes[item].map { Dictionary($0.map { ($0.view, [$0.value]) }, uniquingKeysWith: +) }
        }
        let results = neighbours.enumerated().map { i, n in
            let name = targetView.nodeNames[n.row]
            return Result(rank: i + 1, node: name, score: n.score, attributes: attributeMap(name))
        }
        if output.json {
            try OutputFormatOptions.printJSON(Output(view: view, node: node, via: via, metric: similarity.rawValue,
                                                     modelVersion: loaded.manifest.modelVersion, results: results))
            return
        }
        func describe(_ item: String) -> String {
            (attributes[item] ?? []).map { "\($0.view)=\($0.value)" }.joined(separator: " ")
        }
        var header = "\(view) '\(node)'"
        if view == itemView, !describe(node).isEmpty { header += " (\(describe(node)))" }
        if let via {
            print("\(targetView.name) nodes nearest to \(header) through the \(view)/\(via) alignment (\(similarity.rawValue) of f(e W)), model version \(loaded.manifest.modelVersion):")
        } else {
            print("\(view) nodes nearest to \(header) (\(similarity.rawValue)), model version \(loaded.manifest.modelVersion):")
        }
        let width = max(4, results.map(\.node.count).max() ?? 4)
        for r in results {
            let padded = r.node.padding(toLength: width, withPad: " ", startingAt: 0)
            var line = String(format: "%3d  %@  %.4f", r.rank, padded, r.score)
            let extra = describe(r.node)
            if !extra.isEmpty && targetView.name == itemView { line += "  " + extra }
            print(line)
        }
        if results.isEmpty { print("(no other nodes in view '\(targetView.name)')") }
    }
}
