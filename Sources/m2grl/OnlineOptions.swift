import ArgumentParser
import Model
import Streaming

/// The flags `serve` and `replay` share: how the ingester draws walks and how the online
/// runtime trains. Defaults that differ between the two (training threads, final epochs)
/// are resolved by each command.
struct OnlineOptions: ParsableArguments {
    @Option(name: .long, help: "Fresh walks generated from each node whose out-edges changed.")
    var walksPerNode: Int = 2

    @Option(name: .long, help: "Walks kept per view; the oldest are evicted.")
    var walkRing: Int = 200_000

    @Flag(name: .long, help: "Graphs and walks only: no training, no publication.")
    var noTrain = false

    @Option(name: .long, help: "Training threads (serve default: the pipeline's training.threads; replay default: 1, reproducible embeddings for a fixed seed).")
    var trainThreads: Int?

    @Option(name: .long, help: "Epochs over fresh walks of the final graphs at the end, drawn as offline (serve: at shutdown, default the pipeline's online.final_epochs with --stop-at-end, else 0; replay: default the pipeline's training.epochs).")
    var finalEpochs: Int?

    func validate() throws {
        try CommandLineLimits.checkIngestOptions(walksPerNode: walksPerNode, walkRing: walkRing, trainThreads: trainThreads,
                                                 finalEpochs: finalEpochs)
    }

    /// Ingest options with these walks.
    func ingestOptions() -> IngestOptions {
        var options = IngestOptions()
        options.walksPerTouchedNode = walksPerNode
        options.walkRingCapacity = walkRing
        return options
    }
}
