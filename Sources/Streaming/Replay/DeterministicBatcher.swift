import Kafka

/// Cuts a multi-partition log into batches that do not depend on fetch timing: batch k
/// takes the next `eventsPerPartition` messages of every unfinished partition, in partition
/// order, and is formed only once every unfinished partition has that many buffered or has
/// reached its end. Replays of one log (also one resumed after a crash, since every batch is
/// committed atomically with its offsets) therefore apply the same batches in the same order.
public struct DeterministicBatcher: Sendable {
    public let eventsPerPartition: Int
    /// Exclusive end offset of each partition.
    public private(set) var ends: [TopicPartition: Int64]
    /// Next offset to hand out per partition.
    public private(set) var positions: [TopicPartition: Int64]
    private var buffers: [TopicPartition: [KafkaMessage]] = [:]

    public init(starts: [TopicPartition: Int64], ends: [TopicPartition: Int64], eventsPerPartition: Int) {
        self.positions = starts
        self.ends = ends
        self.eventsPerPartition = max(1, eventsPerPartition)
    }

    /// Partitions not yet consumed to their end, in order.
    public var unfinished: [TopicPartition] {
        positions.keys.filter { (positions[$0] ?? 0) < (ends[$0] ?? 0) }.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }

    public var isFinished: Bool { unfinished.isEmpty }

    /// Messages still to come before every end.
    public var remaining: Int64 { positions.reduce(0) { $0 + max(0, (ends[$1.key] ?? 0) - $1.value) } }

    /// Buffers fetched messages (those at or past a partition's end are dropped).
    public mutating func add(_ messages: [KafkaMessage]) {
        for m in messages {
            let tp = m.topicPartition
            guard let end = ends[tp], m.offset < end else { continue }
            buffers[tp, default: []].append(m)
        }
    }

    /// Moves a partition's end earlier (a `--until time:` stop found in its data).
    public mutating func stop(_ tp: TopicPartition, at offset: Int64) {
        if let end = ends[tp], offset < end { ends[tp] = offset }
        buffers[tp]?.removeAll { $0.offset >= offset }
    }

    /// The next batch, or nil while some unfinished partition has neither a full share
    /// buffered nor been fetched up to its end. `fetched` is the consumer's position (next
    /// offset it will return) per partition: offsets below it that are not buffered do not
    /// exist (compaction, transaction markers).
    public mutating func nextBatch(fetched: [TopicPartition: Int64]) -> [KafkaMessage]? {
        let open = unfinished
        guard !open.isEmpty else { return nil }
        for tp in open where (buffers[tp]?.count ?? 0) < eventsPerPartition {
            if (fetched[tp] ?? 0) < (ends[tp] ?? 0) { return nil }
        }
        var batch: [KafkaMessage] = []
        for tp in open {
            let take = min(eventsPerPartition, buffers[tp]?.count ?? 0)
            if take > 0, let slice = buffers[tp]?.prefix(take) {
                batch.append(contentsOf: slice)
                buffers[tp]?.removeFirst(take)
                positions[tp] = (slice.last?.offset ?? 0) + 1
            }
            if buffers[tp]?.isEmpty ?? true, (fetched[tp] ?? 0) >= (ends[tp] ?? 0) { positions[tp] = ends[tp] }
        }
        return batch
    }
}
