import ArgumentParser
import Foundation
import Model

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write one view's embeddings as TSV text or a NumPy .npy file.",
        discussion: """
            tsv: one line per node, `node_id<TAB>v1 v2 ... vd` (floats printed so they read back exactly).
            npy: a NumPy .npy (format 1.0) file of float32 ('<f4'), shape (rows, dim), C order, for numpy.load; the node ids go alongside in FILE.nodes, one per line, line i naming row i.
            Node ids are escaped as in a model directory's .nodes file (docs/formats.md): a backslash is written \\\\, a line feed \\n, a carriage return \\r, a tab \\t; ids without these characters are written as they are.

            Examples:
              m2grl export --state state/ --view item --format npy --out item.npy
              m2grl export --embeddings out/full --view category --format tsv --out category.tsv

            In Python: np.load("item.npy") and open("item.npy.nodes", encoding="utf-8").read().split("\\n")[:-1] (then unescape, docs/operations.md).

            Exit codes: 0 success, 1 the model cannot be read or the file cannot be written, 64 invalid arguments.
            """
    )

    @OptionGroup var source: ModelSourceOptions

    @Option(name: .long, help: "View to export (item, category, ...).")
    var view: String

    @Option(name: .long, help: "tsv or npy.")
    var format: String

    @Option(name: .long, help: "Output file (npy also writes FILE.nodes).")
    var out: String

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if !["tsv", "npy"].contains(format) { throw ValidationError("--format: 'tsv' or 'npy', got '\(format)'") }
    }

    func run() async throws {
        _ = try global.bootstrapLogging()
        let loaded = try source.load()
        let trained = try loaded.model.requireView(view)
        let url = URL(fileURLWithPath: out)
        var isDirectory: ObjCBool = false
        let parent = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--out: directory '\(parent)' does not exist; create it first")
        }
        do {
            switch format {
            case "npy":
                try NpyWriter.write(trained.embeddings, to: url)
                let nodes = trained.nodeNames.map { NodeNameEscaping.escape($0) + "\n" }.joined()
                try Data(nodes.utf8).write(to: URL(fileURLWithPath: out + ".nodes"), options: .atomic)
                print("wrote \(out) (\(trained.embeddings.rows) x \(trained.embeddings.dim) float32) and \(out).nodes")
            default:
                try writeTSV(trained, to: url)
                print("wrote \(out) (\(trained.embeddings.rows) rows, \(trained.embeddings.dim) dimensions)")
            }
        } catch {
            throw CommandFailure("cannot write \(out): \(error)")
        }
    }

    /// Streams the rows to a temporary file in chunks, then moves it into place. Names are
    /// escaped as in a model directory's `.tsv` (`NodeNameEscaping`), so a tab or line break
    /// in a name cannot split its line.
    private func writeTSV(_ view: TrainedView, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw CommandFailure("cannot create \(temporary.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            let dim = view.embeddings.dim
            var chunk = ""
            for (row, name) in view.nodeNames.enumerated() {
                chunk += NodeNameEscaping.escape(name)
                chunk += "\t"
                chunk += view.embeddings.values[(row * dim)..<((row + 1) * dim)].map { "\($0)" }.joined(separator: " ")
                chunk += "\n"
                if chunk.utf8.count > 1 << 20 {
                    try handle.write(contentsOf: Data(chunk.utf8))
                    chunk = ""
                }
            }
            try handle.write(contentsOf: Data(chunk.utf8))
            try handle.close()
            if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
            try FileManager.default.moveItem(at: temporary, to: url)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}
