/// Turns one record (a JSON object, or a CSV/TSV row) into an ``Event`` using a field
/// mapping. The streaming ingester calls ``decodeJSON(_:nowMillis:)`` once per message; the
/// file loader calls it once per line. Never throws on bad data: it returns the rejection
/// reason. Pure: the wall clock (for `future_timestamp`) is passed in, read once per batch.
public struct EventDecoder: Sendable {
    public let mapping: EventFieldMapping
    private let scanner: FlatJSONObjectScanner
    /// `mapping.slotFields`, computed once.
    private let slotFields: [String]
    private let firstAttributeSlot: Int

    public init(mapping: EventFieldMapping) {
        self.mapping = mapping
        self.slotFields = mapping.slotFields
        self.firstAttributeSlot = mapping.firstAttributeSlot
        self.scanner = FlatJSONObjectScanner(keys: mapping.slotFields)
    }

    /// A mapped field's value before typing.
    enum RawValue {
        case string(String)
        case number(String)
        case null
        case other(String)  // JSON kind name: "a boolean", "an object or array"
        /// The elements of a JSON array in an attribute field.
        case list([RawValue])
    }

    /// Decodes one JSON object (one message or one JSONL line without its newline); events
    /// later than `nowMillis` (the wall clock, ms since the epoch) plus the allowed skew are
    /// rejected as `future_timestamp`.
    public func decodeJSON<Bytes: Collection<UInt8>>(_ bytes: Bytes, nowMillis: Int64) -> Result<Event, EventRejection> {
        if bytes.count > mapping.limits.maxRecordBytes { return .failure(.oversizedMessage(bytes: bytes.count)) }
        if let result = bytes.withContiguousStorageIfAvailable({ decodeJSON(buffer: $0, nowMillis: nowMillis) }) { return result }
        return Array(bytes).withUnsafeBufferPointer { decodeJSON(buffer: $0, nowMillis: nowMillis) }
    }

    /// Decodes one JSON object given as a contiguous buffer (see ``decodeJSON(_:nowMillis:)``).
    public func decodeJSON(buffer bytes: UnsafeBufferPointer<UInt8>, nowMillis: Int64) -> Result<Event, EventRejection> {
        if bytes.count > mapping.limits.maxRecordBytes { return .failure(.oversizedMessage(bytes: bytes.count)) }
        let fields = slotFields
        var spans = [FlatJSONObjectScanner.ValueSpan?](repeating: nil, count: fields.count)
        do {
            try scanner.scan(bytes, into: &spans)
        } catch {
            return .failure(.notJSON("\(error.message) at byte \(error.offset + 1)"))
        }
        var raw: [RawValue?] = []
        raw.reserveCapacity(fields.count)
        for (slot, span) in spans.enumerated() {
            guard let span else {
                raw.append(nil)
                continue
            }
            if span.end - span.start > mapping.limits.maxFieldBytes {
                return .failure(.oversizedField(field: fields[slot], bytes: span.end - span.start))
            }
            switch span.kind {
            case .string:
                let decoded: String?
                do { decoded = try FlatJSONObjectScanner.decodeString(bytes, span) } catch {
                    return .failure(.notJSON("\(error.message) at byte \(error.offset + 1)"))
                }
                guard let decoded else { return .failure(.invalidUTF8) }
                raw.append(.string(decoded))
            case .number:
                let text = UnsafeBufferPointer(rebasing: bytes[span.start..<span.end])
                raw.append(.number(String(decoding: text, as: UTF8.self)))
            case .null: raw.append(.null)
            case .bool: raw.append(.other("a boolean"))
            case .nested:
                guard slot >= firstAttributeSlot else {
                    raw.append(.other("an object or array"))
                    continue
                }
                do {
                    raw.append(try list(bytes, span))
                } catch {
                    return .failure(.notJSON("\(error.message) at byte \(error.offset + 1)"))
                }
            }
        }
        return makeEvent(raw, nowMillis: nowMillis)
    }

    /// An attribute field's array as a list of scalar values (an object, and arrays or
    /// objects inside the array, stay `.other`: a wrong type).
    private func list(_ bytes: UnsafeBufferPointer<UInt8>, _ span: FlatJSONObjectScanner.ValueSpan) throws(FlatJSONObjectScanner.SyntaxError) -> RawValue {
        guard let elements = try scanner.arrayElements(bytes, span) else { return .other("an object") }
        var values: [RawValue] = []
        values.reserveCapacity(elements.count)
        for element in elements {
            switch element.kind {
            case .string:
                guard let decoded = try FlatJSONObjectScanner.decodeString(bytes, element) else { return .other("invalid UTF-8") }
                values.append(.string(decoded))
            case .number:
                values.append(.number(String(decoding: UnsafeBufferPointer(rebasing: bytes[element.start..<element.end]), as: UTF8.self)))
            case .null: values.append(.null)
            case .bool: return .other("an array holding a boolean")
            case .nested: return .other("an array holding an object or array")
            }
        }
        return .list(values)
    }

