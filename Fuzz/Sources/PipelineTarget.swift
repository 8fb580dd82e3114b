import Foundation
import Model

/// A pipeline file (`PipelineConfig.parse(yaml:)`), then the settings derived from it at
/// start: the event mapping, the session cutters (batch and eager), the trainer configuration.
enum PipelineTarget {
    static let target = FuzzTarget(name: "pipeline", run: { bytes in
        guard let config = try? PipelineConfig.parse(yaml: String(decoding: bytes, as: UTF8.self)) else { return false }
        let mapping = EventFieldMapping(config: config)
        _ = mapping.limits.latestAcceptedMillis(nowMillis: .max)
        _ = EventDecoder(mapping: mapping)
        var cutter = SessionCutter(config: config.sessions)
        let limits = EventLimits()
        for t in [limits.minTimestampMillis, limits.maxTimestampMillis, limits.minTimestampMillis] {
            _ = cutter.add(Event(user: "u", item: "i\(t)", timestampMillis: t))
        }
        _ = cutter.closeSessions(idleAt: limits.maxTimestampMillis)
        _ = cutter.finish()
        IngestDrive.run(config: config.sessions)
        _ = TrainerConfig(pipeline: config.training)
        return true
    }, seeds: {
        // The repository's pipelines/*.yaml are copied next to these by `ops/fuzz seeds`.
        [
            "minimal": Array("name: x\nevents: {user: u, item: i, time: t}\n".utf8),
            "sections": Array("""
                name: all
                events: {format: csv, user: u, item: i, time: t, time_unit: milliseconds, action: a, max_future_skew_seconds: 60}
                views: [{name: shop, field: s}]
                sessions: {gap_seconds: 0.5, min_length: 1, min_dwell_seconds: 2, max_events_per_user: 10}
                online: {walks_per_round: 5, checkpoint_seconds: 1}
                publish: {interval_seconds: 1, snapshot_every: 3, format: json}
                kafka: {topic: events, group: g, partitions: 2}
                ingest: {adjacency_cache_mb: 64}

                """.utf8),
        ]
    })
}
