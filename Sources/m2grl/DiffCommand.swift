import ArgumentParser
import Foundation
import Logging
import Model
import ModelFiles
import Streaming

struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two embedding versions: rows added, removed and changed per view, how far vectors and neighbour lists moved, and whether an ANN index over them needs a rebuild.",
        discussion: """
            Two published versions (--brokers, --topic or --pipeline, --from V1 --to V2; read as `m2grl snapshot` reads them) or two model directories (--from-dir A --to-dir B, as written by `m2grl train --out`, `m2grl snapshot --out` or a state's model/ checkpoint).

            Per view: rows added, removed and changed (any bit of the vector); for nodes in both versions, the cosine of the old and the new vector (p1, p50: nearest-rank percentiles) and the overlap of their top-k cosine neighbour lists (mean and p10), each list computed exactly (brute force, BLAS) within its own version over all its rows, |N_old ∩ N_new| / k by node names. Views with more than 100,000 nodes in both versions use the lists of a seeded uniform sample of --sample nodes (the lists themselves stay exact). --nodes FILE restricts cosines and overlaps to the nodes named in it, one per line as in a .nodes file (e.g. a holdout of nodes that had no new events); counts of added, removed and changed rows always cover the whole view.

            The last line is a rule-of-thumb verdict for a consumer's ANN index: keep it (nothing changed), update it in place (at most 20% of a view's rows touched and mean top-k overlap at least 0.9) or rebuild it (docs/operations.md, "Comparing versions").

            Examples:
              m2grl diff --brokers localhost:9092 --topic movielens-100k.embeddings --from 3 --to 4
              m2grl diff --brokers localhost:9092 --pipeline pipelines/synthetic.yaml            (the newest version against the one before it)
              m2grl diff --from-dir out/run1 --to-dir out/run2 --view item --json

            Exit codes: 0 success, 1 a version or directory cannot be read or compared, 64 invalid arguments.
            """
    )

    @OptionGroup var publication: PublicationReadOptions

    @Option(name: .long, help: "Old version (default: the newest usable version older than --to).")
    var from: UInt64?

    @Option(name: .long, help: "New version (default: the newest usable version).")
    var to: UInt64?

    @Option(name: .long, help: "Old model directory (instead of Kafka).")
    var fromDir: String?

    @Option(name: .long, help: "New model directory.")
    var toDir: String?

    @Option(name: .long, help: "View to compare (repeatable; default: every view).")
    var view: [String] = []

    @Option(name: .long, help: "Neighbours per list.")
    var k: Int = 20

    @Option(name: .long, help: "File of node names, one per line, escaped as in a model directory's .nodes file: cosines and overlaps only for these nodes.")
    var nodes: String?

    @Option(name: .long, help: "Nodes whose neighbour lists are compared in views with more than 100,000 nodes in both versions.")
    var sample: Int = 10_000

    @OptionGroup var output: OutputFormatOptions

    @OptionGroup var global: GlobalOptions

    /// Neighbours per list and sampled queries.
    static let neighbourLimit = 1...1_000
    static let sampleLimit = 1...1_000_000

    var readsDirectories: Bool { fromDir != nil || toDir != nil }

    func validate() throws {
        if readsDirectories {
            guard fromDir != nil, toDir != nil else { throw ValidationError("--from-dir and --to-dir: give both") }
            if publication.kafka.brokers != nil || from != nil || to != nil || publication.topics.topic != nil {
                throw ValidationError("--from-dir/--to-dir compare model directories: leave out --brokers, --topic, --from and --to")
            }
        } else {
            guard publication.kafka.brokers != nil else { throw ValidationError("--brokers (with --from/--to) or --from-dir and --to-dir: say what to compare") }
            if !publication.topics.isGiven { throw PublicationTopicOptions.missing }
        }
        try requireRange(k, Self.neighbourLimit, option: "--k")
        try requireRange(sample, Self.sampleLimit, option: "--sample")
    }

    /// One side of the comparison.
    struct Side: Codable {
        var source: String
        var version: Int?
        var kind: String?
        var eventTimeWatermarkMs: Int64?
        var createdAt: String?
    }

    struct Output: Codable {
        var from: Side
        var to: Side
        var k: Int
        var nodesFile: String?
        var views: [ViewDiff]
        var alignments: [AlignmentDiff]
        var verdict: IndexVerdict
    }

    func run() async throws {
        let logger = try global.bootstrapLogging()
        var options = VersionDiff.Options()
        options.k = k
        options.sampledQueries = sample
        options.views = view.isEmpty ? nil : view
        options.nodes = try nodes.map(Self.readNodes)
        var sides = try readDirectories()
        if sides == nil { sides = try await readVersions(logger: logger) }
        guard let (old, new) = sides else { return }
        let diff: VersionDiff
        do { diff = try VersionDiff(old: old.model, new: new.model, options: options) } catch let error as VersionDiffError {
            if case .unknownView = error { throw ValidationError("--view: \(error)") }
            throw CommandFailure("cannot compare: \(error)")
        }
        let result = Output(from: old.side, to: new.side, k: k, nodesFile: nodes, views: diff.views,
                            alignments: diff.alignments, verdict: diff.verdict)
        if output.json {
            try OutputFormatOptions.printJSON(result)
        } else {
            print(DiffText.render(result))
        }
    }

    private func readDirectories() throws -> (old: (model: TrainedModel, side: Side), new: (model: TrainedModel, side: Side))? {
        guard let fromDir, let toDir else { return nil }
        func load(_ path: String, _ option: String) throws -> (model: TrainedModel, side: Side) {
            let directory = URL(fileURLWithPath: path)
            guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("manifest.json").path) else {
                throw ValidationError("\(option): '\(path)' is not a model directory (no manifest.json)")
            }
            do {
                let loaded = try EmbeddingReader().read(from: directory)
                return (loaded.model, Side(source: path, version: loaded.manifest.modelVersion, createdAt: loaded.manifest.createdAt))
            } catch {
                throw CommandFailure("cannot read the model in \(path): \(error)")
            }
        }
        return (try load(fromDir, "--from-dir"), try load(toDir, "--to-dir"))
    }

    private func readVersions(logger: Logger) async throws -> (old: (model: TrainedModel, side: Side), new: (model: TrainedModel, side: Side)) {
        let reader = try publication.reader(logger: logger)
        let topics = reader.topics
        let assembler: VersionAssembler
        do { assembler = try await reader.read() } catch { throw CommandFailure("cannot read \(topics.embeddings): \(error)") }
        let newer: AssembledVersion, older: AssembledVersion
        do {
            newer = try assembler.assemble(version: to)
            if let from {
                older = try assembler.assemble(version: from)
            } else {
                let candidates = assembler.completeVersions().reversed().filter { $0.version < newer.manifest.version }
                guard let found = candidates.lazy.compactMap({ try? assembler.assemble(version: $0.version) }).first else {
                    throw CommandFailure("no usable version older than \(newer.manifest.version) in \(topics.embeddings); give --from")
                }
                older = found
            }
        } catch let error as PublicationError {
            throw CommandFailure("\(error)")
        }
        func side(_ a: AssembledVersion) -> (model: TrainedModel, side: Side) {
            let m = a.manifest
            let created = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(m.createdAtMs) / 1000))
            return (a.model, Side(source: topics.embeddings, version: m.version <= UInt64(Int.max) ? Int(m.version) : nil,
                                  kind: m.kind.rawValue, eventTimeWatermarkMs: m.eventTimeWatermarkMs, createdAt: created))
        }
        return (side(older), side(newer))
    }

    /// The names in a `--nodes` file: one per line (`\n` after each), escaped as in a model
    /// directory's `.nodes` file (`NodeNameEscaping`), empty lines ignored.
    static func readNodes(_ path: String) throws -> Set<String> {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ValidationError("--nodes: cannot read '\(path)' as UTF-8 text (\(error.localizedDescription))")
        }
        var names = Set<String>()
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            guard let name = NodeNameEscaping.unescape(line) else {
                throw ValidationError("--nodes: line \(i + 1) of '\(path)' is not an escaped node name (a backslash must be followed by n, r, t or another backslash)")
            }
            names.insert(name)
        }
        return names
    }
}

