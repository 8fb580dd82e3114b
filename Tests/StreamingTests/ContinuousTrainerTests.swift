import Foundation
import Kafka
import Model
import ModelFiles
import Store
import Streaming
import Testing

/// Rows of every view rebuilt by applying versions in order (a snapshot replaces, a delta
/// overwrites its rows): what a reader of the published stream holds.
struct AppliedVersions {
    var rows: [String: [UInt32: [Float]]] = [:]
    var totalRows: [String: Int] = [:]
    var numbers: [UInt64] = []

    mutating func apply(_ v: EmbeddingVersion) {
        numbers.append(v.version)
        if v.kind == .snapshot { rows = [:] }
        for view in v.views {
            totalRows[view.name] = view.totalRows
            for (k, id) in view.ids.enumerated() {
                rows[view.name, default: [:]][id] = Array(view.values[(k * v.dim)..<((k + 1) * v.dim)])
            }
        }
    }

    /// True when the rebuilt rows equal `model`'s tables exactly.
    func equals(_ model: TrainedModel) -> Bool {
        for view in model.views {
            let mine = rows[view.name] ?? [:]
            guard mine.count == view.embeddings.rows, totalRows[view.name] == view.embeddings.rows else { return false }
            for r in 0..<view.embeddings.rows where mine[UInt32(r)] != Array(view.embeddings.row(r)) { return false }
        }
        return true
    }
}

/// A version sink that records versions and can fail chosen attempts.
final class RecordingSink: VersionSink, @unchecked Sendable {
    private let lock = NSLock()
    private var failNext: Set<UInt64>
    private var published: [EmbeddingVersion] = []
    private var failed: [UInt64] = []

    init(failOnce: Set<UInt64> = []) { failNext = failOnce }

    func publish(_ version: EmbeddingVersion) async throws {
        try lock.withLock {
            if failNext.remove(version.version) != nil {
                failed.append(version.version)
                throw KafkaError(code: .timedOut, message: "injected publish failure")
            }
            published.append(version)
        }
    }

    var versions: [EmbeddingVersion] { lock.withLock { published } }
    var failures: [UInt64] { lock.withLock { failed } }
}

/// A directory path under a regular file (`blocker`): writing a checkpoint there fails until `blocker` is removed.
func unwritableStateDirectory(in dir: TemporaryDirectory) throws -> (path: String, blocker: String) {
    let blocker = dir.sub("blocker")
    try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
    return (blocker + "/state", blocker)
}

func onlineTrainer(_ processor: IngestProcessor, walksPerRound: Int = 300, firstVersion: UInt64 = 1,
                   restoring: ModelCheckpoint.Loaded? = nil, snapshotEvery: Int = 100) throws -> ContinuousTrainer {
    try ContinuousTrainer(
        processor: processor,
        settings: .init(walksPerRound: walksPerRound, learningRate: 0.02, threads: 1, snapshotEvery: snapshotEvery),
        firstVersion: firstVersion, restoring: restoring, logger: quietLogger)
}

@Suite("Continuous training", .serialized, .timeLimit(.minutes(2)))
struct ContinuousTrainerTests {
    @Test("walk sampler: fresh walks cover every start node first, then fill newest first up to the limit; rehearsal from older blocks only, within the budget, no block twice")
    func sampler() {
        let blocks = (0..<10).map { WalkRingBlock(start: UInt64($0 * 10), count: 10) }
        let sampler = WalkSampler(budget: 4, freshLimit: 5, coverageLimit: 100)
        #expect(sampler.freshBlocks(blocks, seen: 70).map(\.start) == [90, 80, 70])
        // Two fresh blocks, newest first: a hot node 7 starts most walks; nodes 1, 2, 3 one each.
        let newest = WalkCorpus(tokens: [7, 1, 7, 2, 7, 1, 3, 2], walkEnds: [2, 4, 6, 8], nodeCount: 10)  // walks 7-1, 7-2, 7-1, 3-2
        let older = WalkCorpus(tokens: [1, 7, 7, 3, 2, 7], walkEnds: [2, 4, 6], nodeCount: 10)             // walks 1-7, 7-3, 2-7
        let fresh = sampler.selectFresh([newest, older], nodeCount: 10)
        let walks = (0..<fresh.walkCount).map { Array(fresh.walk($0)) }
        // Coverage (newest walk first): 3-2 (3), 7-1 (7), 2-7 (2), 1-7 (1); then fill up to 5: 7-2.
        #expect(walks == [[3, 2], [7, 1], [2, 7], [1, 7], [7, 2]], "\(walks)")
        // The coverage goes beyond the fill limit when more nodes were touched.
        let wide = WalkSampler(budget: 1, freshLimit: 2, coverageLimit: 100).selectFresh([newest, older], nodeCount: 10)
        #expect(wide.walkCount == 4)
        let capped = WalkSampler(budget: 1, freshLimit: 2, coverageLimit: 3).selectFresh([newest, older], nodeCount: 10)
        #expect(capped.walkCount == 3)
        var rng = Xoshiro256StarStar(seed: 3)
        let picks = sampler.pickRehearsal(blocks: blocks, seen: 70, walks: 25, using: &rng)
        #expect(picks.allSatisfy { $0.block.start < 70 })
        #expect(picks.reduce(0) { $0 + $1.walks } == 25)
        #expect(Set(picks.map(\.block.start)).count == picks.count)
        #expect(sampler.pickRehearsal(blocks: blocks, seen: 0, walks: 25, using: &rng).isEmpty, "nothing older than the fresh blocks")
    }

