import ArgumentParser
import Foundation
import Model
import ModelFiles
import Store
import Streaming

/// Where `similar` and `export` read embeddings: a state directory's model checkpoint
/// (`<state>/model/`, or `model.old/` as `ModelCheckpoint` picks) or a model directory
/// written by `m2grl train --out`.
struct ModelSourceOptions: ParsableArguments {
    @Option(name: .long, help: "State directory of `m2grl serve`: reads its model checkpoint (<state>/model/, or model.old/ after a crash during a checkpoint) and item attributes. Works while serve runs.")
    var state: String?

    @Option(name: .long, help: "Model directory written by `m2grl train --out` (or a copy of <state>/model/).")
    var embeddings: String?

    func validate() throws {
        if (state == nil) == (embeddings == nil) { throw ValidationError("--state or --embeddings: give exactly one") }
    }

    /// Reads the model, with errors that say what to do. With `--state`, the checkpoint
    /// directory `ModelCheckpoint.load` would pick: `<state>/model/`, or `<state>/model.old/`
    /// after a crash during a checkpoint replacement or when `model/` does not read.
    func load() throws -> LoadedModel {
        if let state { return try loadCheckpoint(state: state) }
        let directory = URL(fileURLWithPath: embeddings ?? ".")
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("manifest.json").path) else {
            throw ValidationError("--embeddings: '\(directory.path)' is not a model directory (no manifest.json); give the --out directory of `m2grl train`")
        }
        do {
            return try EmbeddingReader().read(from: directory)
        } catch {
            throw CommandFailure("cannot read the model in \(directory.path): \(error)")
        }
    }

    private func loadCheckpoint(state: String) throws -> LoadedModel {
        guard FileManager.default.fileExists(atPath: state) else {
            throw ValidationError("--state: no such directory '\(state)'")
        }
        let found: (model: LoadedModel, directory: String)?
        do { found = try ModelCheckpoint.loadModel(stateDirectory: state) } catch {
            throw CommandFailure("cannot read the model checkpoint in \(state): \(error)")
        }
        guard let found else {
            throw CommandFailure("no checkpoint yet in \(state): `m2grl serve` writes \(CheckpointInfo.directoryName)/ at its first model checkpoint; let it run until then, or use --embeddings DIR with a model directory from `m2grl train --out`")
        }
        return found.model
    }

    /// Attribute values of `items` from the state directory (read-only); empty with
    /// `--embeddings` (model directories carry no item -> attribute map).
    func attributes(ofItems items: [String]) throws -> [String: [(view: String, value: String)]] {
        guard let state else { return [:] }
        let inspector: StateInspector
        do { inspector = try StateInspector.openReadOnly(path: state) } catch {
            throw CommandFailure("cannot read item attributes from \(state): \(error)")
        }
        defer { inspector.close() }
        return try inspector.attributes(ofItems: items)
    }
}

extension TrainedModel {
    /// The named view, or a validation error listing the views there are.
    func requireView(_ name: String, option: String = "--view") throws -> TrainedView {
        guard let view = view(named: name) else {
            throw ValidationError("\(option): no view '\(name)'; the model has \(views.map(\.name).joined(separator: ", "))")
        }
        return view
    }
}

/// A runtime failure (exit code 1) whose message says what happened and what to do.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
