import Foundation
import Kafka
import Logging
import Model
import Store
@testable import Streaming
import Testing

/// Topics of a scale-out test on the embedded cluster: the pipeline's input, dead letters,
/// publication topics and the deployment's two one-partition topics.
func createScaleOutTopics(_ cluster: EmbeddedKafkaCluster, config: PipelineConfig, partitions: Int) throws {
    let stream = StreamTopics(config: config)
    let scaleOut = ScaleOutTopics(config: config, settings: ScaleOutSettings(instanceID: "x"))
    let publication = PublicationTopics(pipeline: config)
    try cluster.createTopic(stream.events, partitions: partitions)
    try cluster.createTopic(stream.deadLetters, partitions: 1)
    try cluster.createTopic(scaleOut.deltas, partitions: 1)
    try cluster.createTopic(scaleOut.coordination, partitions: 1)
    try cluster.createTopic(publication.embeddings, partitions: 2)
    try cluster.createTopic(publication.versions, partitions: 1)
}

/// Quiet, unless `M2GRL_TEST_LOG` names a level (e.g. `notice`) to follow the instances.
let scaleOutTestLogger: Logger = {
    guard let level = ProcessInfo.processInfo.environment["M2GRL_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) else { return quietLogger }
    var l = Logger(label: "m2grl.scale-out-test")
    l.logLevel = level
    return l
}()

/// A scale-out `serve` instance run in-process through the wiring factory.
final class InProcessInstance: Sendable {
    let id: String
    let state: String
    let runtime: ServeRuntime
    let task: Task<Void, any Error>

    init(id: String, config: PipelineConfig, cluster: EmbeddedKafkaCluster, state: String, training: ServeSetup.Training? = nil,
         logger: Logger = scaleOutTestLogger) async throws {
        self.id = id
        self.state = state
        var setup = ServeSetup(config: config, pipelineHash: "test", stateDirectory: state,
                               kafka: KafkaConfiguration(bootstrapServers: cluster.bootstrapServers, properties: fastGroupProperties))
        setup.maxBatch = 500
        setup.statusInterval = nil
        setup.training = training
        setup.ingest.walksPerTouchedNode = 1
        setup.scaleOut = ScaleOutSettings(instanceID: id)
        let runtime = try await ServeRuntime.make(setup, logger: logger)
        self.runtime = runtime
        task = Task { try await runtime.run() }
    }

    /// Events applied by this instance's replica.
    var applied: UInt64 { runtime.processor.status.counters["events.applied"] ?? 0 }

    /// Stops gracefully, waits, closes the state.
    func stop() async throws {
        await runtime.shutdown()
        try await withDeadline(60, "instance \(id) to stop") { [task] in try await task.value }
        runtime.close()
    }
}

/// Polls `condition` every 200 ms until it holds; throws `TimedOut` after `seconds`.
func waitUntilAsync(_ seconds: Double, _ what: String, _ condition: () async throws -> Bool) async throws {
    let end = ContinuousClock.now + .seconds(seconds)
    while try await !condition() {
        if ContinuousClock.now > end { throw TimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(200))
    }
}
