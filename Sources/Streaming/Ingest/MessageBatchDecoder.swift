import Kafka
import Model

/// The one decode path of consumed messages (live ingestion, replay, scale-out cutting):
/// each message's value through the pipeline's `EventDecoder` against one wall-clock
/// reading (`future_timestamp`), into `IngestRecord`s carrying their partition and offset,
/// and the rejected messages with their reason. What happens to rejections is the caller's:
/// live ingestion dead-letters them, a replay counts them.
public struct MessageBatchDecoder: Sendable {
    /// A decoded batch.
    public struct Decoded: Sendable {
        public var records: [IngestRecord] = []
        public var rejected: [(message: KafkaMessage, rejection: EventRejection)] = []
        /// Valid events before `skipBefore`, left out of `records`.
        public var skippedBeforeStart = 0
        /// Per partition read, the offset after its last message (past rejected ones too).
        public var nextOffsets: [TopicPartition: Int64] = [:]
    }

    public let decoder: EventDecoder
    /// Valid events with an earlier event time (ms) are skipped (`replay --from time:`).
    public var skipBefore: Int64?

    public init(config: PipelineConfig, skipBefore: Int64? = nil) {
        self.init(decoder: EventDecoder(mapping: EventFieldMapping(config: config)), skipBefore: skipBefore)
    }

    public init(decoder: EventDecoder, skipBefore: Int64? = nil) {
        self.decoder = decoder
        self.skipBefore = skipBefore
    }

    /// Decodes `messages` (in order).
    public func decode(_ messages: some Collection<KafkaMessage>, nowMillis: Int64 = WallClock.nowMillis()) -> Decoded {
        var out = Decoded()
        out.records.reserveCapacity(messages.count)
        for m in messages {
            out.nextOffsets[m.topicPartition] = max(out.nextOffsets[m.topicPartition] ?? 0, m.offset + 1)
            switch decoder.decodeJSON(m.value ?? [], nowMillis: nowMillis) {
            case .success(let event):
                if let t = skipBefore, event.timestampMillis < t {
                    out.skippedBeforeStart += 1
                } else {
                    out.records.append(IngestRecord(event: event, source: m.topicPartition, offset: m.offset))
                }
            case .failure(let rejection):
                out.rejected.append((m, rejection))
            }
        }
        return out
    }

    /// The event of `message` if it decodes (a probe, e.g. for `replay --until time:`).
    public func event(of message: KafkaMessage, nowMillis: Int64) -> Event? {
        if case .success(let event) = decoder.decodeJSON(message.value ?? [], nowMillis: nowMillis) { return event }
        return nil
    }
}
