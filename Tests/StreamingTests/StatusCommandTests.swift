import Foundation
import Model
import ModelFiles
import Store
import Streaming
import Testing

/// Unit vectors at `degrees` in the plane.
private func planar(_ degrees: [Double]) -> EmbeddingMatrix {
    EmbeddingMatrix(rows: degrees.count, dim: 2, values: degrees.flatMap { [Float(cos($0 * .pi / 180)), Float(sin($0 * .pi / 180))] })
}

@Suite("Operator commands (m2grl status, similar, export)", .serialized, .timeLimit(.minutes(2)))
struct StatusCommandTests {
    @Test("status, similar and export on a state held by a live processor, with a hand-made model checkpoint")
    func commandsOnALiveState() async throws {
        let dir = try TemporaryDirectory()
        let state = dir.sub("state")
        let (store, processor) = try openProcessor(state, config: try syntheticPipeline())
        defer { store.close() }  // holds the directory lock while the commands run
        try feed(distinctTimeEvents(count: 800, seed: 4), to: processor)
        try processor.closeAllSessions()
        let graphs = try processor.graphs
        let items = graphs.views[0].vocabulary.names
        let categories = graphs.views[1].vocabulary.names
        try #require(items.count >= 5 && categories.count >= 3)

        // Item i at angle i·step within [0°, 170°): item 0's nearest are items 1, 2, 3. Categories
        // likewise, and an identity alignment: through it, item 0 scores cos(angle) with category
        // j, highest for c0, then c1.
        func spread(_ n: Int) -> [Double] { (0..<n).map { Double($0) * 170 / Double(n) } }
        let model = TrainedModel(dim: 2, views: [
            TrainedView(name: "item", nodeNames: items, embeddings: planar(spread(items.count))),
            TrainedView(name: "category", nodeNames: categories, embeddings: planar(spread(categories.count))),
            TrainedView(name: "shop", nodeNames: graphs.views[2].vocabulary.names,
                        embeddings: planar(graphs.views[2].vocabulary.names.indices.map { Double($0) })),
        ], alignments: [TrainedAlignment(sourceView: "item", targetView: "category", activation: .identity,
                                         matrix: EmbeddingMatrix(rows: 2, dim: 2, values: [1, 0, 0, 1]))])

        // No checkpoint yet: similar says so (exit 1); status says so (exit 0).
        let early = try await m2grl(["similar", "--state", state, "--view", "item", "--node", items[0]])
        #expect(early.status == 1 && early.output.contains("no checkpoint yet"), "\(early)")
        let modelDirectory = URL(fileURLWithPath: state).appendingPathComponent("model")
        try EmbeddingWriter().write(model, to: modelDirectory, pipelineHash: "test")
        // Without checkpoint.json (written last) a model directory is an unfinished checkpoint:
        // the readers pass it over, as `ModelCheckpoint.load` does.
        let unfinished = try await m2grl(["similar", "--state", state, "--view", "item", "--node", items[0]])
        #expect(unfinished.status == 1, "\(unfinished)")
        let info = CheckpointInfo(publishedVersion: 3, createdAt: "2026-12-01T00:00:00Z", inputOffsets: [:],
                                  eventTimeWatermarkMs: 0, taskLogVariances: [:], rounds: 1, tokensTrained: 1)
        try JSONEncoder().encode(info).write(to: modelDirectory.appendingPathComponent(CheckpointInfo.fileName))

        let status = try await m2grl(["status", "--state", state, "--digest"])
        #expect(status.status == 0, "\(status.output)")
        for view in graphs.views {
            #expect(status.output.contains("  \(view.name): \(view.vocabulary.count) nodes, \(view.graph.edgeCount) edges"), "\(status.output)")
        }
        #expect(status.output.contains("last published version 3"), "\(status.output)")
        #expect(status.output.contains("digest \(try StateDigest.compute(store: store).digest)"))

        let similar = try await m2grl(["similar", "--state", state, "--view", "item", "--node", items[0], "--k", "3"])
        #expect(similar.status == 0, "\(similar.output)")
        let ranked = similar.output.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(ranked.map { String($0[1]) } == [items[1], items[2], items[3]], "\(similar.output)")
        let category1 = try #require(graphs.attribute(ofItem: 1, view: 1).map { graphs.views[1].vocabulary.name(of: $0) })
        #expect(ranked.first?.contains("category=\(category1)") == true, "\(similar.output)")

        let via = try await m2grl(["similar", "--state", state, "--view", "item", "--node", items[0], "--via", "category", "--k", "2"])
        #expect(via.status == 0, "\(via.output)")
        let viaRanked = via.output.split(separator: "\n").dropFirst().map { String($0.split(separator: " ")[1]) }
        #expect(viaRanked == [categories[0], categories[1]], "\(via.output)")

        let badView = try await m2grl(["similar", "--state", state, "--view", "brand", "--node", items[0]])
        #expect(badView.status == 64 && badView.output.contains("item, category, shop"), "\(badView)")
        let badNode = try await m2grl(["similar", "--state", state, "--view", "item", "--node", "no-such-node"])
        #expect(badNode.status == 64 && badNode.output.contains("no-such-node"), "\(badNode)")
        let badVia = try await m2grl(["similar", "--state", state, "--view", "item", "--node", items[0], "--via", "shop"])
        #expect(badVia.status == 64 && badVia.output.contains("item->category"), "\(badVia)")

        let npy = dir.sub("item.npy")
        let export = try await m2grl(["export", "--state", state, "--view", "item", "--format", "npy", "--out", npy])
        #expect(export.status == 0, "\(export.output)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: npy)))
        #expect(bytes.count == Int(try NpyWriter.header(rows: items.count, dim: 2).count) + items.count * 2 * 4)
        #expect(try String(contentsOfFile: npy + ".nodes", encoding: .utf8) == items.map { $0 + "\n" }.joined())
        let tsv = dir.sub("category.tsv")
        let exportTSV = try await m2grl(["export", "--state", state, "--view", "category", "--format", "tsv", "--out", tsv])
        #expect(exportTSV.status == 0, "\(exportTSV.output)")
        let firstLine = try String(contentsOfFile: tsv, encoding: .utf8).split(separator: "\n").first.map(String.init)
        #expect(firstLine == "\(categories[0])\t1.0 0.0")
    }
}