    /// Decodes one CSV/TSV row given the column index of each mapped field
    /// (see ``DelimitedHeader``). Empty cells count as absent.
    func decodeRow(_ cells: [String], columns: [Int?], nowMillis: Int64) -> Result<Event, EventRejection> {
        var raw: [RawValue?] = []
        raw.reserveCapacity(columns.count)
        for column in columns {
            guard let column, column < cells.count else {
                raw.append(nil)
                continue
            }
            raw.append(.string(cells[column]))
        }
        for (slot, value) in raw.enumerated() {
            if case .string(let s) = value, s.utf8.count > mapping.limits.maxFieldBytes {
                return .failure(.oversizedField(field: slotFields[slot], bytes: s.utf8.count))
            }
        }
        return makeEvent(raw, nowMillis: nowMillis)
    }

    private func makeEvent(_ raw: [RawValue?], nowMillis: Int64) -> Result<Event, EventRejection> {
        let user: String
        let item: String
        let time: Int64
        let action: String?
        do {
            user = try requiredId(raw[0], field: mapping.user)
            item = try requiredId(raw[1], field: mapping.item)
            time = try timestamp(raw[2], latestMillis: mapping.limits.latestAcceptedMillis(nowMillis: nowMillis))
            action = try optionalId(mapping.action == nil ? nil : raw[3], field: mapping.action ?? "")
        } catch {
            return .failure(error)
        }
        var attributes: [String: [String]] = [:]
        for (k, attribute) in mapping.attributes.enumerated() {
            do {
                let values = try attributeValues(raw[firstAttributeSlot + k], of: attribute)
                if !values.isEmpty { attributes[attribute.view] = values }
            } catch {
                return .failure(error)
            }
        }
        return .success(
            Event(user: user, item: item, timestampMillis: time, action: action, attributeValues: attributes))
    }

    /// An attribute field's values in input order without duplicates: the elements of a JSON
    /// array, the parts of a string split at the view's delimiter (empty parts dropped), or
    /// the one value. Null and empty values count as absent; more distinct values than
    /// the view's `max_values` (default `maxValuesPerField`) reject the record.
    private func attributeValues(_ value: RawValue?, of attribute: EventFieldMapping.AttributeField) throws(EventRejection) -> [String] {
        var values: [String] = []
        switch value {
        case .list(let elements):
            for element in elements {
                if let v = try optionalId(element, field: attribute.field) { values.append(v) }
            }
        case .string where attribute.delimiter != nil:
            guard let whole = try optionalId(value, field: attribute.field), let delimiter = attribute.delimiter else { return [] }
            values = whole.split(separator: delimiter).map(String.init)
        default:
            if let v = try optionalId(value, field: attribute.field) { values.append(v) }
        }
        values = Event.distinct(values)
        let limit = attribute.maxValues ?? mapping.limits.maxValuesPerField
        if values.count > limit { throw .tooManyValues(field: attribute.field, count: values.count, limit: limit) }
        return values
    }

    private func optionalId(_ value: RawValue?, field: String) throws(EventRejection) -> String? {
        switch value {
        case nil, .null: return nil
        case .string(let s):
            if s.isEmpty { return nil }
            if let codePoint = ControlCharacters.first(in: s) { throw .controlCharacter(field: field, codePoint: codePoint) }
            return s
        case .number(let s): return s
        case .other(let kind): throw .wrongType(field: field, expected: "a string or number, not \(kind)")
        case .list: throw .wrongType(field: field, expected: "a string or number, not an array holding an array")
        }
    }

    private func requiredId(_ value: RawValue?, field: String) throws(EventRejection) -> String {
        guard let id = try optionalId(value, field: field) else { throw .missingField(field) }
        return id
    }

    private func timestamp(_ value: RawValue?, latestMillis: Int64) throws(EventRejection) -> Int64 {
        let text: String
        switch value {
        case nil, .null: throw .missingField(mapping.time)
        case .string(let s):
            text = s.trimmingSpaces
            if text.isEmpty { throw .missingField(mapping.time) }
        case .number(let s): text = s
        case .other(let kind): throw .wrongType(field: mapping.time, expected: "a number, not \(kind)")
        case .list: throw .wrongType(field: mapping.time, expected: "a number, not an array")
        }
        let scale = mapping.timeUnit.millisecondsPerUnit
        var millis: Int64
        if let int = Int64(text) {
            let (product, overflow) = int.multipliedReportingOverflow(by: scale)
            if overflow { throw .absurdTimestamp(text) }
            millis = product
        } else if let double = Double(text), double.isFinite, abs(double * Double(scale)) < 9e18 {
            millis = Int64((double * Double(scale)).rounded())
        } else {
            throw .absurdTimestamp(text)
        }
        if millis < mapping.limits.minTimestampMillis || millis > mapping.limits.maxTimestampMillis {
            throw .absurdTimestamp(text)
        }
        if millis > latestMillis { throw .futureTimestamp(text) }
        return millis
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
