import Kafka
import Model

/// One record of the graph-deltas log (docs/scale-out.md): everything one batch of one
/// input partition changed, cut by the partition's owner, applied by every replica whose
/// mark of the partition equals `start`. Binary form: `GraphDeltaCodec`.
public struct GraphDeltaRecord: Sendable, Equatable {
    /// Who wrote it: the instance id and a random number per process start.
    public struct Writer: Sendable, Hashable, CustomStringConvertible {
        public var instance: String
        public var incarnation: UInt64

        public init(instance: String, incarnation: UInt64) {
            self.instance = instance
            self.incarnation = incarnation
        }

        public var description: String { "\(instance)/\(String(incarnation, radix: 16))" }
    }

    /// The batch's counters (as a single instance counts them).
    public struct Counters: Sendable, Equatable {
        public var events: UInt64 = 0
        public var deadLettered: UInt64 = 0
        public var deadLettersLost: UInt64 = 0
        public var late: UInt64 = 0
        public var overActive: UInt64 = 0
        public var sessionsClosed: UInt64 = 0

        public init() {}
    }

    /// A user of the partition whose state changed: its new state (`UserStateCodec` bytes),
    /// or nil when the cutter forgot it (deleted).
    public struct UserChange: Sendable, Equatable {
        public var user: String
        public var state: [UInt8]?

        public init(user: String, state: [UInt8]?) {
            self.user = user
            self.state = state
        }
    }

    /// `PipelineFingerprint` of the writer.
    public var fingerprint: UInt64
    public var writer: Writer
    /// The input partition.
    public var source: TopicPartition
    /// Input offsets covered: `start ..< end` (the batch and any offsets without a message).
    public var start: Int64
    public var end: Int64
    public var counters: Counters
    /// The partition's event clock after the batch.
    public var clock: PartitionClock
    public var graph: NamedGraphDelta
    public var users: [UserChange]

    public init(fingerprint: UInt64, writer: Writer, source: TopicPartition, start: Int64, end: Int64,
                counters: Counters = Counters(), clock: PartitionClock = PartitionClock(),
                graph: NamedGraphDelta, users: [UserChange] = []) {
        self.fingerprint = fingerprint
        self.writer = writer
        self.source = source
        self.start = start
        self.end = end
        self.counters = counters
        self.clock = clock
        self.graph = graph
        self.users = users
    }
}
