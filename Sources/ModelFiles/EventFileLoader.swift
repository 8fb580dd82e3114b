import Foundation
import Logging
import Model

/// Reads events from a JSON Lines, CSV or TSV file (CSV/TSV need a header line), mapping
/// fields as the pipeline says. Streams: the file is read in chunks, one line at a time.
/// Malformed lines are counted and reported with their line numbers; they never stop the load.
/// The wall clock (for `future_timestamp`) is read once per load, when it starts.
public struct EventFileLoader: Sendable {
    public let format: PipelineConfig.EventFormat
    public let decoder: EventDecoder
    private let logger: Logger
    private let wallClock: @Sendable () -> Int64

    /// `wallClock` gives milliseconds since the epoch (tests pass a fixed time).
    public init(
        format: PipelineConfig.EventFormat, mapping: EventFieldMapping,
        logger: Logger = Logger(label: "m2grl.events"), wallClock: @escaping @Sendable () -> Int64 = WallClock.nowMillis
    ) {
        self.format = format
        self.decoder = EventDecoder(mapping: mapping)
        self.logger = logger
        self.wallClock = wallClock
    }

    public init(
        config: PipelineConfig, logger: Logger = Logger(label: "m2grl.events"),
        wallClock: @escaping @Sendable () -> Int64 = WallClock.nowMillis
    ) {
        self.init(format: config.events.format, mapping: EventFieldMapping(config: config), logger: logger, wallClock: wallClock)
    }

    /// Calls `body` with each valid event in file order. Throws ``EventLoadError`` when the
    /// file cannot be read, is empty, lacks header columns, or has no valid event.
    @discardableResult
    public func forEachEvent(path: String, _ body: (Event) throws -> Void) throws -> EventLoadReport {
        var report = EventLoadReport(path: path)
        var lines = EventLineDecoder(format: format, decoder: decoder)
        let nowMillis = wallClock()
        try LineReader(path: path).forEachLine { line, lineNumber in
            report.linesRead = lineNumber
            guard case .bytes(let bytes) = line else {
                if case .oversized(let size) = line { report.recordMalformed(line: lineNumber, .oversizedMessage(bytes: size)) }
                return
            }
            switch lines.decode(bytes, lineNumber: lineNumber, nowMillis: nowMillis) {
            case .event(let event):
                report.eventsAccepted += 1
                try body(event)
            case .rejected(let reason):
                report.recordMalformed(line: lineNumber, reason)
            case .blank:
                report.blankLines += 1
            case .header:
                break
            case .missingColumns(let fields):
                throw EventLoadError.missingColumns(path: path, fields: fields)
            }
        }
        if report.eventsAccepted == 0 {
            if report.malformedCount == 0 { throw EventLoadError.emptyFile(path: path) }
            throw EventLoadError.noValidEvents(report)
        }
        if report.malformedCount > 0 {
            logger.warning("malformed event lines skipped", metadata: ["report": "\(report)"])
        }
        return report
    }

    /// Loads every valid event of the file into memory, in file order.
    public func load(path: String) throws -> (events: [Event], report: EventLoadReport) {
        var events: [Event] = []
        let report = try forEachEvent(path: path) { events.append($0) }
        return (events, report)
    }
}
