/// Decodes the lines of an event file (JSON Lines, CSV or TSV) one at a time, in file order:
/// the byte order mark of line 1, blank lines, the CSV/TSV header, record size, then
/// ``EventDecoder``. Bytes in, outcomes out; reading the file is `EventFileLoader`'s part.
public struct EventLineDecoder: Sendable {
    public enum Outcome: Sendable, Equatable {
        case event(Event)
        case rejected(EventRejection)
        /// A blank line (spaces and tabs only).
        case blank
        /// The CSV/TSV header, read and checked.
        case header
        /// The CSV/TSV header lacks columns for these mapped fields: the file cannot be read.
        case missingColumns([String])
    }

    public let format: PipelineConfig.EventFormat
    public let decoder: EventDecoder
    private var header: DelimitedHeader?

    public init(format: PipelineConfig.EventFormat, decoder: EventDecoder) {
        self.format = format
        self.decoder = decoder
    }

    /// One line without its line break; `lineNumber` counts from 1.
    public mutating func decode(_ line: UnsafeBufferPointer<UInt8>, lineNumber: Int, nowMillis: Int64) -> Outcome {
        var bytes = line
        if lineNumber == 1, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            bytes = UnsafeBufferPointer(rebasing: bytes[3...])  // UTF-8 byte order mark
        }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return .blank }
        if bytes.count > decoder.mapping.limits.maxRecordBytes { return .rejected(.oversizedMessage(bytes: bytes.count)) }
        let result: Result<Event, EventRejection>
        switch format {
        case .jsonl:
            result = decoder.decodeJSON(buffer: bytes, nowMillis: nowMillis)
        case .csv, .tsv:
            guard let text = FlatJSONObjectScanner.validatedString(bytes) else { return .rejected(.invalidUTF8) }
            let cells: [String]
            switch Result(catching: { () throws(EventRejection) in try DelimitedRow.split(Substring(text), format: format) }) {
            case .success(let split): cells = split
            case .failure(let reason): return .rejected(reason)
            }
            guard let header else {
                let parsed = DelimitedHeader(cells: cells, mapping: decoder.mapping)
                let missing = parsed.missingFields(decoder.mapping)
                if !missing.isEmpty { return .missingColumns(missing) }
                header = parsed
                return .header
            }
            if cells.count != header.columnCount {
                return .rejected(.badRow("\(cells.count) cells, header has \(header.columnCount)"))
            }
            result = decoder.decodeRow(cells, columns: header.columns, nowMillis: nowMillis)
        }
        switch result {
        case .success(let event): return .event(event)
        case .failure(let reason): return .rejected(reason)
        }
    }
}
