/// A parsed and validated pipeline file (`pipelines/*.yaml`).
///
/// Every field is documented in `docs/configuration.md`. Build one with
/// ``PipelineConfig/load(path:)`` or ``PipelineConfig/parse(yaml:source:)``; both validate
/// and throw ``PipelineConfigError`` naming the offending field.
public struct PipelineConfig: Sendable, Equatable {
    /// Name of the implicit item view; it is always the first view.
    public static let itemViewName = "item"

    public var name: String
    public var events: Events
    /// Attribute views (the item view is implicit and not listed here).
    public var views: [View]
    public var sessions: Sessions
    public var walks: Walks
    public var alignments: [Alignment]
    public var training: Training
    public var kafka: Kafka?
    public var online = Online()
    public var ingest = Ingest()
    public var publish = Publish()

    public init(
        name: String, events: Events, views: [View] = [], sessions: Sessions = Sessions(),
        walks: Walks = Walks(), alignments: [Alignment] = [], training: Training = Training(),
        kafka: Kafka? = nil
    ) {
        self.name = name
        self.events = events
        self.views = views
        self.sessions = sessions
        self.walks = walks
        self.alignments = alignments
        self.training = training
        self.kafka = kafka
    }

    /// All view names, the item view first, then the attribute views in file order.
    public var viewNames: [String] { [Self.itemViewName] + views.map(\.name) }

    /// Input format of event files.
    public enum EventFormat: String, Sendable, Equatable, CaseIterable {
        case jsonl, csv, tsv
    }

    /// Unit of the time field in the input.
    public enum TimeUnit: String, Sendable, Equatable, CaseIterable {
        case seconds, milliseconds

        /// Multiplier from this unit to milliseconds.
        public var millisecondsPerUnit: Int64 { self == .seconds ? 1000 : 1 }
    }

    /// `events:` — where the user, item, time (and optional action) live in the input.
    public struct Events: Sendable, Equatable {
        public var format: EventFormat
        public var user: String
        public var item: String
        public var time: String
        public var timeUnit: TimeUnit
        public var action: String?
        /// Events later than the wall clock plus this many seconds are rejected
        /// (`future_timestamp`); finite, from 0 to ``maxFutureSkewSecondsLimit``.
        public var maxFutureSkewSeconds: Double

        /// The largest `max_future_skew_seconds` accepted: the span from the epoch to the
        /// latest accepted event time (2200-01-01), so any larger value would change nothing.
        public static let maxFutureSkewSecondsLimit: Double = 7_258_118_400

        public init(
            format: EventFormat = .jsonl, user: String = "user_id", item: String = "item_id",
            time: String = "timestamp", timeUnit: TimeUnit = .seconds, action: String? = nil,
            maxFutureSkewSeconds: Double = 300
        ) {
            self.format = format
            self.user = user
            self.item = item
            self.time = time
            self.timeUnit = timeUnit
            self.action = action
            self.maxFutureSkewSeconds = maxFutureSkewSeconds
        }
    }

    /// One attribute view: its name, the input field holding the item's node(s) in it, and
    /// the separator that splits a string value into several nodes (nil: a string is one
    /// node; a JSON array gives several either way).
    public struct View: Sendable, Equatable {
        public var name: String
        public var field: String
        public var delimiter: String?
        /// Most distinct values a record may carry in this field (nil: 32,
        /// `EventLimits.maxValuesPerField`); a record with more is dead-lettered.
        public var maxValues: Int?

        public init(name: String, field: String, delimiter: String? = nil, maxValues: Int? = nil) {
            self.name = name
            self.field = field
            self.delimiter = delimiter
            self.maxValues = maxValues
        }
    }

