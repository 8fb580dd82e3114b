import CRdKafka
import Logging

/// What a topic should look like.
public struct TopicSpec: Sendable, Equatable {
    public var name: String
    public var partitions: Int
    public var replicationFactor: Int
    /// Topic-level configs, e.g. `cleanup.policy=compact`, `retention.ms=...`.
    public var configs: [String: String]

    public init(name: String, partitions: Int, replicationFactor: Int = 1, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}

/// Creates topics on a real cluster through the Admin API (CreateTopics).
/// The embedded mock cluster does not answer CreateTopics: use
/// `EmbeddedKafkaCluster.createTopic` there, or `TopicCreator`, which picks the right one.
public final class KafkaAdmin: Sendable {
    private let client: RdKafkaClient

    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "m2grl.kafka.admin")) throws(KafkaError) {
        client = try RdKafkaClient(kind: .producer, configuration: configuration, callbacks: RdKafkaCallbacks(logger: logger))
    }

    /// Creates each topic; a topic that already exists is left as it is (not an error).
    public func createTopics(_ specs: [TopicSpec], timeout: Duration = .seconds(30)) async throws(KafkaError) {
        guard !specs.isEmpty else { return }
        let client = self.client
        let ms = timeout.rdKafkaMilliseconds
        let result: Result<Void, KafkaError> = await BlockingExecutor.run {
            Self.createBlocking(handle: client.handle, specs: specs, timeoutMs: ms)
        }
        try result.get()
    }

    private static func createBlocking(handle: OpaquePointer, specs: [TopicSpec], timeoutMs: Int32) -> Result<Void, KafkaError> {
        var errbuf = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { for t in newTopics { rd_kafka_NewTopic_destroy(t) } }
        for spec in specs {
            guard let t = rd_kafka_NewTopic_new(spec.name, Int32(spec.partitions), Int32(spec.replicationFactor), &errbuf, errbuf.count) else {
                return .failure(KafkaError(code: .invalidConfiguration, message: "topic \(spec.name): \(String(errorBuffer: errbuf))"))
            }
            newTopics.append(t)
            for (k, v) in spec.configs.sorted(by: { $0.key < $1.key }) {
                let e = rd_kafka_NewTopic_set_config(t, k, v)
                if e != RD_KAFKA_RESP_ERR_NO_ERROR { return .failure(KafkaError(e, context: "topic \(spec.name) config \(k)")) }
            }
        }
        guard let queue = rd_kafka_queue_new(handle) else {
            return .failure(KafkaError(code: .invalidConfiguration, message: "rd_kafka_queue_new failed"))
        }
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMs, &errbuf, errbuf.count)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMs, &errbuf, errbuf.count)
        newTopics.withUnsafeMutableBufferPointer {
            rd_kafka_CreateTopics(handle, $0.baseAddress, $0.count, options, queue)
        }
        guard let event = rd_kafka_queue_poll(queue, timeoutMs + 1000) else {
            return .failure(KafkaError(code: .timedOut, message: "CreateTopics: no answer in time"))
        }
        defer { rd_kafka_event_destroy(event) }
        let err = rd_kafka_event_error(event)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            return .failure(KafkaError(code: .init(rawValue: err.rawValue),
                                       message: "CreateTopics: \(String(cString: rd_kafka_event_error_string(event)))"))
        }
        guard let res = rd_kafka_event_CreateTopics_result(event) else {
            return .failure(KafkaError(code: .invalidConfiguration, message: "CreateTopics: unexpected event"))
        }
        var count = 0
        guard let topics = rd_kafka_CreateTopics_result_topics(res, &count) else { return .success(()) }
        for i in 0..<count {
            let t = topics[i]
            let e = rd_kafka_topic_result_error(t)
            if e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS {
                let name = String(cString: rd_kafka_topic_result_name(t))
                let msg = rd_kafka_topic_result_error_string(t).map { String(cString: $0) } ?? ""
                return .failure(KafkaError(code: .init(rawValue: e.rawValue), message: "create topic \(name): \(msg)"))
            }
        }
        return .success(())
    }
}

/// Creates topics on whichever cluster the process talks to: through the mock API for the
/// embedded cluster, through the Admin API otherwise.
public enum TopicCreator: Sendable {
    case embedded(EmbeddedKafkaCluster)
    case admin(KafkaConfiguration)

    public func create(_ specs: [TopicSpec], logger: Logger) async throws(KafkaError) {
        switch self {
        case .embedded(let cluster):
            for s in specs { try cluster.createTopic(s.name, partitions: s.partitions, replicationFactor: s.replicationFactor) }
        case .admin(let configuration):
            let admin = try KafkaAdmin(configuration: configuration, logger: logger)
            try await admin.createTopics(specs)
        }
    }
}
