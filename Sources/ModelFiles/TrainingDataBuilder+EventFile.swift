import Foundation
import Model

extension TrainingDataBuilder {
    /// The full offline build from an event file in the pipeline's format (see
    /// ``buildGraphs(eventFile:)``).
    public func build(eventFile path: String) throws -> (data: TrainingData, report: EventLoadReport) {
        let (graphs, report) = try buildGraphs(eventFile: path)
        return (Self.trainingData(graphs: graphs.builder, config: config), report)
    }

    /// Graphs from an event file, identical to ``buildGraphs(events:)`` on its events. A file
    /// in non-decreasing time order is streamed straight through the incremental cutter
    /// (events never sit in memory; with `max_events_per_user` a first pass counts events
    /// per user); any other file is loaded into memory and sorted.
    public func buildGraphs(eventFile path: String) throws -> (graphs: Graphs, report: EventLoadReport) {
        let loader = EventFileLoader(config: config, logger: logger)
        var cutter = SessionCutter(config: config.sessions)
        if let limit = config.sessions.maxEventsPerUser {
            var quiet = logger
            quiet.logLevel = .error
            var counts: [String: Int] = [:]
            try EventFileLoader(config: config, logger: quiet).forEachEvent(path: path) { counts[$0.user, default: 0] += 1 }
            cutter.markOverActive(counts.filter { $0.value > limit }.keys.sorted())
        }
        struct NotTimeSorted: Error {}
        var builder = GraphBuilder(config: config)
        var latest = Int64.min
        do {
            let report = try loader.forEachEvent(path: path) { event in
                if event.timestampMillis < latest { throw NotTimeSorted() }
                latest = event.timestampMillis
                if let session = cutter.add(event) { builder.apply(session) }
            }
            builder.apply(cutter.finish())
            logger.info(
                "built view graphs from a time-sorted file, streaming",
                metadata: [
                    "events": "\(report.eventsAccepted)", "sessions": "\(cutter.statistics.sessionsEmitted)",
                    "views": "\(builder.views.map { "\($0.name):\($0.vocabulary.count)n/\($0.graph.edgeCount)e" })",
                ])
            return (Graphs(builder: builder, sessions: cutter.statistics), report)
        } catch is NotTimeSorted {
            logger.info("event file is not sorted by time; loading it into memory", metadata: ["path": "\(path)"])
            let (events, report) = try loader.load(path: path)
            return (buildGraphs(events: events), report)
        }
    }
}
