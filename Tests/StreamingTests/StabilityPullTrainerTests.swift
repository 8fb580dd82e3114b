import Foundation
import Model
import Streaming
import Testing

@Suite("Stability pull of the continuous trainer", .serialized, .timeLimit(.minutes(2)))
struct StabilityPullTrainerTests {
    /// Version 1 after 1,200 events, then 80 more events and version 2; the rows version 2
    /// carries (a delta: the rows that differ from version 1) with `pull`.
    func secondVersionRows(pull: Double, embedding: EmbeddingVectors = .input) async throws
        -> (rows: [String: Set<UInt32>], applied: Bool)
    {
        var config = try syntheticPipeline()
        config.online.stabilityPull = pull
        config.training.embedding = embedding
        let events = syntheticEvents(count: 1_280, seed: 21)
        let dir = try TemporaryDirectory()
        let (store, processor) = try openProcessor(dir.sub("state"), config: config)
        defer { store.close() }
        let trainer = try onlineTrainer(processor, walksPerRound: 200)
        var applied = AppliedVersions()
        try feed(Array(events[..<1_200]), to: processor)
        _ = try #require(try await trainer.round())
        applied.apply(try #require(await trainer.makeVersion()))
        // Two rounds before the next version: a node with new out-edges in the first round
        // keeps that round's update although the second round starts no fresh walk from it.
        try feed(Array(events[1_200..<1_240]), to: processor)
        _ = try #require(try await trainer.round())
        try feed(Array(events[1_240...]), to: processor)
        let report = try #require(try await trainer.round())
        #expect(report.rehearsedWalks > 0, "the rounds rehearse old walks, which move nodes without new events")
        let second = try #require(await trainer.makeVersion())
        #expect(second.kind == .delta)
        applied.apply(second)
        var rows: [String: Set<UInt32>] = [:]
        for view in second.views { rows[view.name] = Set(view.ids) }
        return (rows, applied.equals(await trainer.currentModel()))
    }

    @Test("pull 1: nodes without new out-edges since version 1 stay bit for bit as published, so version 2 carries fewer rows; the delta chain still rebuilds the tables (published vectors = input rows, or input plus context rows)",
          arguments: EmbeddingVectors.allCases)
    func fullPullKeepsUnchangedRows(embedding: EmbeddingVectors) async throws {
        let free = try await secondVersionRows(pull: 0, embedding: embedding)
        let pulled = try await secondVersionRows(pull: 1, embedding: embedding)
        #expect(free.applied && pulled.applied)
        let item = try #require(syntheticPipeline().viewNames.first)
        let freeItems = free.rows[item] ?? [], pulledItems = pulled.rows[item] ?? []
        // Same walks and random streams: the pull only takes rows back, so what it leaves
        // in the delta is a subset of what moved without it.
        #expect(pulledItems.isSubset(of: freeItems))
        #expect(pulledItems.count < freeItems.count, "pulled \(pulledItems.count) vs free \(freeItems.count)")
        #expect(!pulledItems.isEmpty, "rows of nodes with new out-edges still move")
    }
}