/// The text form of `m2grl diff`.
enum DiffText {
    static func render(_ o: DiffCommand.Output) -> String {
        var lines = ["\(describe(o.from)) -> \(describe(o.to))" + (o.from.kind != nil ? " of \(o.from.source)" : "")]
        if let file = o.nodesFile { lines.append("cosines and overlaps only for the nodes listed in \(file)") }
        let header = ["view", "rows old -> new", "added", "removed", "changed", "compared", "cos p1", "cos p50",
                      "top-\(o.k) mean", "p10", "lists"]
        var rows = [header]
        for v in o.views {
            func number(_ x: Double?) -> String { x.map { String(format: "%.4f", $0) } ?? "-" }
            rows.append([v.view, "\(v.oldRows) -> \(v.newRows)", "\(v.added)", "\(v.removed)", "\(v.changed)", "\(v.compared)",
                         number(v.cosine?.p1), number(v.cosine?.p50), number(v.neighbours?.overlap?.mean),
                         number(v.neighbours?.overlap?.p10),
                         v.neighbours.map { "\($0.queries)\($0.sampled ? " sampled" : "")" } ?? "-"])
        }
        let widths = header.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        for row in rows {
            let cells = row.enumerated().map { c, text in
                let pad = String(repeating: " ", count: widths[c] - text.count)
                return c == 0 ? text + pad : pad + text
            }
            lines.append(cells.joined(separator: "  "))
        }
        if !o.alignments.isEmpty {
            let items = o.alignments.map { a in
                "\(a.sourceView)->\(a.targetView) \(a.status.rawValue)" + (a.relativeChange.map { String(format: " (relative change %.4f)", $0) } ?? "")
            }
            lines.append("alignments: " + items.joined(separator: ", "))
        }
        lines.append("verdict: \(o.verdict.summary)")
        return lines.joined(separator: "\n")
    }

    private static func describe(_ s: DiffCommand.Side) -> String {
        var parts: [String] = []
        if let kind = s.kind { parts.append(kind) }
        if let w = s.eventTimeWatermarkMs, w > 0 {
            parts.append("events up to " + ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(w) / 1000)))
        }
        if let c = s.createdAt { parts.append("created \(c)") }
        let version = s.version.map(String.init) ?? "?"
        let name = s.kind != nil ? "version \(version)" : "\(s.source) (version \(version))"
        return parts.isEmpty ? name : "\(name) [\(parts.joined(separator: ", "))]"
    }
}
