import Foundation
import Model

/// The continuous trainer's checkpoint in `<state>/model/`: the model in the layout of
/// `m2grl train --out` (so `m2grl eval`, `similar` and `export` read it as is), the context
/// tables `context-<view>.emb` the trainer needs to continue, and `checkpoint.json`
/// (`CheckpointInfo`) written last.
///
/// Atomic replacement: the new checkpoint is written to `model.new/`, the old directory is
/// renamed to `model.old/`, the new one to `model/`, and the old one removed. A crash
/// between the renames leaves `model.old/` complete; `load` falls back to it.
public enum ModelCheckpoint {
    public enum Error: Swift.Error, CustomStringConvertible {
        case mismatch(String)

        public var description: String {
            switch self {
            case .mismatch(let why): return "model checkpoint does not match the state directory: \(why)"
            }
        }
    }

    /// A checkpoint read back.
    public struct Loaded: Sendable {
        public var info: CheckpointInfo
        public var model: TrainedModel
        public var contexts: [String: EmbeddingMatrix]
    }

    static func directory(_ state: String, _ suffix: String = "") -> URL {
        URL(fileURLWithPath: state).appendingPathComponent(CheckpointInfo.directoryName + suffix)
    }

    /// Writes a checkpoint of `model` (input tables) and `parameters` (context tables).
    public static func write(model: TrainedModel, parameters: ModelParameters, stateDirectory: String,
                             pipeline: PipelineConfig, info: CheckpointInfo) throws {
        let fm = FileManager.default
        let fresh = directory(stateDirectory, ".new"), current = directory(stateDirectory), old = directory(stateDirectory, ".old")
        try? fm.removeItem(at: fresh)
        try EmbeddingWriter().write(model, to: fresh, pipelineHash: "\(pipeline.name)",
                                    modelVersion: Int(info.publishedVersion))
        for view in parameters.views {
            try EmbeddingFileFormat.encode(view.context.snapshot())
                .write(to: fresh.appendingPathComponent("context-\(view.name).emb"))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(info).write(to: fresh.appendingPathComponent(CheckpointInfo.fileName))
        try? fm.removeItem(at: old)
        if fm.fileExists(atPath: current.path) { try fm.moveItem(at: current, to: old) }
        try fm.moveItem(at: fresh, to: current)
        try? fm.removeItem(at: old)
    }

    /// Reads the checkpoint of a state directory; nil when there is none.
    public static func load(stateDirectory: String) throws -> Loaded? {
        let fm = FileManager.default
        for dir in [directory(stateDirectory), directory(stateDirectory, ".old")] {
            let infoURL = dir.appendingPathComponent(CheckpointInfo.fileName)
            guard fm.fileExists(atPath: infoURL.path) else { continue }
            let info = try JSONDecoder().decode(CheckpointInfo.self, from: Data(contentsOf: infoURL))
            let model = try EmbeddingReader().read(from: dir).model
            var contexts: [String: EmbeddingMatrix] = [:]
            for view in model.views {
                contexts[view.name] = try EmbeddingReader.readMatrix(dir.appendingPathComponent("context-\(view.name).emb"))
            }
            return Loaded(info: info, model: model, contexts: contexts)
        }
        return nil
    }
}
