import ArgumentParser
import Foundation
import Kafka
import Logging
import Model
import ModelFiles
import Streaming

struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Rebuild a published embedding version from Kafka and write it as a model directory.",
        discussion: """
            Reads the versions topic and the embeddings topic from the beginning up to their current end as a plain consumer (no consumer group offsets are committed), takes the newest version it can rebuild (or --version), and writes it in the layout of `m2grl train --out` (manifest.json's modelVersion is the version), so `m2grl eval` reads it. A version is complete when its manifest is in the versions topic and its records match the manifest's counts and checksum; it is usable when its records then rebuild every row (docs/formats.md). Manifests that fail validation and records that cannot be trusted are skipped with a warning; newer versions that cannot be rebuilt are passed over, each with its reason; with --version V, a V that cannot be rebuilt is an error naming the newest version that can.

            Examples:
              m2grl snapshot --brokers localhost:9092 --topic synthetic.embeddings --out out/latest
              m2grl snapshot --brokers localhost:9092 --pipeline pipelines/synthetic.yaml --out out/v12 --version 12
            """
    )

    @OptionGroup var publication: PublicationReadOptions

    @Option(name: .long, help: "Directory to write the model to (created if missing).")
    var out: String

    @Option(name: .long, help: "Version to rebuild (default: the newest one that can be rebuilt).")
    var version: UInt64?

    @Flag(name: .long, help: "Also write the human-readable <view>.tsv files.")
    var tsv = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if !publication.topics.isGiven { throw PublicationTopicOptions.missing }
    }

    func run() async throws {
        let logger = try global.bootstrapLogging()
        let assembler = try await publication.reader(logger: logger).read()
        let assembled = try assembler.assemble(version: version)
        let m = assembled.manifest
        for skipped in assembled.skippedVersions {
            logger.warning("passing over \(skipped); taking an older version")
        }
        if assembled.skippedRecordCount > 0 {
            let examples = assembled.skippedRecordExamples.joined(separator: "; ")
            logger.warning("version \(m.version): \(assembled.skippedRecordCount) untrusted records of older versions of its chain skipped (\(examples))")
        }
        guard m.version <= UInt64(Int.max) else { throw ValidationError("version \(m.version) does not fit manifest.json") }
        try EmbeddingWriter(includeTSV: tsv).write(
            assembled.model, to: URL(fileURLWithPath: out), pipelineHash: m.pipelineHash.isEmpty ? "none" : m.pipelineHash,
            modelVersion: Int(m.version), createdAt: Date(timeIntervalSince1970: Double(m.createdAtMs) / 1000))
        let views = assembled.model.views.map { "\($0.name) \($0.embeddings.rows)" }.joined(separator: ", ")
        let chain = m.kind == .snapshot ? "snapshot" : "delta on snapshot \(m.baseSnapshotVersion)"
        print("version \(m.version) (\(chain), attempt \(String(m.attempt, radix: 16))): \(views) rows, dim \(m.dim), \(assembled.model.alignments.count) alignments -> \(out)")
    }
}
