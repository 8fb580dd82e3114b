import Foundation
import Logging
import Model
import ModelFiles

/// The continuous trainer's checkpoint in `<state>/model/`: the model in the layout of
/// `m2grl train --out` (so `m2grl eval`, `similar` and `export` read it as is), the context
/// tables `context-<view>.emb` the trainer needs to continue, and `checkpoint.json`
/// (`CheckpointInfo`) written last: a directory is a complete checkpoint exactly when it
/// holds `checkpoint.json`.
///
/// Crash-safe replacement (docs/formats.md, "Model checkpoint"): the new checkpoint is
/// written to `model.new/`, every file and the directory synced, `checkpoint.json` last;
/// then a complete `model/` is renamed to `model.old/`, `model.new/` to `model/`, and
/// `model.old/` removed, the parent directory synced after each rename. At every instant
/// `model/` or `model.old/` holds a complete checkpoint; `load` reads `model/`, else
/// `model.old/`, and never `model.new/`.
public enum ModelCheckpoint {
    public enum Error: Swift.Error, CustomStringConvertible {
        case mismatch(String)
        /// A `checkpoint.json` that cannot be read, decoded or validated (`file` relative to the state).
        case unreadableInfo(file: String, reason: String)
        /// Every directory holding a `checkpoint.json` failed to load: why, per directory.
        case unusable([String])

        public var description: String {
            switch self {
            case .mismatch(let why): return "model checkpoint does not match the state directory: \(why)"
            case let .unreadableInfo(file, why): return "\(file): \(why)"
            case .unusable(let why):
                return "no usable model checkpoint: \(why.joined(separator: "; ")) (move the directories aside to start training from scratch)"
            }
        }
    }

    /// The steps of a replacement, in order; after each, a crash leaves a state `load` reads.
    public enum Step: Int, CaseIterable, Comparable, Sendable {
        /// `model.new/` complete: every file and the directory synced, `checkpoint.json` last.
        case newWritten
        /// A complete `model/` renamed to `model.old/` (an incomplete one removed instead).
        case previousMovedAside
        /// `model.new/` renamed to `model/`.
        case newInPlace
        /// `model.old/` removed.
        case previousRemoved

        public static func < (a: Step, b: Step) -> Bool { a.rawValue < b.rawValue }
    }

    /// A checkpoint read back.
    public struct Loaded: Sendable {
        public var info: CheckpointInfo
        public var model: TrainedModel
        public var contexts: [String: EmbeddingMatrix]
        /// The directory it was read from (`model/`, or `model.old/` after a crash or when `model/` is unusable).
        public var directory: String
    }

    static func directory(_ state: String, _ suffix: String = "") -> URL {
        URL(fileURLWithPath: state).appendingPathComponent(CheckpointInfo.directoryName + suffix)
    }

    /// Writes a checkpoint of `model` (the published vectors: the input tables, or input plus
    /// context for `info.embedding == .inputPlusContext`) and `parameters` (the context
    /// tables, and then also the input tables as `input-<view>.emb`).
    public static func write(model: TrainedModel, parameters: ModelParameters, stateDirectory: String,
                             pipeline: PipelineConfig, info: CheckpointInfo) throws {
        try write(model: model, parameters: parameters, stateDirectory: stateDirectory, pipeline: pipeline, info: info) { _ in }
    }

    /// `write`, calling `afterStep` after each step (tests stop there to see what a crash leaves).
    static func write(model: TrainedModel, parameters: ModelParameters, stateDirectory: String,
                      pipeline: PipelineConfig, info: CheckpointInfo, afterStep: (Step) throws -> Void) throws {
        try info.validate()
        let fresh = directory(stateDirectory, ".new"), current = directory(stateDirectory).path, old = directory(stateDirectory, ".old").path
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        try discard(fresh.path)
        try EmbeddingWriter().write(model, to: fresh, pipelineHash: "\(pipeline.name)",
                                    modelVersion: Int(info.publishedVersion))
        for view in parameters.views {
            try EmbeddingFileFormat.encode(view.context.matrixCopy())
                .write(to: fresh.appendingPathComponent("context-\(view.name).emb"))
            if info.embedding == .inputPlusContext {
                try EmbeddingFileFormat.encode(view.input.matrixCopy())
                    .write(to: fresh.appendingPathComponent("input-\(view.name).emb"))
            }
        }
        try DurableFiles.syncContents(ofDirectory: fresh.path)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let infoPath = fresh.appendingPathComponent(CheckpointInfo.fileName).path
        try encoder.encode(info).write(to: URL(fileURLWithPath: infoPath))
        try DurableFiles.sync(infoPath)
        try DurableFiles.sync(fresh.path)
        try afterStep(.newWritten)
        if isComplete(current) {
            try discard(old)
            try DurableFiles.move(current, to: old)
        } else {
            // No complete model/: model.old/ may hold the only checkpoint, and stays.
            try discard(current)
        }
        try afterStep(.previousMovedAside)
        try DurableFiles.move(fresh.path, to: current)
        try afterStep(.newInPlace)
        try discard(old)
        try afterStep(.previousRemoved)
    }

