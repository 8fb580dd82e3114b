import ArgumentParser
import Foundation
import Streaming
import Report

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML page charting a state directory's history and embeddings.",
        discussion: """
            Reads <state>/history.jsonl (written by m2grl serve), the model checkpoint in <state>/model/ (model.old/ after a crash during a checkpoint) and the item attributes in the state's RocksDB (read-only, also while m2grl serve runs), and draws: a summary (including checkpoint failures), loss and learned weight per task over time, HitRate@20 by version, a histogram of version freshness, ingest rate and lag, nodes per view, and a PCA projection of the item embeddings coloured by the first attribute view. The page uses inline SVG only: no scripts, no network.

            Examples:
              m2grl report --state state/ --out report.html
              m2grl report --state state/ --out report.html --pipeline pipelines/synthetic.yaml
              m2grl report --state state/ --model models/run1 --out report.html
            """
    )

    @Option(name: .long, help: "State directory of m2grl serve.")
    var state: String

    @Option(name: .long, help: "HTML file to write.")
    var out: String

    @OptionGroup var pipelineOptions: PipelineOptions

    @Option(name: .long, help: "Attribute view colouring the projection (default: the pipeline's first attribute view, else the state's).")
    var colorBy: String?

    @Option(name: .long, help: "Model directory to project (default: the state's model checkpoint).")
    var model: String?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let logger = try global.bootstrapLogging()
        let (config, _) = try pipelineOptions.load(required: false)
        let view = colorBy ?? config?.views.first?.name
        let title = "m2grl report" + (config.map { ": \($0.name)" } ?? "")
        let input = try ReportInput.load(stateDirectory: state, modelDirectory: model, categoryView: view, title: title)
        for note in input.notes { logger.notice("\(note)") }
        let html = ReportBuilder().build(input)
        try Data(html.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        FileHandle.standardOutput.write(Data("wrote \(out) (\(html.utf8.count) bytes, \(input.records.count) history records)\n".utf8))
    }
}
