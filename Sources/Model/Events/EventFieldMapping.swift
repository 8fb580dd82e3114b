/// Which input fields hold the user, item, time, action and per-view attributes, and the
/// limits a record must respect. Built from a pipeline's `events:` and `views:` sections.
public struct EventFieldMapping: Sendable, Equatable {
    public var user: String
    public var item: String
    public var time: String
    public var timeUnit: PipelineConfig.TimeUnit
    public var action: String?
    /// Input field -> view name, one entry per attribute view, in pipeline order.
    public var attributes: [AttributeField]
    public var limits: EventLimits

    public struct AttributeField: Sendable, Equatable {
        public var field: String
        public var view: String
        /// A string value is split at this separator into several values (nil: a string is
        /// one value). JSON arrays give several values either way.
        public var delimiter: String?
        /// Most distinct values of the field (nil: `EventLimits.maxValuesPerField`).
        public var maxValues: Int?

        public init(field: String, view: String, delimiter: String? = nil, maxValues: Int? = nil) {
            self.field = field
            self.view = view
            self.delimiter = delimiter
            self.maxValues = maxValues
        }
    }

    public init(
        user: String, item: String, time: String, timeUnit: PipelineConfig.TimeUnit,
        action: String? = nil, attributes: [AttributeField] = [], limits: EventLimits = EventLimits()
    ) {
        self.user = user
        self.item = item
        self.time = time
        self.timeUnit = timeUnit
        self.action = action
        self.attributes = attributes
        self.limits = limits
    }

    /// The pipeline's mapping; `limits.maxFutureSkewMillis` is taken from the pipeline's
    /// `events.max_future_skew_seconds`.
    public init(config: PipelineConfig, limits: EventLimits = EventLimits()) {
        var limits = limits
        limits.maxFutureSkewMillis = EventLimits.milliseconds(fromSeconds: config.events.maxFutureSkewSeconds)
        self.init(
            user: config.events.user, item: config.events.item, time: config.events.time,
            timeUnit: config.events.timeUnit, action: config.events.action,
            attributes: config.views.map { AttributeField(field: $0.field, view: $0.name, delimiter: $0.delimiter, maxValues: $0.maxValues) },
            limits: limits)
    }

    /// Input field names in slot order: user, item, time, action (if any), attributes.
    var slotFields: [String] { [user, item, time] + (action.map { [$0] } ?? []) + attributes.map(\.field) }
    var firstAttributeSlot: Int { action == nil ? 3 : 4 }
}

/// Bounds a record must respect to become an event.
public struct EventLimits: Sendable, Equatable {
    /// Largest accepted record (one JSON line / message / CSV row), in bytes.
    public var maxRecordBytes: Int
    /// Largest accepted value of a mapped field (user, item, action, attribute), in bytes;
    /// for a multi-valued attribute the whole field as written (array or delimited string).
    public var maxFieldBytes: Int
    /// Most values one attribute field may carry unless its view sets `max_values` (a longer
    /// array or delimited list is rejected): a transition between two items adds up to the
    /// product of their value counts to an attribute view's edges.
    public var maxValuesPerField: Int
    /// Accepted timestamp range, milliseconds since the epoch (inclusive).
    public var minTimestampMillis: Int64
    public var maxTimestampMillis: Int64
    /// How far past the wall clock an event time may lie, in milliseconds (>= 0).
    public var maxFutureSkewMillis: Int64

    /// Defaults: 64 KiB records, 1 KiB fields, 32 values per attribute field, timestamps
    /// from 1970-01-01 to 2200-01-01 and at most 5 minutes past the wall clock.
    public init(
        maxRecordBytes: Int = 65_536, maxFieldBytes: Int = 1_024, minTimestampMillis: Int64 = 0,
        maxTimestampMillis: Int64 = 7_258_118_400_000, maxFutureSkewMillis: Int64 = 300_000,
        maxValuesPerField: Int = 32
    ) {
        self.maxRecordBytes = maxRecordBytes
        self.maxFieldBytes = maxFieldBytes
        self.maxValuesPerField = maxValuesPerField
        self.minTimestampMillis = minTimestampMillis
        self.maxTimestampMillis = maxTimestampMillis
        self.maxFutureSkewMillis = maxFutureSkewMillis
    }

    /// The latest event time accepted while the wall clock reads `nowMillis`: `nowMillis`
    /// plus the skew, saturating at the ends of `Int64`.
    public func latestAcceptedMillis(nowMillis: Int64) -> Int64 {
        let (sum, overflow) = nowMillis.addingReportingOverflow(maxFutureSkewMillis)
        if overflow { return maxFutureSkewMillis > 0 ? .max : .min }
        return sum
    }

    /// `seconds` in whole milliseconds without a trap: NaN and negative values give 0,
    /// values beyond `Int64` milliseconds give `Int64.max`.
    public static func milliseconds(fromSeconds seconds: Double) -> Int64 {
        let millis = (seconds * 1000).rounded()
        guard millis > 0 else { return 0 }  // also NaN
        return millis < 9.2e18 ? Int64(millis) : .max
    }
}
