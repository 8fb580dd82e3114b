import Foundation
import Model

/// Writes a `TrainedModel` as a model directory (layout in docs/formats.md): per view
/// `<view>.emb` + `<view>.nodes` (+ `<view>.tsv` if asked), per alignment
/// `align-<source>-<target>.emb`, `task-weights.json` and `manifest.json` (written last).
/// Node names are escaped in `.nodes` and `.tsv` (`NodeNameEscaping`), so any name can be written.
public struct EmbeddingWriter: Sendable {
    /// Also write the human-readable `<view>.tsv` files.
    public var includeTSV: Bool

    public init(includeTSV: Bool = false) {
        self.includeTSV = includeTSV
    }

    /// Writes `model` into `directory` (created if missing; existing files of the same
    /// names are replaced) and returns the manifest written.
    @discardableResult
    public func write(
        _ model: TrainedModel, to directory: URL, pipelineHash: String,
        modelVersion: Int = 0, createdAt: Date = Date()
    ) throws -> ModelManifest {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var viewEntries: [ModelManifest.ViewEntry] = []
        for view in model.views {
            try Self.checkFileName(view.name)
            guard view.nodeNames.count == view.embeddings.rows else {
                throw EmbeddingFileError.nodeCountMismatch(
                    view: view.name, nodes: view.nodeNames.count, rows: view.embeddings.rows)
            }
            let emb = "\(view.name).emb", nodes = "\(view.name).nodes"
            try EmbeddingFileFormat.encode(view.embeddings)
                .write(to: directory.appendingPathComponent(emb), options: .atomic)
            let nodeText = view.nodeNames.map { NodeNameEscaping.escape($0) + "\n" }.joined()
            try Data(nodeText.utf8).write(to: directory.appendingPathComponent(nodes), options: .atomic)
            var tsv: String?
            if includeTSV {
                tsv = "\(view.name).tsv"
                try Data(Self.tsvText(view).utf8).write(
                    to: directory.appendingPathComponent("\(view.name).tsv"), options: .atomic)
            }
            viewEntries.append(.init(name: view.name, rows: view.embeddings.rows, dim: view.embeddings.dim,
                                     embeddings: emb, nodes: nodes, tsv: tsv))
        }
        var alignmentEntries: [ModelManifest.AlignmentEntry] = []
        for a in model.alignments {
            try Self.checkFileName(a.sourceView)
            try Self.checkFileName(a.targetView)
            let file = "align-\(a.sourceView)-\(a.targetView).emb"
            try EmbeddingFileFormat.encode(a.matrix).write(to: directory.appendingPathComponent(file), options: .atomic)
            alignmentEntries.append(.init(sourceView: a.sourceView, targetView: a.targetView,
                                          activation: a.activation, file: file))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let taskFile = "task-weights.json"
        try encoder.encode(model.tasks).write(to: directory.appendingPathComponent(taskFile), options: .atomic)
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        let manifest = ModelManifest(
            formatVersion: EmbeddingFileFormat.directoryFormatVersion, modelVersion: modelVersion,
            pipelineHash: pipelineHash, createdAt: formatter.string(from: createdAt), dim: model.dim,
            views: viewEntries, alignments: alignmentEntries, taskWeights: taskFile, stats: model.stats)
        try encoder.encode(manifest).write(to: directory.appendingPathComponent("manifest.json"), options: .atomic)
        return manifest
    }

    static func checkFileName(_ name: String) throws {
        if !isPlainFileName(name) { throw EmbeddingFileError.invalidViewName(name) }
    }

    /// A name of a file inside the directory: non-empty, not starting with `.`, without a
    /// path separator, NUL or line break.
    static func isPlainFileName(_ name: String) -> Bool {
        !(name.isEmpty || name.hasPrefix(".")
            || name.contains(where: { $0 == "/" || $0 == "\\" || $0 == "\0" || $0.isNewline }))
    }

    static func tsvText(_ view: TrainedView) -> String {
        var out = ""
        let dim = view.embeddings.dim
        for (row, name) in view.nodeNames.enumerated() {
            out += NodeNameEscaping.escape(name)
            out += "\t"
            out += view.embeddings.values[(row * dim)..<((row + 1) * dim)].map { "\($0)" }.joined(separator: " ")
            out += "\n"
        }
        return out
    }
}
