import Model

/// Runs restored session state through an `EagerSessionCutter` the way the ingester does
/// (Sources/Streaming/Ingest/IngestState+Apply.swift): every accepted event moves the
/// partition's clock, the cutter settles at the clock's watermark and the events it releases
/// extend a `GraphBuilder` from their session's cursor; at the end every session ends. The
/// events are those the event decoder accepts at the edges of `EventLimits`, from the restored
/// user and another one (the clock needs two users to move).
enum IngestDrive {
    /// Cutter settings with every optional rule on at its largest, the smallest settings, and a
    /// small event limit (a restored count is then past it at the first event).
    static let sessionConfigs = [
        PipelineConfig.Sessions(
            gapSeconds: ConfigLimits.gapSeconds.upperBound, minLength: 2, minDwellSeconds: ConfigLimits.dwellSeconds.upperBound,
            maxEventsPerUser: 1_000_000, allowedLatenessSeconds: ConfigLimits.latenessSeconds.upperBound),
        PipelineConfig.Sessions(gapSeconds: ConfigLimits.gapSeconds.lowerBound, minLength: 1, minDwellSeconds: 0, allowedLatenessSeconds: 0),
        PipelineConfig.Sessions(gapSeconds: 1800, minLength: 3, maxEventsPerUser: 3),
    ]

    /// Views of the builder the released events extend: the item view and the attributes of
    /// the seed events (`category`, `shop`).
    static let viewNames = ["item", "category", "shop"]

    static func run(config: PipelineConfig.Sessions, user: String = "u", state: EagerSessionCutter.UserState? = nil,
                    clock: PartitionClock = PartitionClock()) {
        var cutter = EagerSessionCutter(config: config)
        var clock = clock
        var builder = GraphBuilder(viewNames: viewNames)
        builder.keepsEdges = false
        func release(_ events: [Event], _ cursor: inout SessionCursor) { _ = builder.extend(session: events, cursor: &cursor) }
        func settle() {
            guard let millis = clock.millis else { return }
            _ = cutter.settle(watermark: cutter.watermark(atClock: millis), release: release)
        }
        if let state { cutter.restore(user: user, state: state) }
        settle()
        let limits = EventLimits()
        let other = user + "-other"
        for (who, t) in [(user, limits.maxTimestampMillis), (other, limits.minTimestampMillis), (user, limits.minTimestampMillis),
                         (other, limits.maxTimestampMillis), (user, limits.maxTimestampMillis)] {
            let event = Event(user: who, item: "i\(t)", timestampMillis: t, attributes: ["category": "c\(t)"])
            if cutter.add(event) == .accepted { clock.observe(user: who, millis: t) }
            settle()
        }
        _ = cutter.settle(watermark: .max, release: release)
        _ = cutter.finish(release: release)
    }
}
