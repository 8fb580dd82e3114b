import Model

/// What happened while reading one event file.
public struct EventLoadReport: Sendable, Equatable, CustomStringConvertible {
    /// One rejected line.
    public struct MalformedLine: Sendable, Equatable {
        /// 1-based line number in the file (the CSV/TSV header is line 1).
        public var lineNumber: Int
        public var reason: EventRejection
    }

    /// How many malformed lines are kept as examples.
    public static let maxExamples = 10

    public var path: String
    /// Lines read, the header and blank lines included.
    public var linesRead = 0
    public var blankLines = 0
    public var eventsAccepted = 0
    public var malformedCount = 0
    /// The first ``maxExamples`` malformed lines with their reasons.
    public var malformedExamples: [MalformedLine] = []

    public init(path: String) {
        self.path = path
    }

    mutating func recordMalformed(line: Int, _ reason: EventRejection) {
        malformedCount += 1
        if malformedExamples.count < Self.maxExamples {
            malformedExamples.append(MalformedLine(lineNumber: line, reason: reason))
        }
    }

    public var description: String {
        var text = "\(path): \(eventsAccepted) events, \(malformedCount) malformed lines"
        for example in malformedExamples { text += "\n  line \(example.lineNumber): \(example.reason)" }
        if malformedCount > malformedExamples.count {
            text += "\n  ... and \(malformedCount - malformedExamples.count) more"
        }
        return text
    }
}

/// An event file that cannot be used at all.
public enum EventLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotOpen(path: String)
    /// The file has no lines (or only blank lines).
    case emptyFile(path: String)
    /// The CSV/TSV header lacks columns the pipeline maps.
    case missingColumns(path: String, fields: [String])
    /// Every data line was malformed; the report says why.
    case noValidEvents(EventLoadReport)

    public var description: String {
        switch self {
        case .cannotOpen(let path): "\(path): cannot open file"
        case .emptyFile(let path): "\(path): file is empty"
        case .missingColumns(let path, let fields):
            "\(path): header lacks column(s) \(fields.joined(separator: ", "))"
        case .noValidEvents(let report): "no valid events in \(report)"
        }
    }
}
