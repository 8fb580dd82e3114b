import CRdKafka
import Foundation
import Logging
import Synchronization

/// One record to produce.
public struct KafkaProducerRecord: Sendable {
    public var topic: String
    /// `nil`: the partitioner chooses from the key (murmur2 by default, as Java clients).
    public var partition: Int32?
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
    /// Milliseconds since the epoch; `nil` lets librdkafka stamp the current time.
    public var timestampMs: Int64?

    public init(topic: String, partition: Int32? = nil, key: [UInt8]? = nil, value: [UInt8]?,
                headers: [KafkaHeader] = [], timestampMs: Int64? = nil) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMs = timestampMs
    }
}

/// Where an acknowledged record landed.
public struct DeliveryReport: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
}

/// A Kafka producer over librdkafka.
///
/// Idempotent by default (see `KafkaConfiguration.producer`). Two ways to send:
/// `send` awaits the broker's acknowledgement of one record and throws its delivery error;
/// `enqueue` only hands the record to librdkafka (fast path for bulk data), and delivery
/// failures are counted and surfaced by the next `flush`. A dedicated thread polls the
/// handle for delivery reports; no blocking call runs on Swift's cooperative pool
/// except `enqueue` when librdkafka's local queue is full (it waits for space, by
/// design, as backpressure), so call bulk `enqueue` from a dedicated thread or accept that.
public final class KafkaProducer: Sendable {
    let client: RdKafkaClient
    private let state: DeliveryState
    private let pollThread: PollThread
    public let logger: Logger

    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "m2grl.kafka.producer")) throws(KafkaError) {
        let state = DeliveryState()
        let callbacks = RdKafkaCallbacks(logger: logger, onDelivery: { opaque, result in
            state.deliver(opaque: opaque, result: result)
        })
        self.client = try RdKafkaClient(kind: .producer, configuration: configuration, callbacks: callbacks)
        self.state = state
        self.logger = logger
        let client = self.client
        self.pollThread = PollThread(name: "m2grl-producer-poll") { _ = rd_kafka_poll(client.handle, 100) }
    }

    deinit {
        pollThread.stop()
        // Fail whatever is still queued so no delivery callback is left pending.
        _ = rd_kafka_purge(client.handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        _ = rd_kafka_poll(client.handle, 0)
    }

    /// Produces one record and waits for its acknowledgement.
    public func send(_ record: KafkaProducerRecord) async throws(KafkaError) -> DeliveryReport {
        let result: Result<DeliveryReport, KafkaError> = await withCheckedContinuation { continuation in
            let box = Unmanaged.passRetained(DeliveryPromise(continuation)).toOpaque()
            do throws(KafkaError) {
                try produceRaw(record, opaque: box, waitForSpace: .seconds(30))
            } catch {
                Unmanaged<DeliveryPromise>.fromOpaque(box).release()
                continuation.resume(returning: .failure(error))
            }
        }
        return try result.get()
    }

    /// Hands a record to librdkafka without waiting for the acknowledgement. Waits up to
    /// `waitForSpace` when the local queue is full. Delivery errors surface in `flush`.
    public func enqueue(_ record: KafkaProducerRecord, waitForSpace: Duration = .seconds(30)) throws(KafkaError) {
        if let fatal = client.callbacks.fatalError { throw fatal }
        state.enqueued()
        do {
            try produceRaw(record, opaque: nil, waitForSpace: waitForSpace)
        } catch {
            state.unenqueued()
            throw error
        }
    }

    private func produceRaw(_ record: KafkaProducerRecord, opaque: UnsafeMutableRawPointer?, waitForSpace: Duration) throws(KafkaError) {
        let deadline = ContinuousClock.now + waitForSpace
        while true {
            let err = produceOnce(record, opaque: opaque)
            if err == RD_KAFKA_RESP_ERR_NO_ERROR { return }
            if err == RD_KAFKA_RESP_ERR__QUEUE_FULL && ContinuousClock.now < deadline {
                // Local queue full: let the poll thread drain delivery reports, then retry.
                _ = rd_kafka_poll(client.handle, 10)
                continue
            }
            throw KafkaError(err, context: "produce to \(record.topic)")
        }
    }

    private func produceOnce(_ record: KafkaProducerRecord, opaque: UnsafeMutableRawPointer?) -> rd_kafka_resp_err_t {
        var headers: OpaquePointer? = nil
        if !record.headers.isEmpty {
            headers = rd_kafka_headers_new(record.headers.count)
            for h in record.headers {
                if let v = h.value {
                    v.withUnsafeBytes { _ = rd_kafka_header_add(headers, h.key, -1, $0.baseAddress, $0.count) }
                } else {
                    _ = rd_kafka_header_add(headers, h.key, -1, nil, 0)
                }
            }
        }
        let partition = record.partition ?? RD_KAFKA_PARTITION_UA
        let ts = record.timestampMs ?? 0
        let err: rd_kafka_resp_err_t = withOptionalBytes(record.key) { k in
            withOptionalBytes(record.value) { v in
                m2grl_produce(client.handle, record.topic, partition,
                              k?.baseAddress, k?.count ?? 0, v?.baseAddress, v?.count ?? 0,
                              headers, ts, opaque)
            }
        }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR, let headers { rd_kafka_headers_destroy(headers) }
        return err
    }

    /// Waits until every enqueued or sent record is acknowledged or failed, up to
    /// `timeout`. Throws the first delivery failure since the previous flush, or
    /// `_TIMED_OUT` when records are still outstanding.
    public func flush(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        let client = self.client
        let ms = timeout.rdKafkaMilliseconds
        let err = await BlockingExecutor.run { rd_kafka_flush(client.handle, ms) }
        if let failure = state.takeFirstFailure() { throw failure }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(err, context: "flush: \(rd_kafka_outq_len(client.handle)) records still outstanding")
        }
    }

    /// Counts of records acknowledged and failed (over the producer's life).
    public var deliveryCounts: (delivered: Int, failed: Int, outstanding: Int) {
        state.counts
    }

    /// Partition count of `topic` as the cluster reports it.
    public func partitionCount(topic: String, timeout: Duration = .seconds(10)) async throws(KafkaError) -> Int {
        try await client.partitionCount(topic: topic, timeout: timeout)
    }
}

