import Foundation
import Testing
@testable import Model

@Suite struct OutputRoundTripTests {
    static func scratchDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("m2grl-output-\(UUID().uuidString)")
    }

    static func sampleModel() -> TrainedModel {
        let item = EmbeddingMatrix(rows: 3, dim: 2, values: [0.5, -1.25, 3e-8, .greatestFiniteMagnitude, -0.0, 1])
        let category = EmbeddingMatrix(rows: 2, dim: 2, values: [1, 2, 3, 4])
        let w = EmbeddingMatrix(rows: 2, dim: 2, values: [1, 0.125, -0.5, 1])
        let tasks = TaskReport(
            tasks: [TaskSummary(name: "intra:item", kind: .intra, logVariance: 0.75, weight: 0.236,
                                meanLoss: 2.5, recentLoss: 2.1, examples: 1234),
                    TaskSummary(name: "align:item->category", kind: .align, logVariance: -0.25, weight: 0.642,
                                meanLoss: 1.5, recentLoss: 1.25, examples: 99)],
            history: [TaskWeightSnapshot(progress: 0, weights: ["intra:item": 0.5, "align:item->category": 0.5]),
                      TaskWeightSnapshot(progress: 1, weights: ["intra:item": 0.236, "align:item->category": 0.642])])
        return TrainedModel(
            dim: 2,
            views: [TrainedView(name: "item", nodeNames: ["sku 1", "sku-2", "ü3"], embeddings: item),
                    TrainedView(name: "category", nodeNames: ["", "books"], embeddings: category)],
            alignments: [TrainedAlignment(sourceView: "item", targetView: "category", activation: .sigmoid, matrix: w)],
            tasks: tasks,
            stats: TrainingStats(tokens: 1000, alignmentPairs: 99, seconds: 0.5, tokensPerSecond: 2000, threads: 2, epochs: 5))
    }

    @Test func writerAndReaderRoundTrip() throws {
        let dir = Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = Self.sampleModel()
        let written = try EmbeddingWriter(includeTSV: true).write(
            model, to: dir, pipelineHash: "abc123", modelVersion: 7, createdAt: Date(timeIntervalSince1970: 0))
        #expect(written.createdAt == "1970-01-01T00:00:00Z")
        let loaded = try EmbeddingReader().read(from: dir)
        #expect(loaded.model == model)
        #expect(loaded.manifest == written)
        #expect(loaded.manifest.pipelineHash == "abc123" && loaded.manifest.modelVersion == 7)
        #expect(loaded.manifest.views.map(\.rows) == [3, 2])
        let files = try Set(FileManager.default.contentsOfDirectory(atPath: dir.path))
        #expect(files == ["item.emb", "item.nodes", "item.tsv", "category.emb", "category.nodes", "category.tsv",
                          "align-item-category.emb", "task-weights.json", "manifest.json"])
        let tsv = try String(contentsOf: dir.appendingPathComponent("category.tsv"), encoding: .utf8)
        #expect(tsv == "\t1.0 2.0\nbooks\t3.0 4.0\n")
    }

    @Test func binaryLayoutIsLittleEndianWithHeader() throws {
        let data = try EmbeddingFileFormat.encode(EmbeddingMatrix(rows: 1, dim: 2, values: [1, -2]))
        #expect(Array(data) == [0x4D, 0x32, 0x47, 0x45,  // "M2GE"
                                1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0,  // version 1, rows 1, dim 2
                                0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0])  // 1.0, -2.0
    }

    @Test func damagedFilesAreRejectedWithClearErrors() throws {
        let good = try EmbeddingFileFormat.encode(EmbeddingMatrix(rows: 2, dim: 2, values: [1, 2, 3, 4]))
        var badMagic = good
        badMagic[0] = 0x58
        #expect(throws: EmbeddingFileError.badMagic(file: "x.emb")) {
            try EmbeddingFileFormat.decode(badMagic, name: "x.emb")
        }
        #expect(throws: EmbeddingFileError.truncated(file: "x.emb", expectedBytes: 32, actualBytes: 31)) {
            try EmbeddingFileFormat.decode(good.dropLast(), name: "x.emb")
        }
        var badVersion = good
        badVersion[4] = 9
        #expect(throws: EmbeddingFileError.unsupportedVersion(file: "x.emb", version: 9)) {
            try EmbeddingFileFormat.decode(badVersion, name: "x.emb")
        }
    }

    @Test func unwritableNamesAreRejected() {
        let dir = Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var model = Self.sampleModel()
        model.views[0].nodeNames[1] = "two\nlines"
        #expect(throws: EmbeddingFileError.invalidNodeName(view: "item", row: 1)) {
            try EmbeddingWriter().write(model, to: dir, pipelineHash: "h")
        }
        model = Self.sampleModel()
        model.views[1].name = "../escape"
        #expect(throws: EmbeddingFileError.invalidViewName("../escape")) {
            try EmbeddingWriter().write(model, to: dir, pipelineHash: "h")
        }
    }
}
