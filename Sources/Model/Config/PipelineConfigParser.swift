import Foundation
import Yams

extension PipelineConfig {
    /// Parses and validates pipeline YAML; `source` labels error messages.
    public static func parse(yaml: String, source: String = "<pipeline>") throws -> PipelineConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw PipelineConfigError(source: source, field: "", message: "not valid YAML (\(error))")
        }
        guard let root else { throw PipelineConfigError(source: source, field: "", message: "empty file") }
        return try PipelineConfigParser(source: source).parseRoot(root)
    }
}

/// Node-level parser behind ``PipelineConfig/parse(yaml:source:)``.
struct PipelineConfigParser {
    let source: String

    func parseRoot(_ root: Node) throws -> PipelineConfig {
        let top = try YAMLMappingReader(
            root, source: source, path: "",
            allowedKeys: ["name", "events", "views", "sessions", "walks", "alignments", "training", "kafka", "online", "publish", "ingest"])
        let name = try top.requiredString("name")
        let events = try parseEvents(top.node("events"))
        let views = try parseViews(top.sequence("views"), events: events)
        let viewNames = [PipelineConfig.itemViewName] + views.map(\.name)
        let sessions = try top.has("sessions") ? parseSessions(top.node("sessions")) : PipelineConfig.Sessions()
        let walks = try top.has("walks") ? parseWalks(top.node("walks")) : PipelineConfig.Walks()
        let alignments = try parseAlignments(top.sequence("alignments"), viewNames: viewNames)
        let training =
            try top.has("training")
            ? parseTraining(top.node("training"), viewNames: viewNames) : PipelineConfig.Training()
        let kafka = try top.has("kafka") ? parseKafka(top.node("kafka")) : nil
        var config = PipelineConfig(
            name: name, events: events, views: views, sessions: sessions, walks: walks,
            alignments: alignments, training: training, kafka: kafka)
        if top.has("online") { config.online = try parseOnline(top.node("online")) }
        if top.has("ingest") { config.ingest = try parseIngest(top.node("ingest")) }
        if top.has("publish") { config.publish = try parsePublish(top.node("publish")) }
        return config
    }

    func parseEvents(_ node: Node?) throws -> PipelineConfig.Events {
        let r = try YAMLMappingReader(
            node, source: source, path: "events",
            allowedKeys: ["format", "user", "item", "time", "time_unit", "action", "max_future_skew_seconds"])
        var events = PipelineConfig.Events(
            format: try r.enumValue("format", PipelineConfig.EventFormat.self) ?? .jsonl,
            user: try r.requiredString("user"),
            item: try r.requiredString("item"),
            time: try r.requiredString("time"),
            timeUnit: try r.enumValue("time_unit", PipelineConfig.TimeUnit.self) ?? .seconds,
            action: try r.string("action"))
        let fields = [("user", events.user), ("item", events.item), ("time", events.time)]
            + (events.action.map { [("action", $0)] } ?? [])
        for (i, (key, field)) in fields.enumerated() {
            if let earlier = fields[..<i].first(where: { $0.1 == field }) {
                throw r.error(key, "field '\(field)' is already used by events.\(earlier.0)")
            }
        }
        if let skew = try r.double("max_future_skew_seconds") {
            let limit = PipelineConfig.Events.maxFutureSkewSecondsLimit
            guard skew.isFinite, skew >= 0, skew <= limit else {
                throw r.error("max_future_skew_seconds", "must be a finite number from 0 to \(Int64(limit)), got \(skew)")
            }
            events.maxFutureSkewSeconds = skew
        }
        return events
    }

    func parseViews(_ nodes: [Node], events: PipelineConfig.Events) throws -> [PipelineConfig.View] {
        var views: [PipelineConfig.View] = []
        for (i, node) in nodes.enumerated() {
            let r = try YAMLMappingReader(node, source: source, path: "views[\(i)]", allowedKeys: ["name", "field", "delimiter", "max_values"])
            let view = PipelineConfig.View(
                name: try r.requiredString("name"), field: try r.requiredString("field"), delimiter: try r.string("delimiter"),
                maxValues: try r.int("max_values", in: ConfigLimits.maxValues))
            if let delimiter = view.delimiter, delimiter.utf8.count > ConfigLimits.delimiterBytes {
                throw r.error("delimiter", "at most \(ConfigLimits.delimiterBytes) bytes")
            }
            if view.name == PipelineConfig.itemViewName {
                throw r.error("name", "'item' is the implicit item view; choose another name")
            }
            if views.contains(where: { $0.name == view.name }) { throw r.error("name", "duplicate view '\(view.name)'") }
            if [events.user, events.item, events.time].contains(view.field) {
                throw r.error("field", "'\(view.field)' is already the user, item or time field")
            }
            views.append(view)
        }
        return views
    }

