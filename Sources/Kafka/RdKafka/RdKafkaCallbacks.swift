import CRdKafka
import Logging
import Synchronization

/// The Swift side of librdkafka's callbacks for one client instance.
///
/// Passed to librdkafka as the instance opaque (`rd_kafka_conf_set_opaque`), unretained;
/// the owning `RdKafkaClient` keeps it alive for the life of the `rd_kafka_t`. Callbacks
/// run on librdkafka threads or inside poll calls, so everything here is thread-safe.
final class RdKafkaCallbacks: @unchecked Sendable {
    let logger: Logger
    /// Called for every delivery report (producer): the per-message opaque and the result.
    let onDelivery: (@Sendable (UnsafeMutableRawPointer?, Result<DeliveryReport, KafkaError>) -> Void)?
    /// Called on assignment and revocation (consumer); see `RebalanceListener`.
    let rebalance: RebalanceListener?
    private let fatal = Mutex<KafkaError?>(nil)

    init(
        logger: Logger,
        onDelivery: (@Sendable (UnsafeMutableRawPointer?, Result<DeliveryReport, KafkaError>) -> Void)? = nil,
        rebalance: RebalanceListener? = nil
    ) {
        self.logger = logger
        self.onDelivery = onDelivery
        self.rebalance = rebalance
    }

    /// The fatal error librdkafka reported, if any (the client is unusable after one).
    var fatalError: KafkaError? { fatal.withLock { $0 } }

    func recordFatal(_ error: KafkaError) { fatal.withLock { if $0 == nil { $0 = error } } }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> RdKafkaCallbacks? {
        guard let opaque else { return nil }
        return Unmanaged<RdKafkaCallbacks>.fromOpaque(opaque).takeUnretainedValue()
    }

    /// Installs the C trampolines on `conf` with `self` as the opaque.
    func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())
        rd_kafka_conf_set_log_cb(conf, logTrampoline)
        rd_kafka_conf_set_error_cb(conf, errorTrampoline)
        if onDelivery != nil { rd_kafka_conf_set_dr_msg_cb(conf, deliveryTrampoline) }
        if rebalance != nil { rd_kafka_conf_set_rebalance_cb(conf, rebalanceTrampoline) }
    }
}

private let logTrampoline: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
    rk, level, facility, text in
    guard let rk, let cb = RdKafkaCallbacks.from(rd_kafka_opaque(rk)) else { return }
    let message = text.map { String(cString: $0) } ?? ""
    let fac = facility.map { String(cString: $0) } ?? ""
    // syslog levels: 0-3 error, 4 warning, 5-6 info/notice, 7 debug
    let swiftLevel: Logger.Level = level <= 3 ? .error : level == 4 ? .warning : level <= 6 ? .info : .debug
    cb.logger.log(level: swiftLevel, "\(message)", metadata: ["rdkafka.facility": "\(fac)"])
}

private let errorTrampoline: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
    rk, err, reason, opaque in
    guard let cb = RdKafkaCallbacks.from(opaque) else { return }
    let text = reason.map { String(cString: $0) } ?? ""
    let code = rd_kafka_resp_err_t(rawValue: err)
    if code == RD_KAFKA_RESP_ERR__FATAL, let rk {
        var buf = [CChar](repeating: 0, count: 512)
        let original = rd_kafka_fatal_error(rk, &buf, buf.count)
        let error = KafkaError(code: .init(rawValue: original.rawValue),
                               message: String(errorBuffer: buf), isFatal: true)
        cb.recordFatal(error)
        cb.logger.critical("librdkafka fatal error: \(error)")
    } else {
        // Transport and broker errors are informational: librdkafka retries by itself.
        cb.logger.warning("librdkafka: \(text)", metadata: ["rdkafka.error": "\(String(cString: rd_kafka_err2name(code)))"])
    }
}

private let deliveryTrampoline: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
    _, message, opaque in
    guard let message, let cb = RdKafkaCallbacks.from(opaque), let onDelivery = cb.onDelivery else { return }
    let m = message.pointee
    if m.err == RD_KAFKA_RESP_ERR_NO_ERROR {
        let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        onDelivery(m._private, .success(DeliveryReport(topic: topic, partition: m.partition, offset: m.offset)))
    } else {
        onDelivery(m._private, .failure(KafkaError(m.err, context: "delivery failed")))
    }
}

private let rebalanceTrampoline: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void = {
    rk, err, partitions, opaque in
    guard let rk else { return }
    let cb = RdKafkaCallbacks.from(opaque)
    cb?.rebalance?.handle(rk: rk, err: err, partitions: partitions, logger: cb?.logger)
}