    /// Reads the checkpoint of a state directory (`model/`, else `model.old/`); nil when
    /// there is none. A directory that fails to load (damaged `checkpoint.json` or table) is
    /// logged and the next one tried; when none loads, `Error.unusable` names each failure.
    public static func load(stateDirectory: String, logger: Logger = Logger(label: "m2grl.checkpoint")) throws -> Loaded? {
        try firstUsable(stateDirectory: stateDirectory, logger: logger) { dir in
            let info = try readInfo(in: dir)
            var model = try EmbeddingReader().read(from: dir).model
            var contexts: [String: EmbeddingMatrix] = [:]
            for (i, view) in model.views.enumerated() {
                contexts[view.name] = try EmbeddingReader.readMatrix(dir.appendingPathComponent("context-\(view.name).emb"))
                // The model files hold input plus context: the trainer restores the input tables.
                if info.embedding == .inputPlusContext {
                    let input = try EmbeddingReader.readMatrix(dir.appendingPathComponent("input-\(view.name).emb"))
                    guard input.rows == view.embeddings.rows, input.dim == view.embeddings.dim else {
                        throw CheckpointInfo.Invalid(reason: "input table of view \(view.name) is \(input.rows)x\(input.dim), its model table \(view.embeddings.rows)x\(view.embeddings.dim)")
                    }
                    model.views[i].embeddings = input
                }
            }
            return Loaded(info: info, model: model, contexts: contexts, directory: dir.path)
        }
    }

    /// The model tables of the state's checkpoint (the published vectors), for readers
    /// (`similar`, `export`, `report`): from the directory `load` picks (`model/`, else
    /// `model.old/`; a directory whose `checkpoint.json` or model tables do not read is
    /// passed over), without the context and input tables. Nil when the state has no complete checkpoint; `Error.unusable` when
    /// none reads.
    public static func loadModel(stateDirectory: String, logger: Logger? = Logger(label: "m2grl.checkpoint")) throws
        -> (model: LoadedModel, directory: String)?
    {
        try firstUsable(stateDirectory: stateDirectory, logger: logger) { dir in
            _ = try readInfo(in: dir)
            return (try EmbeddingReader().read(from: dir), dir.path)
        }
    }

    /// `read` of the first complete checkpoint directory it succeeds on (`model/`, then
    /// `model.old/`); nil when neither is complete.
    static func firstUsable<T>(stateDirectory: String, logger: Logger?, _ read: (URL) throws -> T) throws -> T? {
        var failures: [String] = []
        for dir in [directory(stateDirectory), directory(stateDirectory, ".old")] where isComplete(dir.path) {
            do {
                let value = try read(dir)
                if !failures.isEmpty {
                    logger?.warning("model checkpoint: \(failures.joined(separator: "; ")); using \(dir.lastPathComponent)/")
                }
                return value
            } catch let error as Error {
                failures.append("\(error)")
            } catch {
                failures.append("\(dir.lastPathComponent)/: \(error)")
            }
        }
        guard failures.isEmpty else { throw Error.unusable(failures) }
        return nil
    }

    /// The validated `checkpoint.json` of `dir`; errors name the file.
    static func readInfo(in dir: URL) throws -> CheckpointInfo {
        let name = "\(dir.lastPathComponent)/\(CheckpointInfo.fileName)"
        do {
            let info = try JSONDecoder().decode(CheckpointInfo.self, from: Data(contentsOf: dir.appendingPathComponent(CheckpointInfo.fileName)))
            try info.validate()
            return info
        } catch {
            throw Error.unreadableInfo(file: name, reason: "\(error)")
        }
    }

    /// A checkpoint directory is complete when it holds `checkpoint.json` (written last).
    static func isComplete(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path + "/" + CheckpointInfo.fileName)
    }

    /// Removes a checkpoint directory if present, its `checkpoint.json` first: from then on
    /// `load` ignores it, however far the removal gets before a crash.
    static func discard(_ path: String) throws {
        let fm = FileManager.default
        guard fm.fileExists(atPath: path) else { return }
        if isComplete(path) {
            try fm.removeItem(atPath: path + "/" + CheckpointInfo.fileName)
            try DurableFiles.sync(path)
        }
        try fm.removeItem(atPath: path)
        try DurableFiles.sync(DurableFiles.parent(of: path))
    }
}
