import ArgumentParser
import Streaming

/// `serve` as one instance of a scale-out deployment (docs/scale-out.md).
struct ScaleOutOptions: ParsableArguments {
    @Option(name: .long, help: "Run as this instance of a scale-out deployment (1 to 64 of A-Z a-z 0-9 . _ -): several serve instances, each with its own --state, share the pipeline through Kafka (docs/scale-out.md). Without it, serve is a single instance.")
    var instanceId: String?

    @Option(name: .long, help: "The graph-deltas log of the deployment (default: <events topic>.graph-deltas; one partition).")
    var deltasTopic: String?

    @Option(name: .long, help: "The coordination topic of the deployment (default: <events topic>.coordination; one partition).")
    var coordinationTopic: String?

    @Option(name: .long, help: "Records of one input partition cut ahead of this instance's replica, at most.")
    var deltasInFlight: Int = 4

    func validate() throws {
        if let instanceId, let problem = ScaleOutSettings.instanceIDProblem(instanceId) {
            throw ValidationError("--instance-id: \(problem)")
        }
        if instanceId == nil && (deltasTopic != nil || coordinationTopic != nil) {
            throw ValidationError("--deltas-topic/--coordination-topic: only with --instance-id")
        }
        try requireRange(deltasInFlight, 1...64, option: "--deltas-in-flight")
    }

    /// The scale-out settings (nil: a single instance).
    func settings() -> ScaleOutSettings? {
        guard let instanceId else { return nil }
        var s = ScaleOutSettings(instanceID: instanceId)
        s.deltasTopic = deltasTopic
        s.coordinationTopic = coordinationTopic
        s.inFlightPerPartition = deltasInFlight
        return s
    }
}