    func parseSessions(_ node: Node?) throws -> PipelineConfig.Sessions {
        let r = try YAMLMappingReader(
            node, source: source, path: "sessions",
            allowedKeys: ["gap_seconds", "min_length", "min_dwell_seconds", "max_events_per_user", "allowed_lateness_seconds"])
        var s = PipelineConfig.Sessions()
        if let gap = try r.double("gap_seconds", in: ConfigLimits.gapSeconds) {
            s.gapMilliseconds = ConfigLimits.milliseconds(gap, clampedTo: ConfigLimits.gapSeconds)
        }
        if let minLength = try r.int("min_length") {
            try r.positive("min_length", minLength)
            s.minLength = minLength
        }
        if let dwell = try r.double("min_dwell_seconds", in: ConfigLimits.dwellSeconds) {
            s.minDwellMilliseconds = ConfigLimits.milliseconds(dwell, clampedTo: ConfigLimits.dwellSeconds)
        }
        if let maxEvents = try r.int("max_events_per_user") {
            try r.positive("max_events_per_user", maxEvents)
            s.maxEventsPerUser = maxEvents
        }
        if let lateness = try r.double("allowed_lateness_seconds", in: ConfigLimits.latenessSeconds) {
            s.allowedLatenessMilliseconds = ConfigLimits.milliseconds(lateness, clampedTo: ConfigLimits.latenessSeconds)
        }
        return s
    }

    func parseWalks(_ node: Node?) throws -> PipelineConfig.Walks {
        let r = try YAMLMappingReader(node, source: source, path: "walks", allowedKeys: ["length", "per_node", "seed"])
        var w = PipelineConfig.Walks()
        if let length = try r.int("length", in: ConfigLimits.walkLength) { w.length = length }
        if let perNode = try r.int("per_node", in: ConfigLimits.walksPerNode) { w.perNode = perNode }
        if let seed = try r.int("seed") {
            try r.nonNegative("seed", seed)
            w.seed = UInt64(seed)
        }
        return w
    }

    func parseAlignments(_ nodes: [Node], viewNames: [String]) throws -> [PipelineConfig.Alignment] {
        var alignments: [PipelineConfig.Alignment] = []
        for (i, node) in nodes.enumerated() {
            let r = try YAMLMappingReader(node, source: source, path: "alignments[\(i)]", allowedKeys: ["from", "to"])
            let from = try r.string("from") ?? PipelineConfig.itemViewName
            let to = try r.requiredString("to")
            if from != PipelineConfig.itemViewName {
                throw r.error("from", "only the item view can be aligned from (got '\(from)')")
            }
            if !viewNames.dropFirst().contains(to) {
                throw r.error("to", "unknown view '\(to)' (declared: \(viewNames.dropFirst().joined(separator: ", ")))")
            }
            if alignments.contains(where: { $0.from == from && $0.to == to }) {
                throw r.error("to", "duplicate alignment \(from) -> \(to)")
            }
            alignments.append(PipelineConfig.Alignment(from: from, to: to))
        }
        return alignments
    }

    func parseKafka(_ node: Node?) throws -> PipelineConfig.Kafka {
        let r = try YAMLMappingReader(
            node, source: source, path: "kafka",
            allowedKeys: ["topic", "group", "dead_letter_topic", "embeddings_topic", "versions_topic", "partitions"])
        let partitions = try r.int("partitions", in: ConfigLimits.partitions)
        return PipelineConfig.Kafka(
            topic: try r.requiredString("topic"), group: try r.string("group"),
            deadLetterTopic: try r.string("dead_letter_topic"), embeddingsTopic: try r.string("embeddings_topic"),
            versionsTopic: try r.string("versions_topic"), partitions: partitions)
    }
}
