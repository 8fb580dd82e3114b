import Model
import Streaming
import Testing

@Suite("Pipeline fingerprint: what a published vector is")
struct PipelineFingerprintTests {
    @Test("input rows keep the text from before training.embedding existed; input plus context (the default) adds a line, so the two kinds never share a deployment")
    func embeddingLine() throws {
        var config = try syntheticPipeline()
        config.training.embedding = .input
        let input = PipelineFingerprint(config: config, ingest: IngestOptions())
        #expect(!input.text.contains("training.embedding"))
        config.training.embedding = .inputPlusContext
        let sum = PipelineFingerprint(config: config, ingest: IngestOptions())
        #expect(sum.text == input.text + "\ntraining.embedding=input_plus_context")
        #expect(sum.value != input.value)
        #expect(PipelineFingerprint(config: try syntheticPipeline(), ingest: IngestOptions()) == sum, "the default")
    }
}
