import Foundation
import Logging
@testable import Kafka

/// Quiet loggers for tests: librdkafka warns on every broker disconnect the fault tests cause.
let testLogger: Logger = {
    var l = Logger(label: "m2grl.test")
    l.logLevel = .error
    return l
}()

func uniqueName(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8))" }

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
func string(_ b: [UInt8]?) -> String { b.map { String(decoding: $0, as: UTF8.self) } ?? "<nil>" }

/// Polls until `predicate` holds for everything received so far, or `deadline` passes.
func consume(
    _ consumer: KafkaConsumer, until deadline: Duration = .seconds(90),
    stopWhen predicate: ([KafkaMessage]) -> Bool
) async throws -> [KafkaMessage] {
    var got: [KafkaMessage] = []
    let end = ContinuousClock.now + deadline
    while ContinuousClock.now < end && !predicate(got) {
        let batch = try await consumer.poll(maxMessages: 500, timeout: .milliseconds(100))
        got.append(contentsOf: batch.messages)
    }
    return got
}

func makeConsumer(_ cluster: EmbeddedKafkaCluster, group: String, rebalance: RebalanceHandler = RebalanceHandler(),
                  extra: [String: String] = [:]) throws -> KafkaConsumer {
    try KafkaConsumer(
        configuration: .consumer(bootstrapServers: cluster.bootstrapServers, groupID: group,
                                 properties: ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500",
                                              "topic.metadata.refresh.interval.ms": "1000"].merging(extra) { $1 }),
        rebalance: rebalance, logger: testLogger)
}

func makeProducer(_ cluster: EmbeddedKafkaCluster, extra: [String: String] = [:]) throws -> KafkaProducer {
    try KafkaProducer(configuration: .producer(bootstrapServers: cluster.bootstrapServers, properties: extra),
                      logger: testLogger)
}
