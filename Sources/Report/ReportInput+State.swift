import Streaming
import Foundation
import Model
import ModelFiles
import Store

extension ReportInput {
    /// Gathers a report's input from a state directory of `m2grl serve`:
    /// `<state>/history.jsonl`, the model (`modelDirectory`, by default the state's
    /// checkpoint: `<state>/model/`, or `model.old/` as `ModelCheckpoint.load` picks), and
    /// the item attributes of `categoryView` (nil: the first attribute view) from the
    /// RocksDB state. What is missing becomes a note, not an error: a state
    /// locked by a running `serve` yields a page without colours.
    ///
    /// - Parameter categorySource: where attributes come from; nil opens the state store
    ///   (read-write, since RocksDB's lock forbids a second writer) for the time of the read.
    public static func load(stateDirectory: String, modelDirectory: String? = nil, categoryView: String? = nil,
                            categorySource: ItemCategorySource? = nil, title: String = "m2grl report") throws -> ReportInput {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: stateDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ReportError.stateDirectoryMissing(stateDirectory)
        }
        let (records, skipped) = try HistoryRecord.read(stateDirectory: stateDirectory)
        var notes: [String] = []
        if records.isEmpty { notes.append("no history records yet (\(HistoryRecord.fileName) is missing or empty)") }
        if skipped > 0 { notes.append("\(skipped) line(s) of \(HistoryRecord.fileName) could not be read and were skipped") }

        var items: TrainedView?
        do {
            if let loaded = try readModel(stateDirectory: stateDirectory, modelDirectory: modelDirectory, notes: &notes) {
                items = loaded.model.view(named: PipelineConfig.itemViewName) ?? loaded.model.views.first
                if items == nil { notes.append("the model has no views") }
            }
        } catch {
            notes.append("model could not be read: \(error)")
        }

        var categories: ItemCategories?
        if items != nil {
            (categories, notes) = loadCategories(stateDirectory: stateDirectory, view: categoryView, source: categorySource, notes: notes)
        }
        let formatter = ISO8601DateFormatter()
        return ReportInput(title: title, records: records, skippedLines: skipped, itemEmbeddings: items,
                           categories: categories, notes: notes, generatedAt: formatter.string(from: Date()))
    }

    /// The model of `modelDirectory`, or else of the state's checkpoint from the directory
    /// `ModelCheckpoint` picks (`model/`, else `model.old/`); nil, with a note, when there is none.
    private static func readModel(stateDirectory: String, modelDirectory: String?, notes: inout [String]) throws -> LoadedModel? {
        if let modelDirectory {
            guard FileManager.default.fileExists(atPath: modelDirectory + "/manifest.json") else {
                notes.append("no model yet (no manifest.json in the model directory)")
                return nil
            }
            return try EmbeddingReader().read(from: URL(fileURLWithPath: modelDirectory))
        }
        guard let found = try ModelCheckpoint.loadModel(stateDirectory: stateDirectory) else {
            notes.append("no model checkpoint yet (no checkpoint.json in the state's model/ or model.old/ directory)")
            return nil
        }
        if URL(fileURLWithPath: found.directory).lastPathComponent != CheckpointInfo.directoryName {
            notes.append("embeddings read from the previous checkpoint, \(URL(fileURLWithPath: found.directory).lastPathComponent)/ (model/ is missing or unreadable)")
        }
        return found.model
    }

    private static func loadCategories(stateDirectory: String, view: String?, source: ItemCategorySource?,
                                       notes: [String]) -> (ItemCategories?, [String]) {
        var notes = notes
        do {
            if let source {
                let found = try source.itemCategories(view: view)
                if found == nil { notes.append("no attribute view \(view ?? "") in the state; items are not coloured") }
                return (found, notes)
            }
            guard FileManager.default.fileExists(atPath: stateDirectory + "/CURRENT") else {
                notes.append("no ingest state (RocksDB) in the state directory; items are not coloured")
                return (nil, notes)
            }
            // Read-only: works while `serve` holds the state, and writes nothing.
            let store = try Store(readOnlyPath: stateDirectory)
            defer { store.close() }
            let found = try StoreItemCategorySource(store: store).itemCategories(view: view)
            if found == nil { notes.append("no attribute view \(view ?? "") in the state; items are not coloured") }
            return (found, notes)
        } catch StoreError.directoryInUse(_, let pid) {
            notes.append("state in use\(pid.map { " by process \($0)" } ?? ""); categories unavailable, items are not coloured")
        } catch {
            notes.append("item categories could not be read: \(error); items are not coloured")
        }
        return (nil, notes)
    }
}
