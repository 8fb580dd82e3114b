import Foundation
import Model
@testable import Streaming
import Testing

/// A small model and its parameters in the views of the synthetic pipeline; `seed` makes
/// the tables differ.
private func checkpointContent(_ pipeline: PipelineConfig, seed: UInt64) -> (TrainedModel, ModelParameters) {
    let parameters = ModelParameters(dim: 4, seed: seed)
    let data = TrainingData(
        views: pipeline.viewNames.map { name in
            ViewTrainingData(name: name, nodeNames: (0..<5).map { "\(name)-\($0)" }, corpus: WalkCorpus(nodeCount: 5))
        },
        alignments: pipeline.alignments.map { AlignmentPairs(sourceView: $0.from, targetView: $0.to) })
    parameters.prepare(for: data)
    return (Trainer.modelCopy(parameters: parameters, data: data, config: TrainerConfig(pipeline: pipeline.training)), parameters)
}

private func info(version: UInt64) -> CheckpointInfo {
    CheckpointInfo(publishedVersion: version, createdAt: "2026-01-01T00:00:00Z", inputOffsets: ["events:0": 10],
                   eventTimeWatermarkMs: 1_700_000_000_000, taskLogVariances: ["intra:item": 0.5], rounds: 3, tokensTrained: 1_000)
}

/// A crash stops the writer where it is: nothing after the step runs.
private struct SimulatedCrash: Error {}

@Suite("Checkpoint safety", .serialized, .timeLimit(.minutes(2)))
struct CheckpointSafetyTests {
    let pipeline: PipelineConfig

    init() throws { pipeline = try syntheticPipeline() }

    func write(_ state: String, version: UInt64, crashAfter crash: ModelCheckpoint.Step? = nil) throws {
        let (model, parameters) = checkpointContent(pipeline, seed: version)
        try ModelCheckpoint.write(model: model, parameters: parameters, stateDirectory: state, pipeline: pipeline,
                                  info: info(version: version)) { step in
            if step == crash { throw SimulatedCrash() }
        }
    }

    /// A write that "crashes" after `step`.
    func crash(_ state: String, version: UInt64, after step: ModelCheckpoint.Step) {
        #expect(throws: SimulatedCrash.self) { try write(state, version: version, crashAfter: step) }
    }

    func path(_ state: String, _ suffix: String = "") -> String { state + "/model" + suffix }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// On-disk states a checkpoint can start from: none, `model/`, `model.old/` alone (a
    /// crash after the previous write moved `model/` aside), both (a crash before removing the old).
    enum Start: CaseIterable { case none, current, oldOnly, currentAndOld }

    func prepare(_ state: String, _ start: Start) throws {
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        switch start {
        case .none: break
        case .current: try write(state, version: 1)
        case .oldOnly:
            try write(state, version: 1)
            try FileManager.default.moveItem(atPath: path(state), toPath: path(state, ".old"))
        case .currentAndOld:
            try write(state, version: 1)
            try FileManager.default.copyItem(atPath: path(state), toPath: path(state, ".old"))
        }
    }

    @Test("a crash after any step of a replacement leaves a complete checkpoint that load finds, from every starting state")
    func crashAtEveryStep() throws {
        for start in Start.allCases {
            for step in ModelCheckpoint.Step.allCases {
                let dir = try TemporaryDirectory()
                let state = dir.sub("state")
                try prepare(state, start)
                crash(state, version: 2, after: step)
                let loaded = try ModelCheckpoint.load(stateDirectory: state, logger: quietLogger)
                let label = "start \(start), crash after \(step)"
                if start == .none {
                    #expect(loaded == nil || loaded?.info.publishedVersion == 2, "\(label)")
                } else {
                    let version = try #require(loaded?.info.publishedVersion, "\(label): the checkpoint is lost")
                    #expect(version == 1 || version == 2, "\(label)")
                }
                if step >= .newInPlace { #expect(loaded?.info.publishedVersion == 2, "\(label)") }
                // The next checkpoint completes and cleans up.
                try write(state, version: 3)
                #expect(try ModelCheckpoint.load(stateDirectory: state, logger: quietLogger)?.info.publishedVersion == 3, "\(label)")
                #expect(!exists(path(state, ".new")) && !exists(path(state, ".old")), "\(label)")
            }
        }
    }

    @Test("load ignores an incomplete model.new/ and a model/ without checkpoint.json")
    func incompleteDirectoriesAreIgnored() throws {
        let dir = try TemporaryDirectory()
        let state = dir.sub("state")
        try prepare(state, .oldOnly)
        crash(state, version: 2, after: .newWritten)
        try FileManager.default.removeItem(atPath: path(state, ".new") + "/" + CheckpointInfo.fileName)
        try FileManager.default.copyItem(atPath: path(state, ".new"), toPath: path(state))
        let loaded = try #require(try ModelCheckpoint.load(stateDirectory: state, logger: quietLogger))
        #expect(loaded.info.publishedVersion == 1 && loaded.directory == path(state, ".old"))
    }

    @Test("a corrupt checkpoint.json falls back to model.old/; without one, an error names the file")
    func corruptInfoFallsBack() throws {
        let dir = try TemporaryDirectory()
        let state = dir.sub("state")
        try prepare(state, .currentAndOld)
        crash(state, version: 2, after: .newInPlace)
        try Data("{\"formatVersion\": 1, ".utf8).write(to: URL(fileURLWithPath: path(state) + "/" + CheckpointInfo.fileName))
        let loaded = try #require(try ModelCheckpoint.load(stateDirectory: state, logger: quietLogger))
        #expect(loaded.info.publishedVersion == 1 && loaded.directory == path(state, ".old"))
        try FileManager.default.removeItem(atPath: path(state, ".old"))
        #expect {
            try ModelCheckpoint.load(stateDirectory: state, logger: quietLogger)
        } throws: { "\($0)".contains("model/checkpoint.json") }
        #expect { try CheckpointInfo.read(stateDirectory: state) } throws: { "\($0)".contains("model/checkpoint.json") }
    }

