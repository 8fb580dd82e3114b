import Foundation
import Testing
@testable import Model
import ModelFiles

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
        model.views[1].name = "../escape"
        #expect(throws: EmbeddingFileError.invalidViewName("../escape")) {
            try EmbeddingWriter().write(model, to: dir, pipelineHash: "h")
        }
    }

    @Test("node names with line breaks, tabs and backslashes are escaped in .nodes and .tsv and read back exactly")
    func controlCharactersInNodeNamesRoundTrip() throws {
        let dir = Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var model = Self.sampleModel()
        model.views[0].nodeNames = ["two\nlines", "tab\there\r", "back\\slash \\n"]
        try EmbeddingWriter(includeTSV: true).write(model, to: dir, pipelineHash: "h")
        let nodes = try String(contentsOf: dir.appendingPathComponent("item.nodes"), encoding: .utf8)
        #expect(nodes == "two\\nlines\ntab\\there\\r\nback\\\\slash \\\\n\n")
        let tsv = try String(contentsOf: dir.appendingPathComponent("item.tsv"), encoding: .utf8)
        #expect(tsv.split(separator: "\n").map { $0.split(separator: "\t")[0] } == ["two\\nlines", "tab\\there\\r", "back\\\\slash \\\\n"])
        #expect(try EmbeddingReader().read(from: dir).model == model)
    }

    @Test("a layout-1 directory (unescaped .nodes) still reads, backslashes verbatim")
    func layoutOneNodesAreReadVerbatim() throws {
        let dir = Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var model = Self.sampleModel()
        model.views[0].nodeNames = ["a\\nb", "c\\d", "plain"]
        try EmbeddingWriter().write(model, to: dir, pipelineHash: "h")
        // What a layout-1 writer left: names verbatim, formatVersion 1.
        try Data("a\\nb\nc\\d\nplain\n".utf8).write(to: dir.appendingPathComponent("item.nodes"))
        let manifestURL = dir.appendingPathComponent("manifest.json")
        var manifest = try JSONDecoder().decode(ModelManifest.self, from: Data(contentsOf: manifestURL))
        manifest.formatVersion = 1
        try JSONEncoder().encode(manifest).write(to: manifestURL)
        #expect(try EmbeddingReader().read(from: dir).model.views[0].nodeNames == ["a\\nb", "c\\d", "plain"])
    }

    @Test(".nodes escapes: a bad escape or a non-UTF-8 file is an error naming the file and line")
    func damagedNodesFiles() throws {
        let dir = Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try EmbeddingWriter().write(Self.sampleModel(), to: dir, pipelineHash: "h")
        let nodes = dir.appendingPathComponent("item.nodes")
        try Data("sku 1\nsku\\x2\nü3\n".utf8).write(to: nodes)
        #expect { try EmbeddingReader().read(from: dir) } throws: { "\($0)".contains("item.nodes") && "\($0)".contains("line 2") }
        try Data(Array("sku 1\nsku-2\nu3\\".utf8) + [0x0A]).write(to: nodes)
        #expect { try EmbeddingReader().read(from: dir) } throws: { "\($0)".contains("item.nodes") && "\($0)".contains("line 3") }
        try Data([0x61, 0x0A, 0xFF, 0xFE, 0x0A, 0x62, 0x0A]).write(to: nodes)
        #expect { try EmbeddingReader().read(from: dir) } throws: { "\($0)".contains("item.nodes") }
        try Data("sku 1\nsku-2\n".utf8).write(to: nodes)
        #expect(throws: EmbeddingFileError.nodeCountMismatch(view: "item", nodes: 2, rows: 3)) { try EmbeddingReader().read(from: dir) }
    }

    @Test("a header whose rows x dim overflows is rejected before any allocation (was an overflow trap)")
    func overflowingShapeIsRejected() {
        let header: [UInt8] = Array("M2GE".utf8) + [1, 0, 0, 0] + [0xFF, 0xFF, 0xFF, 0xFF] + [0xFF, 0xFF, 0xFF, 0xFF]
        #expect(throws: EmbeddingFileError.invalidShape(file: "x.emb", rows: Int(UInt32.max), dim: Int(UInt32.max))) {
            try EmbeddingFileFormat.decode(Data(header), name: "x.emb")
        }
        let big: [UInt8] = Array("M2GE".utf8) + [1, 0, 0, 0] + [0, 0, 0, 0x40] + [0, 0, 0, 0x40]
        #expect(throws: EmbeddingFileError.self) { try EmbeddingFileFormat.decode(Data(big), name: "x.emb") }
    }

    /// Rewrites `manifest.json` of `dir` through `change`.
    static func editManifest(_ dir: URL, _ change: (inout ModelManifest) -> Void) throws {
        let url = dir.appendingPathComponent("manifest.json")
        var manifest = try JSONDecoder().decode(ModelManifest.self, from: Data(contentsOf: url))
        change(&manifest)
        try JSONEncoder().encode(manifest).write(to: url)
    }

    @Test("a manifest that disagrees with its files, or names files outside the directory, is an error")
    func untrustedManifest() throws {
        let dir = Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try EmbeddingWriter().write(Self.sampleModel(), to: dir, pipelineHash: "h")
        let cases: [(String, (inout ModelManifest) -> Void)] = [
            ("dim", { $0.dim = 3 }),
            ("view dim", { $0.views[0].dim = 5 }),
            ("view rows", { $0.views[0].rows = 4 }),
            ("embeddings path", { $0.views[0].embeddings = "../item.emb" }),
            ("nodes path", { $0.views[1].nodes = "/etc/hostname" }),
            ("alignment path", { $0.alignments[0].file = "sub/align.emb" }),
            ("task weights path", { $0.taskWeights = ".." }),
            ("format version", { $0.formatVersion = 99 }),
        ]
        for (label, change) in cases {
            try EmbeddingWriter().write(Self.sampleModel(), to: dir, pipelineHash: "h")
            try Self.editManifest(dir, change)
            #expect(throws: EmbeddingFileError.self, "\(label)") { try EmbeddingReader().read(from: dir) }
        }
        // An alignment matrix of another shape than dim x dim.
        try EmbeddingWriter().write(Self.sampleModel(), to: dir, pipelineHash: "h")
        try EmbeddingFileFormat.encode(EmbeddingMatrix(rows: 3, dim: 2, values: [1, 2, 3, 4, 5, 6]))
            .write(to: dir.appendingPathComponent("align-item-category.emb"))
        #expect(throws: EmbeddingFileError.self) { try EmbeddingReader().read(from: dir) }
        // A manifest that is not JSON names the file.
        try Data("{".utf8).write(to: dir.appendingPathComponent("manifest.json"))
        #expect { try EmbeddingReader().read(from: dir) } throws: { "\($0)".contains("manifest.json") }
    }
}
