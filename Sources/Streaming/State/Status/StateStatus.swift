/// What an ingest state directory holds (``StateInspector/status()``).
public struct StateStatus: Sendable, Equatable, Codable {
    public struct View: Sendable, Equatable, Codable {
        public var name: String
        public var nodes = 0
        /// Distinct directed edges.
        public var edges = 0
        /// Items with a node in this view (attribute views; 0 for the item view).
        public var itemsWithAttribute = 0
        /// Walks in the view's ring buffer.
        public var walksInRing = 0
        /// Blocks (one per ingested batch that produced walks) in the ring.
        public var walkBlocks = 0

        public init(name: String) { self.name = name }
    }

    public struct Partition: Sendable, Equatable, Codable {
        public var topic: String
        public var partition: Int32
        /// Next offset to consume (everything before it is applied).
        public var nextOffset: Int64
        /// Latest event time seen on the partition (ms since the epoch).
        public var eventTimeMs: Int64?
        /// The partition's high watermark, when asked of the broker.
        public private(set) var highWatermark: Int64?
        /// Messages not applied yet: `highWatermark - nextOffset` (at least 0), when known.
        public private(set) var lag: Int64?

        public init(topic: String, partition: Int32, nextOffset: Int64, eventTimeMs: Int64? = nil) {
            self.topic = topic
            self.partition = partition
            self.nextOffset = nextOffset
            self.eventTimeMs = eventTimeMs
        }

        /// Records the broker's high watermark and the lag it implies.
        public mutating func setHighWatermark(_ high: Int64) {
            highWatermark = high
            lag = max(0, high - nextOffset)
        }
    }

    public var views: [View]
    public var partitions: [Partition]
    /// Users with open-session state stored (one entry per (partition, user)).
    public var usersWithOpenState: Int
    /// The `meta` counters: `events.applied`, `events.dead_lettered`, `events.late`,
    /// `sessions.closed`, `walks.written`, `batches`.
    public var counters: [String: UInt64]

    public init(views: [View], partitions: [Partition], usersWithOpenState: Int, counters: [String: UInt64]) {
        self.views = views
        self.partitions = partitions
        self.usersWithOpenState = usersWithOpenState
        self.counters = counters
    }
}
