import Foundation
import Model
import ModelFiles

/// A model directory read by `EmbeddingReader` (what `m2grl snapshot` writes and `similar`,
/// `export` and `eval` read): `manifest.json`, `task-weights.json` and the matrix and
/// name files of two views and an alignment. The input holds the files' contents as
/// `LengthPrefixedFields`, in the order of `files`.
enum ModelDirectoryTarget {
    static let files = [
        "manifest.json", "task-weights.json", "item.emb", "item.nodes", "category.emb", "category.nodes",
        "align-item-category.emb",
    ]

    static let target = FuzzTarget(name: "model-dir", run: { bytes in
        var fields = LengthPrefixedFields(bytes)
        for file in files {
            let url = directory.appendingPathComponent(file)
            guard let content = fields.field() else {
                try? FileManager.default.removeItem(at: url)
                continue
            }
            guard (try? Data(content).write(to: url)) != nil else { return false }
        }
        guard let loaded = try? EmbeddingReader().read(from: directory) else { return false }
        let model = loaded.model
        for view in model.views {
            FuzzCheck.require(
                view.nodeNames.count == view.embeddings.rows && view.embeddings.values.count == view.embeddings.rows * view.embeddings.dim,
                "view \(view.name): \(view.nodeNames.count) names for \(view.embeddings.rows)x\(view.embeddings.dim)")
        }
        for a in model.alignments {
            FuzzCheck.require(a.matrix.rows == model.dim && a.matrix.dim == model.dim, "alignment of \(a.matrix.rows)x\(a.matrix.dim), dim \(model.dim)")
        }
        return true
    }, seeds: {
        let model = TrainedModel(
            dim: 2,
            views: [
                TrainedView(name: "item", nodeNames: ["i0", "tab\there", "back\\slash"], embeddings: EmbeddingMatrix(rows: 3, dim: 2, values: [1, 2, 3, 4, 5, 6])),
                TrainedView(name: "category", nodeNames: ["c0"], embeddings: EmbeddingMatrix(rows: 1, dim: 2, values: [0.5, -0.5])),
            ],
            alignments: [TrainedAlignment(sourceView: "item", targetView: "category", activation: .sigmoid,
                                          matrix: EmbeddingMatrix(rows: 2, dim: 2, values: [1, 0, 0, 1]))])
        let written = FileManager.default.temporaryDirectory.appendingPathComponent("m2grl-fuzz-seed-model")
        defer { try? FileManager.default.removeItem(at: written) }
        try EmbeddingWriter().write(model, to: written, pipelineHash: "seed", modelVersion: 3, createdAt: Date(timeIntervalSince1970: 1_700_000_000))
        var input: [UInt8] = []
        for file in files { LengthPrefixedFields.append(Array(try Data(contentsOf: written.appendingPathComponent(file))), to: &input) }
        return ["model": input]
    })

    /// The directory the target writes and reads (one per process).
    static let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("m2grl-fuzz-\(ProcessInfo.processInfo.processIdentifier).model")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()
}
