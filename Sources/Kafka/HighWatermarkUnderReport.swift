import Synchronization

/// Fault injection for the embedded cluster: a broker whose ListOffsets answer lags the
/// real end of a partition, as Tansu 0.6 does (it answers the base offset of the
/// partition's last produce batch plus one; docs/operations.md, "Tansu"). librdkafka's
/// mock always answers the real end, so the lag is applied on this side of the wire: to the
/// high watermarks `KafkaConsumer.watermarks` gets from a cluster registered here, in this
/// process only. Fetches, their end-of-partition events and `cachedWatermarks` keep the
/// real end, as they do with Tansu.
enum HighWatermarkUnderReport {
    /// Records missing from the reported high watermark, per `bootstrap.servers`.
    private static let lags = Mutex<[String: Int64]>([:])

    static func set(_ records: Int64, bootstrapServers: String) {
        lags.withLock { $0[bootstrapServers] = records > 0 ? records : nil }
    }

    /// `marks` as a broker at `bootstrapServers` would report them.
    static func applied(to marks: (low: Int64, high: Int64), bootstrapServers: String) -> (low: Int64, high: Int64) {
        guard let lag = lags.withLock({ $0[bootstrapServers] }), marks.high > marks.low else { return marks }
        let lagged = marks.high.subtractingReportingOverflow(lag)
        return (marks.low, lagged.overflow ? marks.low : max(marks.low, lagged.partialValue))
    }
}

extension EmbeddedKafkaCluster {
    /// Makes this cluster's high watermarks, as `KafkaConsumer.watermarks` reports them to
    /// clients of this process, `records` lower than each partition's end (never below its
    /// low watermark), like a broker whose ListOffsets under-reports; 0 restores the real
    /// answer. Readers must find the end from the fetch itself (`KafkaConsumer.readToEnd`).
    public func underReportHighWatermarks(by records: Int64) {
        HighWatermarkUnderReport.set(records, bootstrapServers: bootstrapServers)
    }
}