private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}

/// Continuation of one `send`, resumed by the delivery callback.
private final class DeliveryPromise: @unchecked Sendable {
    let continuation: CheckedContinuation<Result<DeliveryReport, KafkaError>, Never>
    init(_ c: CheckedContinuation<Result<DeliveryReport, KafkaError>, Never>) { continuation = c }
}

/// Counters and the first failure of `enqueue`d records.
private final class DeliveryState: Sendable {
    private struct Counts { var enqueued = 0, delivered = 0, failed = 0; var firstFailure: KafkaError? }
    private let counts_ = Mutex(Counts())

    func enqueued() { counts_.withLock { $0.enqueued += 1 } }
    func unenqueued() { counts_.withLock { $0.enqueued -= 1 } }

    func deliver(opaque: UnsafeMutableRawPointer?, result: Result<DeliveryReport, KafkaError>) {
        if let opaque {
            let promise = Unmanaged<DeliveryPromise>.fromOpaque(opaque).takeRetainedValue()
            promise.continuation.resume(returning: result)
            return
        }
        counts_.withLock {
            switch result {
            case .success: $0.delivered += 1
            case .failure(let e):
                $0.failed += 1
                if $0.firstFailure == nil { $0.firstFailure = e }
            }
        }
    }

    func takeFirstFailure() -> KafkaError? {
        counts_.withLock { c in defer { c.firstFailure = nil }; return c.firstFailure }
    }

    var counts: (delivered: Int, failed: Int, outstanding: Int) {
        counts_.withLock { ($0.delivered, $0.failed, $0.enqueued - $0.delivered - $0.failed) }
    }
}