    @Test("a damaged table in model/ falls back to model.old/")
    func damagedTableFallsBack() throws {
        let dir = try TemporaryDirectory()
        let state = dir.sub("state")
        try prepare(state, .currentAndOld)
        crash(state, version: 2, after: .newInPlace)
        let emb = path(state) + "/\(pipeline.viewNames[0]).emb"
        try Data(try Data(contentsOf: URL(fileURLWithPath: emb)).dropLast(4)).write(to: URL(fileURLWithPath: emb))
        #expect(try ModelCheckpoint.load(stateDirectory: state, logger: quietLogger)?.info.publishedVersion == 1)
    }

    @Test("checkpoint.json is untrusted: versions, counters and offsets out of range are errors, never traps")
    func infoIsValidated() throws {
        let cases: [(String, (inout CheckpointInfo) -> Void)] = [
            ("published version UInt64.max", { $0.publishedVersion = .max }),
            ("published version 2^63", { $0.publishedVersion = 1 << 63 }),
            ("rounds", { $0.rounds = .max }),
            ("tokens", { $0.tokensTrained = .max }),
            ("negative offset", { $0.inputOffsets = ["events:0": -1] }),
            ("offset key without partition", { $0.inputOffsets = ["events": 5] }),
            ("negative partition", { $0.inputOffsets = ["events:-3": 5] }),
            ("format version", { $0.formatVersion = 7 }),
        ]
        for (label, change) in cases {
            var bad = info(version: 1)
            change(&bad)
            #expect(throws: CheckpointInfo.Invalid.self, "\(label)") { try bad.validate() }
            let dir = try TemporaryDirectory()
            let state = dir.sub("state")
            try prepare(state, .current)
            try JSONEncoder().encode(bad).write(to: URL(fileURLWithPath: path(state) + "/" + CheckpointInfo.fileName))
            #expect(throws: ModelCheckpoint.Error.self, "\(label)") { try ModelCheckpoint.load(stateDirectory: state, logger: quietLogger) }
        }
        try info(version: UInt64(Int64.max)).validate()
    }

    @Test("a published version beyond Int64 is refused by write (was a trap in Int(publishedVersion)); the old checkpoint stays")
    func hugeVersionIsRefused() throws {
        let dir = try TemporaryDirectory()
        let state = dir.sub("state")
        try prepare(state, .current)
        #expect(throws: CheckpointInfo.Invalid.self) { try write(state, version: 1 << 63) }
        #expect(try ModelCheckpoint.load(stateDirectory: state, logger: quietLogger)?.info.publishedVersion == 1)
    }

    @Test("retry schedule: the interval after a success, doubling after each consecutive failure up to the cap")
    func retrySchedule() {
        var schedule = CheckpointSchedule(interval: .seconds(10), maximumBackoff: .seconds(60))
        #expect(schedule.delay == .seconds(10))
        schedule.recordFailure()
        #expect(schedule.delay == .seconds(20) && schedule.consecutiveFailures == 1)
        schedule.recordFailure()
        #expect(schedule.delay == .seconds(40))
        for _ in 0..<100 { schedule.recordFailure() }
        #expect(schedule.delay == .seconds(60))
        schedule.recordSuccess()
        #expect(schedule.delay == .seconds(10) && schedule.consecutiveFailures == 0)
        // An interval longer than the cap is never shortened.
        var long = CheckpointSchedule(interval: .seconds(600), maximumBackoff: .seconds(60))
        long.recordFailure()
        #expect(long.delay == .seconds(600))
    }
}
