import CRdKafka

/// The end of a partition for a reader (docs/consuming.md, "Where a read ends").
///
/// A reader stops at the first end-of-partition event the fetch reports for a partition
/// after the reader assigned it: the high watermark (under `read_committed`, the last stable
/// offset) in the broker's fetch reply that found nothing more to read. It never stops at a
/// separately queried watermark (ListOffsets, `watermarks`), which some brokers
/// under-report (Tansu 0.6 answers the base offset of the last produce batch plus one).
/// Since high watermarks only grow, this end is at least the partition's end when the read
/// started, so every record acknowledged before then is read; records appended while the
/// reader catches up are read as well, those appended after the fetch that found the end
/// are not.
extension KafkaConsumer {
    /// Reads every partition of `starts` from its start (an absolute offset or
    /// `KafkaOffset.beginning`) to its end, handing each message to `body` in offset order
    /// per partition; returns the end of each partition. Replaces the assignment (manual,
    /// no group); records a partition fetches past its end are dropped. Throws `KafkaError` `.timedOut`
    /// naming the partitions not at their end when `timeout` passes first (a writer faster
    /// than the reader, an unreachable leader), and `.invalidConfiguration` at once when the
    /// consumer was made with `enable.partition.eof=false`.
    public func readToEnd(
        from starts: [TopicPartition: Int64], timeout: Duration, _ body: (KafkaMessage) throws -> Void
    ) async throws -> [TopicPartition: Int64] {
        guard !starts.isEmpty else { return [:] }
        guard reportsPartitionEnds else {
            throw KafkaError(code: .invalidConfiguration,
                             message: "reading to the end needs enable.partition.eof=true (end-of-partition events)")
        }
        try assign(starts)
        let deadline = ContinuousClock.now + timeout
        var ends: [TopicPartition: Int64] = [:]
        var reading = Set(starts.keys)
        while !reading.isEmpty {
            if ContinuousClock.now > deadline {
                let left = reading.sorted().map(\.description).joined(separator: ", ")
                throw KafkaError(code: .timedOut, message: "\(left) not read to their end within \(timeout)")
            }
            let batch = try await poll(maxMessages: 5000, timeout: .milliseconds(200))
            let found = batch.reachedEnd.filter { reading.contains($0.key) }
            for m in batch.messages where reading.contains(m.topicPartition) {
                // A record fetched after the end was found (in the same poll) is past it.
                if let end = found[m.topicPartition], m.offset >= end { continue }
                try body(m)
            }
            for (tp, end) in found {
                ends[tp] = end
                reading.remove(tp)
            }
        }
        return ends
    }

    /// The end of each of `partitions` as the fetch finds it (`readToEnd`), without reading
    /// the partitions: the read starts at the broker's high watermark, a hint that may lag
    /// (what lies between it and the end is read and dropped); when the hint is past the end,
    /// `auto.offset.reset` moves the fetch back first. Replaces the assignment.
    public func endOffsets(_ partitions: [TopicPartition], timeout: Duration) async throws -> [TopicPartition: Int64] {
        var starts: [TopicPartition: Int64] = [:]
        for tp in partitions {
            let marks = try await watermarks(tp, timeout: timeout)
            starts[tp] = max(marks.low, marks.high)
        }
        return try await readToEnd(from: starts, timeout: timeout) { _ in }
    }

    /// `enable.partition.eof` is on: polls report end-of-partition events.
    var reportsPartitionEnds: Bool {
        var value = [CChar](repeating: 0, count: 16)
        var size = value.count
        guard rd_kafka_conf_get(rd_kafka_conf(client.handle), "enable.partition.eof", &value, &size) == RD_KAFKA_CONF_OK else {
            return false
        }
        return String(errorBuffer: value) == "true"
    }
}