    @Test("rounds only on fresh walks; snapshot then deltas rebuild the tables exactly; unchanged rows are left out")
    func deltaChain() async throws {
        let config = try syntheticPipeline()
        let events = syntheticEvents(count: 6_000, seed: 11)
        let dir = try TemporaryDirectory()
        let (store, processor) = try openProcessor(dir.sub("state"), config: config)
        defer { store.close() }
        let trainer = try onlineTrainer(processor)
        let first = try await trainer.round()
        #expect(first == nil, "no walks yet")
        var applied = AppliedVersions()
        var deltaRowFractions: [Double] = []
        for chunk in 0..<3 {
            try feed(Array(events[(chunk * 2_000)..<((chunk + 1) * 2_000)]), to: processor)
            let report = try #require(try await trainer.round())
            #expect(report.freshWalks > 0 && report.tokens > 0)
            let again = try await trainer.round()
            #expect(again == nil, "every fresh walk was taken (the budget covers them)")
            let version = try #require(await trainer.makeVersion())
            #expect(version.version == UInt64(chunk + 1))
            #expect(version.kind == (chunk == 0 ? .snapshot : .delta))
            #expect(await trainer.makeVersion() == nil, "nothing trained since")
            if version.kind == .delta {
                deltaRowFractions.append(Double(version.rowCount) / Double(version.views.reduce(0) { $0 + $1.totalRows }))
            }
            applied.apply(version)
            #expect(applied.equals(await trainer.currentModel()))
        }
        #expect(deltaRowFractions.allSatisfy { $0 > 0 && $0 < 1 }, "deltas carry some rows, not all: \(deltaRowFractions)")
    }

    @Test("checkpoint and restore: same tables, the version sequence continues, the first version after a restart is a snapshot")
    func checkpointRestore() async throws {
        let config = try syntheticPipeline()
        let events = syntheticEvents(count: 4_000, seed: 12)
        let dir = try TemporaryDirectory()
        let (store, processor) = try openProcessor(dir.sub("state"), config: config)
        defer { store.close() }
        let trainer = try onlineTrainer(processor)
        try feed(Array(events[..<2_000]), to: processor)
        _ = try await trainer.round()
        _ = await trainer.makeVersion()
        try feed(Array(events[2_000...]), to: processor)
        _ = try await trainer.round()
        let v2 = try #require(await trainer.makeVersion())
        try await trainer.checkpoint(stateDirectory: dir.sub("state"), publishedVersion: v2.version)
        let before = await trainer.currentModel()

        let loaded = try #require(try ModelCheckpoint.load(stateDirectory: dir.sub("state")))
        #expect(loaded.info.publishedVersion == 2)
        let restored = try onlineTrainer(processor, restoring: loaded)
        #expect(await restored.nextVersion == 3)
        #expect(await restored.currentModel().views == before.views, "restored tables differ")
        #expect(await restored.currentModel().alignments == before.alignments, "restored alignments differ")
        #expect(restored.parameters.logVariances == trainer.parameters.logVariances)
        // The checkpoint directory is a model directory: the offline reader loads it.
        let model = try EmbeddingReader().read(from: URL(fileURLWithPath: dir.sub("state/model"))).model
        #expect(model.views == before.views, "the model directory differs")

        try feed(syntheticEvents(count: 500, seed: 99), to: processor)
        _ = try await restored.round()
        let v3 = try #require(await restored.makeVersion())
        #expect(v3.version == 3 && v3.kind == .snapshot)
    }

