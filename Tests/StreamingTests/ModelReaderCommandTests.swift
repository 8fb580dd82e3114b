import Foundation
import Model
import ModelFiles
import Streaming
import Testing

/// Writes `model` as a complete checkpoint directory `<state>/<directory>/` (the model
/// tables plus `checkpoint.json`, what readers need; no context tables) reflecting `version`.
func writeCheckpointDirectory(_ model: TrainedModel, state: String, directory: String = CheckpointInfo.directoryName,
                              version: UInt64 = 1) throws {
    let url = URL(fileURLWithPath: state).appendingPathComponent(directory)
    try EmbeddingWriter().write(model, to: url, pipelineHash: "test", modelVersion: Int(version))
    let info = CheckpointInfo(publishedVersion: version, createdAt: "2026-01-01T00:00:00Z", inputOffsets: ["events:0": 10],
                              eventTimeWatermarkMs: 1_700_000_000_000, taskLogVariances: [:], rounds: 1, tokensTrained: 1)
    try JSONEncoder().encode(info).write(to: url.appendingPathComponent(CheckpointInfo.fileName))
}

/// `m2grl export` and the `--state` model source of `export` and `similar`, run as the CLI.
@Suite("Model reader commands", .serialized, .timeLimit(.minutes(3)))
struct ModelReaderCommandTests {
    /// Names with every character the `.nodes` escaping rewrites, and one that only looks escaped.
    static let names = ["plain", "tab\there", "line\nbreak", "cr\rhere", #"back\slash"#, #"looks\nescaped"#, "trailing\\"]

    static func model(names: [String] = names, dim: Int = 3) -> TrainedModel {
        let values = (0..<(names.count * dim)).map { Float($0) / 7 }
        let view = TrainedView(name: "item", nodeNames: names, embeddings: EmbeddingMatrix(rows: names.count, dim: dim, values: values))
        return TrainedModel(dim: dim, views: [view], alignments: [], tasks: TaskReport(), stats: TrainingStats())
    }

    /// The lines of a file split at `\n` only, without the empty piece after the last one.
    static func lines(_ path: String) throws -> [Substring] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    }

    @Test("export escapes node names in FILE.nodes and in the TSV: one line per row, names read back exactly")
    func exportEscapesNames() async throws {
        let dir = try TemporaryDirectory()
        let model = Self.model()
        try EmbeddingWriter().write(model, to: URL(fileURLWithPath: dir.sub("model")), pipelineHash: "test")

        let npy = try await m2grl(["export", "--embeddings", dir.sub("model"), "--view", "item", "--format", "npy", "--out", dir.sub("item.npy")])
        #expect(npy.status == 0, "\(npy.output)")
        let nodeLines = try Self.lines(dir.sub("item.npy.nodes"))
        try #require(nodeLines.count == Self.names.count)
        #expect(nodeLines.map { NodeNameEscaping.unescape($0) } == Self.names)
        #expect(nodeLines[0] == "plain" && nodeLines[1] == #"tab\there"#)

        let tsv = try await m2grl(["export", "--embeddings", dir.sub("model"), "--view", "item", "--format", "tsv", "--out", dir.sub("item.tsv")])
        #expect(tsv.status == 0, "\(tsv.output)")
        let rows = try Self.lines(dir.sub("item.tsv"))
        try #require(rows.count == Self.names.count)
        let view = model.views[0]
        for (row, line) in rows.enumerated() {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            #expect(columns.count == 2, "row \(row): \(line)")
            #expect(NodeNameEscaping.unescape(columns[0]) == Self.names[row])
            let values = columns.last.map { $0.split(separator: " ").compactMap { Float($0) } }
            #expect(values == Array(view.embeddings.values[(row * 3)..<((row + 1) * 3)]), "row \(row)")
        }
    }

    @Test("export --state reads model.old/ when a crash during a checkpoint replacement left no model/")
    func exportReadsPreviousCheckpoint() async throws {
        let dir = try TemporaryDirectory()
        let state = dir.sub("state")
        try writeCheckpointDirectory(Self.model(names: ["a", "b"]), state: state, directory: CheckpointInfo.directoryName + ".old")
        // An incomplete model.new/ (no checkpoint.json) is never read.
        try EmbeddingWriter().write(Self.model(names: ["new"]), to: URL(fileURLWithPath: state + "/model.new"), pipelineHash: "test")

        let run = try await m2grl(["export", "--state", state, "--view", "item", "--format", "npy", "--out", dir.sub("item.npy")])
        #expect(run.status == 0, "\(run.output)")
        #expect(try Self.lines(dir.sub("item.npy.nodes")) == ["a", "b"])
    }

    @Test("export --state passes over a model/ whose checkpoint.json is damaged; without a complete checkpoint it says so")
    func exportFallsBackAndReportsMissingCheckpoint() async throws {
        let dir = try TemporaryDirectory()
        let state = dir.sub("state")
        try writeCheckpointDirectory(Self.model(names: ["new"]), state: state, version: 2)
        try writeCheckpointDirectory(Self.model(names: ["old"]), state: state, directory: CheckpointInfo.directoryName + ".old")
        try Data("{".utf8).write(to: URL(fileURLWithPath: state + "/model/" + CheckpointInfo.fileName))

        let run = try await m2grl(["export", "--state", state, "--view", "item", "--format", "tsv", "--out", dir.sub("item.tsv")])
        #expect(run.status == 0, "\(run.output)")
        #expect(try Self.lines(dir.sub("item.tsv")).first?.hasPrefix("old\t") == true)

        try FileManager.default.removeItem(atPath: state + "/model.old")
        let unusable = try await m2grl(["export", "--state", state, "--view", "item", "--format", "tsv", "--out", dir.sub("item.tsv")])
        #expect(unusable.status == 1 && unusable.output.contains("model/checkpoint.json"), "\(unusable.output)")

        try FileManager.default.removeItem(atPath: state + "/model/" + CheckpointInfo.fileName)
        let none = try await m2grl(["export", "--state", state, "--view", "item", "--format", "tsv", "--out", dir.sub("item.tsv")])
        #expect(none.status == 1 && none.output.contains("no checkpoint yet"), "\(none.output)")
    }
}
