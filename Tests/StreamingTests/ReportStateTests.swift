import Foundation
import Model
import ModelFiles
import Report
import Store
import Streaming
import Testing

@Suite("Report state input")
struct ReportStateTests {
    /// An ingest state of 1,500 synthetic events; returns the events.
    static func ingestState(at path: String) throws -> [Event] {
        let events = distinctTimeEvents(count: 1_500, seed: 7)
        let (store, processor) = try openProcessor(path, config: try syntheticPipeline())
        defer { store.close() }
        try feed(events, to: processor)
        _ = try processor.closeAllSessions()
        return events
    }

    @Test func categoriesComeFromTheIngestState() throws {
        let dir = try TemporaryDirectory()
        let events = try Self.ingestState(at: dir.path)
        let store = try IngestSchema.openStore(path: dir.path)
        defer { store.close() }
        let source = StoreItemCategorySource(store: store)
        #expect(try source.viewNames() == ["item", "category", "shop"])
        let first = try #require(try source.itemCategories(view: nil))
        #expect(first.viewName == "category")
        let shops = try #require(try source.itemCategories(view: "shop"))
        #expect(try source.itemCategories(view: "missing") == nil)
        // Every item that reached a session has its event's attributes (first value seen).
        #expect(!first.byItem.isEmpty)
        var expectedCategory: [String: String] = [:], expectedShop: [String: String] = [:]
        for e in events {
            if expectedCategory[e.item] == nil { expectedCategory[e.item] = e.attribute("category") }
            if expectedShop[e.item] == nil { expectedShop[e.item] = e.attribute("shop") }
        }
        for (item, category) in first.byItem { #expect(expectedCategory[item] == category, "item \(item)") }
        for (item, shop) in shops.byItem { #expect(expectedShop[item] == shop, "item \(item)") }
    }

    @Test func stateHeldByServeIsReadReadOnly() throws {
        let dir = try TemporaryDirectory()
        _ = try Self.ingestState(at: dir.path)
        try writeCheckpointDirectory(itemModel(), state: dir.path)
        try writeHistory(syntheticHistory(rounds: 3), to: dir.path, extraLines: ["not json"])

        let holder = try IngestSchema.openStore(path: dir.path)  // as a running serve would
        let locked = try ReportInput.load(stateDirectory: dir.path)
        holder.close()
        #expect(locked.records.count == 9)
        #expect(locked.skippedLines == 1)
        #expect(locked.itemEmbeddings?.name == "item")
        #expect(locked.categories?.viewName == "category", "categories read through a read-only open while the state is locked")
        #expect(!locked.notes.contains { $0.contains("state in use") })

        let free = try ReportInput.load(stateDirectory: dir.path)
        #expect(free.categories?.viewName == "category")
        #expect(!free.notes.contains { $0.contains("state in use") })
        let html = ReportBuilder().build(free)
        #expect(html.contains("coloured by category"))
    }

    @Test func missingPartsBecomeNotes() throws {
        let dir = try TemporaryDirectory()
        let input = try ReportInput.load(stateDirectory: dir.path)
        #expect(input.records.isEmpty)
        #expect(input.itemEmbeddings == nil)
        #expect(input.notes.contains { $0.contains("no model checkpoint") })
        #expect(input.notes.contains { $0.contains("no history records") })
        #expect(throws: ReportError.stateDirectoryMissing(dir.sub("absent"))) { try ReportInput.load(stateDirectory: dir.sub("absent")) }
    }

    @Test("after a crash during a checkpoint replacement (model.old/ only) the report projects model.old/ and says so")
    func previousCheckpointIsProjected() throws {
        let dir = try TemporaryDirectory()
        try writeCheckpointDirectory(itemModel(), state: dir.path, directory: CheckpointInfo.directoryName + ".old")
        let input = try ReportInput.load(stateDirectory: dir.path)
        #expect(input.itemEmbeddings?.nodeNames.count == 60)
        #expect(input.notes.contains { $0.contains("model.old/") }, "\(input.notes)")
        #expect(!input.notes.contains { $0.contains("no model checkpoint") })
    }

    @Test("a model/ without checkpoint.json (an interrupted write) is not projected")
    func incompleteCheckpointIsNotProjected() throws {
        let dir = try TemporaryDirectory()
        try EmbeddingWriter().write(itemModel(), to: URL(fileURLWithPath: dir.sub("model")), pipelineHash: "test")
        let input = try ReportInput.load(stateDirectory: dir.path)
        #expect(input.itemEmbeddings == nil)
        #expect(input.notes.contains { $0.contains("no model checkpoint") })
    }

    /// A small model with an item view whose names are synthetic item ids.
    func itemModel() -> TrainedModel {
        let items = syntheticItemView(count: 60)
        let named = TrainedView(name: "item", nodeNames: (0..<60).map { "i\($0)" }, embeddings: items.embeddings)
        return TrainedModel(dim: 8, views: [named], alignments: [], tasks: TaskReport(), stats: TrainingStats())
    }

    func writeHistory(_ records: [HistoryRecord], to state: String, extraLines: [String]) throws {
        let encoder = JSONEncoder()
        var text = ""
        for r in records { text += String(decoding: try encoder.encode(r), as: UTF8.self) + "\n" }
        for l in extraLines { text += l + "\n" }
        try text.write(toFile: state + "/" + HistoryRecord.fileName, atomically: true, encoding: .utf8)
    }
}