    @Test("input_plus_context: versions carry input plus context rows; the checkpoint's model files hold them too, its input tables are kept beside them and a restored trainer publishes the same vectors")
    func checkpointWithContextVectors() async throws {
        var config = try syntheticPipeline()
        config.training.embedding = .inputPlusContext
        let events = syntheticEvents(count: 2_000, seed: 13)
        let dir = try TemporaryDirectory()
        let (store, processor) = try openProcessor(dir.sub("state"), config: config)
        defer { store.close() }
        let trainer = try onlineTrainer(processor)
        try feed(Array(events[..<1_500]), to: processor)
        _ = try await trainer.round()
        var applied = AppliedVersions()
        applied.apply(try #require(await trainer.makeVersion()))
        // A delta: the rows whose sum moved (without a stability pull the trainer remembers
        // the published sums, not the two tables).
        try feed(Array(events[1_500...]), to: processor)
        _ = try await trainer.round()
        let v2 = try #require(await trainer.makeVersion())
        #expect(v2.kind == .delta)
        applied.apply(v2)
        let published = await trainer.currentModel(), inputs = await trainer.currentModel(vectors: .input)
        #expect(published.views != inputs.views, "the context rows are added")
        #expect(applied.equals(published))
        let item = try #require(await trainer.itemEmbeddings())
        #expect(item.embeddings == published.views[0].embeddings)

        try await trainer.checkpoint(stateDirectory: dir.sub("state"), publishedVersion: v2.version)
        let loaded = try #require(try ModelCheckpoint.load(stateDirectory: dir.sub("state")))
        #expect(loaded.info.embedding == .inputPlusContext)
        #expect(loaded.model.views == inputs.views, "the trainer restores the input tables")
        let files = try EmbeddingReader().read(from: URL(fileURLWithPath: dir.sub("state/model"))).model
        #expect(files.views == published.views, "the checkpoint directory is a model directory of the published vectors")
        let restored = try onlineTrainer(processor, restoring: loaded)
        #expect(await restored.currentModel().views == published.views)
        let read = try #require(try ModelCheckpoint.loadModel(stateDirectory: dir.sub("state"), logger: nil))
        #expect(read.model.model.views == published.views, "similar/export/report read the published vectors")
    }

    @Test("embedding: input keeps the checkpoint layout from before the setting: no input tables beside the model files, no embedding in checkpoint.json, a restored trainer publishes the same vectors")
    func checkpointWithInputVectors() async throws {
        var config = try syntheticPipeline()
        config.training.embedding = .input
        let dir = try TemporaryDirectory()
        let (store, processor) = try openProcessor(dir.sub("state"), config: config)
        defer { store.close() }
        let trainer = try onlineTrainer(processor)
        try feed(syntheticEvents(count: 1_500, seed: 14), to: processor)
        _ = try await trainer.round()
        let v1 = try #require(await trainer.makeVersion())
        let published = await trainer.currentModel()
        #expect(published.views == (await trainer.currentModel(vectors: .input)).views)
        try await trainer.checkpoint(stateDirectory: dir.sub("state"), publishedVersion: v1.version)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.sub("state/model"))
        #expect(!files.contains { $0.hasPrefix("input-") }, "\(files)")
        let json = try String(contentsOfFile: dir.sub("state/model/checkpoint.json"), encoding: .utf8)
        #expect(!json.contains("embedding"))
        let loaded = try #require(try ModelCheckpoint.load(stateDirectory: dir.sub("state")))
        #expect(loaded.info.embedding == nil && loaded.model.views == published.views)
        let restored = try onlineTrainer(processor, restoring: loaded)
        #expect(await restored.currentModel().views == published.views)
    }

