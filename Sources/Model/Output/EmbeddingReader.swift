import Foundation

/// A model directory read back: its manifest and the model.
public struct LoadedModel: Sendable, Equatable {
    public var manifest: ModelManifest
    public var model: TrainedModel

    public init(manifest: ModelManifest, model: TrainedModel) {
        self.manifest = manifest
        self.model = model
    }
}

/// Reads a model directory written by `EmbeddingWriter`.
public struct EmbeddingReader: Sendable {
    public init() {}

    /// Loads the manifest, every view's embeddings and node names, the alignment matrices
    /// and the task report.
    public func read(from directory: URL) throws -> LoadedModel {
        let decoder = JSONDecoder()
        let manifest = try decoder.decode(
            ModelManifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json")))
        guard manifest.formatVersion == EmbeddingFileFormat.directoryFormatVersion else {
            throw EmbeddingFileError.unsupportedDirectoryVersion(manifest.formatVersion)
        }
        var views: [TrainedView] = []
        for entry in manifest.views {
            let matrix = try Self.readMatrix(directory.appendingPathComponent(entry.embeddings), name: entry.embeddings)
            let text = try String(contentsOf: directory.appendingPathComponent(entry.nodes), encoding: .utf8)
            var names = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if names.last == "" { names.removeLast() }
            guard names.count == matrix.rows else {
                throw EmbeddingFileError.nodeCountMismatch(view: entry.name, nodes: names.count, rows: matrix.rows)
            }
            views.append(TrainedView(name: entry.name, nodeNames: names, embeddings: matrix))
        }
        var alignments: [TrainedAlignment] = []
        for entry in manifest.alignments {
            let matrix = try Self.readMatrix(directory.appendingPathComponent(entry.file), name: entry.file)
            alignments.append(TrainedAlignment(sourceView: entry.sourceView, targetView: entry.targetView,
                                               activation: entry.activation, matrix: matrix))
        }
        let tasks = try decoder.decode(
            TaskReport.self, from: Data(contentsOf: directory.appendingPathComponent(manifest.taskWeights)))
        let model = TrainedModel(dim: manifest.dim, views: views, alignments: alignments,
                                 tasks: tasks, stats: manifest.stats)
        return LoadedModel(manifest: manifest, model: model)
    }

    /// Reads one `.emb` file.
    public static func readMatrix(_ url: URL, name: String? = nil) throws -> EmbeddingMatrix {
        try EmbeddingFileFormat.decode(Data(contentsOf: url), name: name ?? url.lastPathComponent)
    }
}
