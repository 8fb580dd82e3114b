import CRdKafka
import Logging
import Synchronization

/// Applies partition assignments and revocations for a consumer, calling the
/// application's `RebalanceHandler` first so it can supply start offsets (for example
/// the offsets it stored atomically with its own state) or flush before losing partitions.
/// Works with both the eager and the cooperative rebalance protocol.
final class RebalanceListener: Sendable {
    let handler: RebalanceHandler
    private let assigned = Mutex<Set<TopicPartition>>([])

    init(handler: RebalanceHandler) { self.handler = handler }

    var assignment: Set<TopicPartition> { assigned.withLock { $0 } }

    func handle(rk: OpaquePointer, err: rd_kafka_resp_err_t,
                partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, logger: Logger?) {
        // NULL when the consumer is no longer a member (a callback during close): not cooperative.
        let cooperative = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) } == "COOPERATIVE"
        let parts = TopicPartitionList.read(partitions).map { $0.0 }
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            let starts = handler.onAssign(parts)
            if let partitions {
                for i in 0..<Int(partitions.pointee.cnt) {
                    let e = partitions.pointee.elems[i]
                    let tp = TopicPartition(String(cString: e.topic), e.partition)
                    if let offset = starts[tp] { partitions.pointee.elems[i].offset = offset }
                }
            }
            if cooperative {
                if let error = rd_kafka_incremental_assign(rk, partitions) {
                    logger?.error("incremental assign failed: \(KafkaError(consuming: error))")
                }
            } else {
                let e = rd_kafka_assign(rk, partitions)
                if e != RD_KAFKA_RESP_ERR_NO_ERROR { logger?.error("assign failed: \(KafkaError(e))") }
            }
            assigned.withLock { a in
                if !cooperative { a.removeAll() }
                a.formUnion(parts)
            }
            logger?.info("partitions assigned", metadata: ["partitions": "\(parts.sorted().map(\.description))"])
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let lost = rd_kafka_assignment_lost(rk) != 0
            handler.onRevoke(parts, lost)
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, partitions) {
                    logger?.error("incremental unassign failed: \(KafkaError(consuming: error))")
                }
            } else {
                _ = rd_kafka_assign(rk, nil)
            }
            assigned.withLock { a in
                if cooperative { a.subtract(parts) } else { a.removeAll() }
            }
            logger?.info("partitions revoked", metadata: ["partitions": "\(parts.sorted().map(\.description))", "lost": "\(lost)"])
        default:
            logger?.error("rebalance error: \(KafkaError(err))")
            _ = rd_kafka_assign(rk, nil)
            assigned.withLock { $0.removeAll() }
        }
    }
}

/// What a consumer application does when its partitions change.
public struct RebalanceHandler: Sendable {
    /// Called with newly assigned partitions before fetching starts. Return the offset
    /// to start each partition at; partitions left out start at the group's committed
    /// offset (or `auto.offset.reset` when there is none).
    public var onAssign: @Sendable ([TopicPartition]) -> [TopicPartition: Int64]
    /// Called before partitions are taken away; `lost` is true when they were already
    /// lost (session timeout) and another member may own them now.
    public var onRevoke: @Sendable ([TopicPartition], _ lost: Bool) -> Void

    public init(
        onAssign: @escaping @Sendable ([TopicPartition]) -> [TopicPartition: Int64] = { _ in [:] },
        onRevoke: @escaping @Sendable ([TopicPartition], Bool) -> Void = { _, _ in }
    ) {
        self.onAssign = onAssign
        self.onRevoke = onRevoke
    }
}