    @Test("service: versions numbered without gaps, a failed version is republished under its number as a snapshot, the final version equals the checkpoint")
    func service() async throws {
        let config = try syntheticPipeline()
        let events = syntheticEvents(count: 6_000, seed: 11)
        let dir = try TemporaryDirectory()
        let (store, processor) = try openProcessor(dir.sub("state"), config: config)
        defer { store.close() }
        let trainer = try onlineTrainer(processor)
        let sink = RecordingSink(failOnce: [2])
        var settings = ContinuousTrainingService.Settings(
            stateDirectory: dir.sub("state"), publishInterval: .milliseconds(1), checkpointInterval: .seconds(3600))
        settings.idlePoll = .milliseconds(10)
        let history = HistoryLog(stateDirectory: dir.sub("state"))
        let service = ContinuousTrainingService(trainer: trainer, sink: sink, history: history, settings: settings, logger: quietLogger)
        let task = Task { try await service.run() }
        for chunk in 0..<3 {
            // Sessions close (and walks appear) only as event time moves past the gap.
            try feed(Array(events[(chunk * 2_000)..<((chunk + 1) * 2_000)]), to: processor, batch: 2_000)  // one batch per chunk: few rounds in a debug build
            try await waitUntil(90, "a version after chunk \(chunk)") { sink.versions.count + sink.failures.count > chunk }
        }
        task.cancel()
        try await withDeadline(60, "trainer service to stop") { try await task.value }

        let versions = sink.versions
        #expect(sink.failures == [2])
        #expect(versions.map(\.version) == Array(1...UInt64(versions.count)), "\(versions.map(\.version))")
        #expect(versions[0].kind == .snapshot && versions[1].kind == .snapshot, "version 2 was republished as a snapshot")
        var applied = AppliedVersions()
        for v in versions { applied.apply(v) }
        let checkpoint = try #require(try ModelCheckpoint.load(stateDirectory: dir.sub("state")))
        #expect(checkpoint.info.publishedVersion == versions.last?.version)
        // The checkpoint's model files hold the published vectors (load() gives the trainer
        // its input tables, which differ from them with the default input_plus_context).
        let files = try #require(try ModelCheckpoint.loadModel(stateDirectory: dir.sub("state"), logger: nil))
        #expect(applied.equals(files.model.model))
        let (records, skipped) = try HistoryRecord.read(stateDirectory: dir.sub("state"))
        #expect(skipped == 0)
        #expect(records.filter { $0.kind == .publish }.map(\.version) == versions.map(\.version))
        #expect(records.contains { $0.kind == .train && ($0.losses?.isEmpty == false) })
    }

    @Test("a checkpoint whose published version is UInt64.max is refused at restore (was an overflow trap)")
    func restoreRefusesHugeVersion() async throws {
        let config = try syntheticPipeline()
        let dir = try TemporaryDirectory()
        let (store, processor) = try openProcessor(dir.sub("state"), config: config)
        defer { store.close() }
        let trainer = try onlineTrainer(processor)
        try feed(syntheticEvents(count: 2_000, seed: 12), to: processor)
        _ = try await trainer.round()
        try await trainer.checkpoint(stateDirectory: dir.sub("state"), publishedVersion: 1)
        var loaded = try #require(try ModelCheckpoint.load(stateDirectory: dir.sub("state")))
        loaded.info.publishedVersion = .max
        #expect(throws: ModelCheckpoint.Error.self) { try onlineTrainer(processor, restoring: loaded) }
    }

    @Test("node names with a line break, a tab or a backslash are checkpointed and restored exactly (the checkpoint used to fail for good)")
    func controlCharactersInNames() async throws {
        let config = try syntheticPipeline()
        let dir = try TemporaryDirectory()
        let (store, processor) = try openProcessor(dir.sub("state"), config: config)
        defer { store.close() }
        let odd = " line\nbreak tab\there back\\slash\\n cr\r"
        var events = syntheticEvents(count: 2_000, seed: 13)
        for i in events.indices { events[i].item += odd }
        let trainer = try onlineTrainer(processor)
        try feed(events, to: processor)
        _ = try await trainer.round()
        let names = await trainer.currentModel().views[0].nodeNames
        #expect(!names.isEmpty && names.allSatisfy { $0.hasSuffix(odd) })
        try await trainer.checkpoint(stateDirectory: dir.sub("state"), publishedVersion: 1)
        let loaded = try #require(try ModelCheckpoint.load(stateDirectory: dir.sub("state")))
        #expect(loaded.model.views[0].nodeNames == names)
        let restored = try onlineTrainer(processor, restoring: loaded)
        #expect(await restored.currentModel().views == trainer.currentModel().views)
    }