    /// `sessions:` — session cutting and noise filters.
    ///
    /// Times are held in milliseconds, the unit of event times, converted once from the
    /// seconds of the pipeline file (within ``ConfigLimits/gapSeconds`` and
    /// ``ConfigLimits/dwellSeconds``).
    public struct Sessions: Sendable, Equatable {
        /// A gap strictly greater than this (milliseconds) between consecutive events of a
        /// user starts a new session.
        public var gapMilliseconds: Int64
        /// Minimum number of items in a session's collapsed item sequence.
        public var minLength: Int
        /// Events whose dwell (time to the user's next event in the same session) is below
        /// this (milliseconds) are dropped; the last event of a session is always kept.
        public var minDwellMilliseconds: Int64?
        /// Users with more events than this are treated as bots and dropped.
        public var maxEventsPerUser: Int?
        /// How far (event time, milliseconds) events may arrive out of order: a transition is
        /// final, and enters the graphs of a live stream, once its partition's event clock has
        /// passed the time of the event completing it by this much (docs/ingestion.md). Events
        /// arriving later than that which would change what is final are dropped as late.
        public var allowedLatenessMilliseconds: Int64

        /// Seconds are rounded to milliseconds; values out of their documented ranges are
        /// clamped into them (the pipeline parser rejects such values with an error instead).
        public init(
            gapSeconds: Double = 1800, minLength: Int = 2, minDwellSeconds: Double? = nil,
            maxEventsPerUser: Int? = nil, allowedLatenessSeconds: Double = Self.defaultAllowedLatenessSeconds
        ) {
            self.gapMilliseconds = ConfigLimits.milliseconds(gapSeconds, clampedTo: ConfigLimits.gapSeconds)
            self.minLength = minLength
            self.minDwellMilliseconds = minDwellSeconds.map { ConfigLimits.milliseconds($0, clampedTo: ConfigLimits.dwellSeconds) }
            self.maxEventsPerUser = maxEventsPerUser
            self.allowedLatenessMilliseconds = ConfigLimits.milliseconds(allowedLatenessSeconds, clampedTo: ConfigLimits.latenessSeconds)
        }

        public static let defaultAllowedLatenessSeconds = 1.0

        /// The gap in seconds.
        public var gapSeconds: Double { Double(gapMilliseconds) / 1000 }

        /// The minimum dwell in seconds (setting it converts once, as the initializer does).
        public var minDwellSeconds: Double? {
            get { minDwellMilliseconds.map { Double($0) / 1000 } }
            set { minDwellMilliseconds = newValue.map { ConfigLimits.milliseconds($0, clampedTo: ConfigLimits.dwellSeconds) } }
        }

        /// The allowed lateness in seconds (setting it converts once, as the initializer does).
        public var allowedLatenessSeconds: Double {
            get { Double(allowedLatenessMilliseconds) / 1000 }
            set { allowedLatenessMilliseconds = ConfigLimits.milliseconds(newValue, clampedTo: ConfigLimits.latenessSeconds) }
        }
    }

    /// `walks:` — weighted random walks.
    public struct Walks: Sendable, Equatable {
        /// Maximum number of nodes per walk (the start node included).
        public var length: Int
        /// Walks started from each node that has out-edges.
        public var perNode: Int
        public var seed: UInt64

        public init(length: Int = 20, perNode: Int = 10, seed: UInt64 = 1) {
            self.length = length
            self.perNode = perNode
            self.seed = seed
        }
    }

    /// One aligned pair of views, `from` (always the item view for now) -> `to`.
    public struct Alignment: Sendable, Equatable {
        public var from: String
        public var to: String

        public init(from: String = PipelineConfig.itemViewName, to: String) {
            self.from = from
            self.to = to
        }
    }

    /// `kafka:` — names used by the streaming ingester (all optional except `topic`).
    public struct Kafka: Sendable, Equatable {
        public var topic: String
        public var group: String?
        public var deadLetterTopic: String?
        public var embeddingsTopic: String?
        public var versionsTopic: String?
        public var partitions: Int?

        public init(
            topic: String, group: String? = nil, deadLetterTopic: String? = nil,
            embeddingsTopic: String? = nil, versionsTopic: String? = nil, partitions: Int? = nil
        ) {
            self.topic = topic
            self.group = group
            self.deadLetterTopic = deadLetterTopic
            self.embeddingsTopic = embeddingsTopic
            self.versionsTopic = versionsTopic
            self.partitions = partitions
        }
    }
}
