import Foundation
import Model

/// A model directory read back: its manifest and the model.
public struct LoadedModel: Sendable, Equatable {
    public var manifest: ModelManifest
    public var model: TrainedModel

    public init(manifest: ModelManifest, model: TrainedModel) {
        self.manifest = manifest
        self.model = model
    }
}

/// Reads a model directory written by `EmbeddingWriter`. Everything in it is untrusted: the
/// manifest must agree with the files it names (shapes, dims, plain file names inside the
/// directory), and a damaged file is an `EmbeddingFileError` naming it, never a trap.
public struct EmbeddingReader: Sendable {
    public init() {}

    /// Loads the manifest, every view's embeddings and node names, the alignment matrices
    /// and the task report.
    public func read(from directory: URL) throws -> LoadedModel {
        let manifest = try Self.decodeJSON(ModelManifest.self, directory, "manifest.json")
        guard EmbeddingFileFormat.readableDirectoryFormatVersions.contains(manifest.formatVersion) else {
            throw EmbeddingFileError.unsupportedDirectoryVersion(manifest.formatVersion)
        }
        let files = manifest.views.flatMap { [$0.embeddings, $0.nodes] } + manifest.alignments.map(\.file) + [manifest.taskWeights]
        if let bad = files.first(where: { !EmbeddingWriter.isPlainFileName($0) }) {
            throw EmbeddingFileError.invalidManifest("'\(bad)' is not a file name inside the directory")
        }
        var views: [TrainedView] = []
        for entry in manifest.views {
            let matrix = try Self.readMatrix(directory.appendingPathComponent(entry.embeddings), name: entry.embeddings)
            guard entry.rows == matrix.rows, entry.dim == matrix.dim, matrix.rows == 0 || matrix.dim == manifest.dim else {
                throw EmbeddingFileError.invalidManifest(
                    "view '\(entry.name)' is \(entry.rows)x\(entry.dim) (model dim \(manifest.dim)), \(entry.embeddings) holds \(matrix.rows)x\(matrix.dim)")
            }
            let names = try Self.readNodeNames(directory, entry.nodes, escaped: manifest.formatVersion >= 2)
            guard names.count == matrix.rows else {
                throw EmbeddingFileError.nodeCountMismatch(view: entry.name, nodes: names.count, rows: matrix.rows)
            }
            views.append(TrainedView(name: entry.name, nodeNames: names, embeddings: matrix))
        }
        var alignments: [TrainedAlignment] = []
        for entry in manifest.alignments {
            let matrix = try Self.readMatrix(directory.appendingPathComponent(entry.file), name: entry.file)
            guard matrix.rows == manifest.dim, matrix.dim == manifest.dim else {
                throw EmbeddingFileError.invalidManifest("\(entry.file) holds \(matrix.rows)x\(matrix.dim), not \(manifest.dim)x\(manifest.dim)")
            }
            alignments.append(TrainedAlignment(sourceView: entry.sourceView, targetView: entry.targetView,
                                               activation: entry.activation, matrix: matrix))
        }
        let tasks = try Self.decodeJSON(TaskReport.self, directory, manifest.taskWeights)
        let model = TrainedModel(dim: manifest.dim, views: views, alignments: alignments,
                                 tasks: tasks, stats: manifest.stats)
        return LoadedModel(manifest: manifest, model: model)
    }

    /// Reads one `.emb` file.
    public static func readMatrix(_ url: URL, name: String? = nil) throws -> EmbeddingMatrix {
        let name = name ?? url.lastPathComponent
        return try EmbeddingFileFormat.decode(read(url, name: name), name: name)
    }

    /// The names of a `.nodes` file, one per line (`\n` after each, the last one optional);
    /// `escaped` (layout 2) lines are unescaped (`NodeNameEscaping`).
    static func readNodeNames(_ directory: URL, _ file: String, escaped: Bool) throws -> [String] {
        let data = try read(directory.appendingPathComponent(file), name: file)
        var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        var names: [String] = []
        names.reserveCapacity(lines.count)
        for (i, bytes) in lines.enumerated() {
            guard let line = String(validating: bytes, as: UTF8.self) else {
                throw EmbeddingFileError.unreadable(file: file, reason: "line \(i + 1) is not UTF-8")
            }
            if escaped {
                guard let name = NodeNameEscaping.unescape(Substring(line)) else {
                    throw EmbeddingFileError.invalidNodeLine(file: file, line: i + 1)
                }
                names.append(name)
            } else {
                names.append(line)
            }
        }
        return names
    }

    private static func read(_ url: URL, name: String) throws -> Data {
        do { return try Data(contentsOf: url) } catch {
            throw EmbeddingFileError.unreadable(file: name, reason: "cannot read (\(error.localizedDescription))")
        }
    }

    private static func decodeJSON<T: Decodable>(_ type: T.Type, _ directory: URL, _ file: String) throws -> T {
        let data = try read(directory.appendingPathComponent(file), name: file)
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw EmbeddingFileError.unreadable(file: file, reason: "not a valid \(type) (\(error))")
        }
    }
}