    @Test("service: failing checkpoints are logged, counted and retried with backoff; training and publication go on; a later checkpoint succeeds")
    func serviceSurvivesCheckpointFailures() async throws {
        let config = try syntheticPipeline()
        let events = syntheticEvents(count: 6_000, seed: 11)
        let dir = try TemporaryDirectory()
        let (store, processor) = try openProcessor(dir.sub("state"), config: config)
        defer { store.close() }
        let (checkpoints, blocker) = try unwritableStateDirectory(in: dir)
        let trainer = try onlineTrainer(processor)
        let sink = RecordingSink()
        var settings = ContinuousTrainingService.Settings(
            stateDirectory: checkpoints, publishInterval: .milliseconds(1), checkpointInterval: .milliseconds(20))
        settings.idlePoll = .milliseconds(10)
        settings.checkpointMaximumBackoff = .milliseconds(500)
        let logs = LogCapture()
        let history = HistoryLog(stateDirectory: dir.sub("state"))
        let service = ContinuousTrainingService(trainer: trainer, sink: sink, history: history, settings: settings, logger: logs.logger("trainer"))
        let task = Task { try await service.run() }
        let started = ContinuousClock.now
        for chunk in 0..<3 {
            try feed(Array(events[(chunk * 2_000)..<((chunk + 1) * 2_000)]), to: processor, batch: 2_000)  // one batch per chunk: few rounds in a debug build
            try await waitUntil(90, "a version after chunk \(chunk)") { sink.versions.count > chunk }
        }
        try await waitUntil(30, "checkpoint failures") { service.checkpointFailures >= 3 }
        let failures = service.checkpointFailures
        let elapsed = (ContinuousClock.now - started) / .milliseconds(500)
        // Without backoff a failure every 20 ms (25 per 500 ms); with doubling from 20 ms up
        // to 500 ms, 5 failures in the first 620 ms, then one per 500 ms.
        #expect(Double(failures) <= 6 + elapsed, "\(failures) failures in \(elapsed) x 500 ms")
        #expect(logs.errors.contains { $0.contains("checkpoint") && $0.contains("failed") })
        try FileManager.default.removeItem(atPath: blocker)
        try await waitUntil(30, "a checkpoint once the directory is writable") {
            FileManager.default.fileExists(atPath: checkpoints + "/model/" + CheckpointInfo.fileName)
        }
        task.cancel()
        try await withDeadline(60, "trainer service to stop") { try await task.value }
        #expect(sink.versions.count >= 3)
        let checkpoint = try #require(try ModelCheckpoint.load(stateDirectory: checkpoints))
        #expect(checkpoint.info.publishedVersion == sink.versions.last?.version)
        // Every attempt is in the history: the failures with their reason, then successes.
        let records = try HistoryRecord.read(stateDirectory: dir.sub("state")).records.filter { $0.kind == .checkpoint }
        let failed = records.filter { $0.ok == false }
        #expect(failed.count == service.checkpointFailures)
        #expect(failed.allSatisfy { !($0.reason ?? "").isEmpty && $0.final == false }, "\(failed.map(\.reason))")
        #expect(records.last?.ok == true && records.last?.final == true && records.last?.version == checkpoint.info.publishedVersion)
    }

    @Test("service: a failing final checkpoint at shutdown is logged and counted; run returns normally")
    func serviceShutdownWithFailingCheckpoint() async throws {
        let config = try syntheticPipeline()
        let dir = try TemporaryDirectory()
        let (store, processor) = try openProcessor(dir.sub("state"), config: config)
        defer { store.close() }
        let trainer = try onlineTrainer(processor)
        var settings = ContinuousTrainingService.Settings(
            stateDirectory: try unwritableStateDirectory(in: dir).path, publishInterval: .seconds(3600), checkpointInterval: .seconds(3600))
        settings.idlePoll = .milliseconds(10)
        let logs = LogCapture()
        let service = ContinuousTrainingService(trainer: trainer, sink: RecordingSink(), history: nil, settings: settings, logger: logs.logger("trainer"))
        let task = Task { try await service.run() }
        try feed(syntheticEvents(count: 2_000, seed: 14), to: processor)
        try await waitUntilAsync(30, "a round") { await trainer.rounds > 0 }
        task.cancel()
        try await withDeadline(60, "trainer service to stop") { try await task.value }
        #expect(service.checkpointFailures == 1)
        #expect(logs.errors.contains { $0.contains("checkpoint") })
    }

    @Test("replay: a failing final checkpoint is logged, counted and reported in the summary; finish returns")
    func replayWithFailingCheckpoint() async throws {
        let config = try syntheticPipeline()
        let dir = try TemporaryDirectory()
        let (store, processor) = try openProcessor(dir.sub("state"), config: config)
        defer { store.close() }
        let trainer = try onlineTrainer(processor)
        let logs = LogCapture()
        let driver = ReplayDriver(processor: processor, trainer: trainer, sink: nil, plan: ReplayPlan(),
                                  stateDirectory: try unwritableStateDirectory(in: dir).path,
                                  history: HistoryLog(stateDirectory: dir.sub("state")), logger: logs.logger("replay"))
        try feed(syntheticEvents(count: 2_000, seed: 15), to: processor)
        let summary = try await driver.finish()
        #expect(summary.checkpointError != nil)
        let records = try HistoryRecord.read(stateDirectory: dir.sub("state")).records.filter { $0.kind == .checkpoint }
        #expect(records.count == 1 && records.first?.ok == false && records.first?.final == true)
        #expect(records.first?.reason == summary.checkpointError)
        #expect(logs.errors.contains { $0.contains("checkpoint") })
    }
}

