import Foundation
import Model
import ModelFiles
import Streaming
import Testing

/// `m2grl diff`, run as the CLI, on published versions and on model directories.
@Suite("Diff command", .serialized, .timeLimit(.minutes(3)))
struct DiffCommandTests {
    struct Output: Decodable {
        struct Side: Decodable {
            var version: Int?
            var kind: String?
        }
        var from: Side
        var to: Side
        var views: [ViewDiff]
        var alignments: [AlignmentDiff]
        var verdict: IndexVerdict
    }

    func decode(_ text: String) throws -> Output {
        try JSONDecoder().decode(Output.self, from: Data(text.utf8))
    }

    @Test("two published versions: rows added and changed per view as published; --from defaults to the version before --to")
    func publishedVersions() async throws {
        try await withDeadline(120, "publish and diff") {
            let setup = try PublishKafkaTests.Setup(partitions: 2)
            var fixture = PublishFixture(seed: 61, items: 30, categories: 4)
            let publisher = try setup.publisher(attempt: 1)
            _ = try await publisher.publish(fixture.snapshot(1))
            let touched = fixture.step(changed: 3, added: 2)
            _ = try await publisher.publish(fixture.delta(2, base: 1, touched: touched))

            let common = ["diff", "--brokers", setup.cluster.bootstrapServers, "--topic", setup.topics.embeddings,
                          "--timeout", "30", "--json", "--log-level", "error"]
            let explicit = try await m2grl(common + ["--from", "1", "--to", "2"])
            #expect(explicit.status == 0, "\(explicit.output)")
            let out = try decode(explicit.output)
            #expect(out.from.version == 1 && out.from.kind == "snapshot" && out.to.version == 2 && out.to.kind == "delta")
            for view in out.views {
                let ids = try #require(touched[view.view])
                let oldRows = view.view == "item" ? 30 : 4
                #expect(view.oldRows == oldRows && view.newRows == oldRows + 2)
                #expect(view.added == 2 && view.removed == 0, "\(view.view)")
                #expect(view.changed == ids.filter { $0 < oldRows }.count, "\(view.view)")
                #expect(view.compared == oldRows && view.neighbours?.k == 20)
            }
            #expect(out.alignments.map(\.status) == [.changed], "the fixture redraws the alignment every step")

            let defaults = try await m2grl(common)
            #expect(defaults.status == 0, "\(defaults.output)")
            let implicit = try decode(defaults.output)
            #expect(implicit.from.version == 1 && implicit.to.version == 2 && implicit.views == out.views)

            let missing = try await m2grl(common + ["--from", "1", "--to", "7"])
            #expect(missing.status == 1 && missing.output.contains("7"), "\(missing.output)")
        }
    }

    @Test("two model directories: text with a verdict, JSON with the counts; invalid arguments exit 64, unreadable input 1")
    func modelDirectories() async throws {
        let dir = try TemporaryDirectory()
        func write(_ names: [String], _ values: [Float], dim: Int = 2, to path: String) throws {
            let view = TrainedView(name: "item", nodeNames: names, embeddings: EmbeddingMatrix(rows: names.count, dim: dim, values: values))
            try EmbeddingWriter().write(TrainedModel(dim: dim, views: [view], alignments: []), to: URL(fileURLWithPath: dir.sub(path)),
                                        pipelineHash: "test")
        }
        // The fixture of VersionDiffTests: d removed, e added, b and c changed.
        try write(["a", "b", "c", "d"], [1, 0, 0, 1, 1, 1, -1, 0], to: "old")
        try write(["b", "a", "c", "e"], [0, 2, 1, 0, 1, 0, 0, -1], to: "new")
        try write(["a"], [1, 0, 0], dim: 3, to: "wide")
        let both = ["diff", "--from-dir", dir.sub("old"), "--to-dir", dir.sub("new"), "--log-level", "error"]

        let text = try await m2grl(both)
        #expect(text.status == 0, "\(text.output)")
        #expect(text.output.contains("verdict: rebuild the index (item: 4 of 4 rows touched (1 added, 1 removed, 2 changed)"), "\(text.output)")
        let line = try #require(text.output.split(separator: "\n").first { $0.hasPrefix("item") })
        #expect(line.split(separator: " ").map(String.init) == ["item", "4", "->", "4", "1", "1", "2", "3", "0.7071", "1.0000", "0.6667", "0.6667", "3"])

        let json = try await m2grl(both + ["--json", "--k", "1"])
        #expect(json.status == 0, "\(json.output)")
        let item = try #require(try decode(json.output).views.first)
        #expect(item.added == 1 && item.removed == 1 && item.changed == 2 && item.neighbours?.k == 1)

        try "c\nd\n\n".write(toFile: dir.sub("nodes.txt"), atomically: true, encoding: .utf8)
        let restricted = try await m2grl(both + ["--json", "--nodes", dir.sub("nodes.txt")])
        #expect(try decode(restricted.output).views.first?.compared == 1, "\(restricted.output)")

        try #"bad\q"#.write(toFile: dir.sub("bad.txt"), atomically: true, encoding: .utf8)
        for (arguments, status) in [
            (["diff", "--from-dir", dir.sub("old")], Int32(64)),
            (both + ["--k", "0"], 64),
            (both + ["--view", "shop"], 64),
            (both + ["--nodes", dir.sub("bad.txt")], 64),
            (both + ["--brokers", "127.0.0.1:1"], 64),
            (["diff", "--from-dir", dir.sub("old"), "--to-dir", dir.sub("nowhere")], 64),
            (["diff", "--from-dir", dir.sub("old"), "--to-dir", dir.sub("wide")], 1),
        ] {
            let result = try await m2grl(arguments)
            #expect(result.status == status, "\(arguments.dropFirst(3).joined(separator: " ")): \(result.output)")
        }
    }
}
