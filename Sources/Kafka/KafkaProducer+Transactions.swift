import CRdKafka

/// Kafka transactions (the producer needs `transactional.id` in its configuration).
/// Records produced between `beginTransaction` and `commitTransaction` become visible to
/// `read_committed` consumers atomically, or never (abort). librdkafka's mock cluster does not
/// hide aborted records from such readers (docs/operations.md), so correctness of published
/// versions never depends on transactions: the manifest rule already makes them atomic.
extension KafkaProducer {
    /// Registers the transactional id with the cluster (once, before the first transaction);
    /// fences older producers with the same id.
    public func initTransactions(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        let client = self.client
        let ms = timeout.rdKafkaMilliseconds
        let r: KafkaError? = await BlockingExecutor.run { KafkaError(transactionError: rd_kafka_init_transactions(client.handle, ms), context: "init transactions") }
        if let r { throw r }
    }

    public func beginTransaction() throws(KafkaError) {
        if let e = KafkaError(transactionError: rd_kafka_begin_transaction(client.handle), context: "begin transaction") { throw e }
    }

    /// Flushes and commits; throws when the transaction failed (then abort it).
    public func commitTransaction(timeout: Duration = .seconds(60)) async throws(KafkaError) {
        let client = self.client
        let ms = timeout.rdKafkaMilliseconds
        let r: KafkaError? = await BlockingExecutor.run { KafkaError(transactionError: rd_kafka_commit_transaction(client.handle, ms), context: "commit transaction") }
        if let r { throw r }
    }

    public func abortTransaction(timeout: Duration = .seconds(60)) async throws(KafkaError) {
        let client = self.client
        let ms = timeout.rdKafkaMilliseconds
        let r: KafkaError? = await BlockingExecutor.run { KafkaError(transactionError: rd_kafka_abort_transaction(client.handle, ms), context: "abort transaction") }
        if let r { throw r }
    }
}

extension KafkaError {
    /// Takes ownership of a librdkafka error object (nil: success).
    init?(transactionError error: OpaquePointer?, context: String) {
        guard let error else { return nil }
        defer { rd_kafka_error_destroy(error) }
        let text = String(cString: rd_kafka_error_string(error))
        self.init(code: Code(rawValue: rd_kafka_error_code(error).rawValue), message: "\(context): \(text)",
                  isFatal: rd_kafka_error_is_fatal(error) != 0)
    }
}
