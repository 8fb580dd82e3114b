import Foundation
import Model
import Store

extension ReportInput {
    /// Gathers a report's input from a state directory of `m2grl serve`:
    /// `<state>/history.jsonl`, the model checkpoint (`modelDirectory`, by default
    /// `<state>/model/`), and the item attributes of `categoryView` (nil: the first attribute
    /// view) from the RocksDB state. What is missing becomes a note, not an error: a state
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

        let modelPath = modelDirectory
            ?? URL(fileURLWithPath: stateDirectory).appendingPathComponent(CheckpointInfo.directoryName).path
        var items: TrainedView?
        if FileManager.default.fileExists(atPath: modelPath + "/manifest.json") {
            do {
                let loaded = try EmbeddingReader().read(from: URL(fileURLWithPath: modelPath))
                items = loaded.model.view(named: PipelineConfig.itemViewName) ?? loaded.model.views.first
                if items == nil { notes.append("the model has no views") }
            } catch {
                notes.append("model could not be read: \(error)")
            }
        } else {
            notes.append("no model checkpoint yet (no manifest.json in \(modelDirectory == nil ? "the state's model/ directory" : "the model directory"))")
        }

        var categories: ItemCategories?
        if items != nil {
            (categories, notes) = loadCategories(stateDirectory: stateDirectory, view: categoryView, source: categorySource, notes: notes)
        }
        let formatter = ISO8601DateFormatter()
        return ReportInput(title: title, records: records, skippedLines: skipped, itemEmbeddings: items,
                           categories: categories, notes: notes, generatedAt: formatter.string(from: Date()))
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
