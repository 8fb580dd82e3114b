/// Splits CSV and TSV lines into cells.
///
/// CSV follows RFC 4180 within one line: cells may be double-quoted, `""` inside quotes is a
/// quote; a quoted cell cannot span lines. TSV cells are split on tabs with no quoting.
enum DelimitedRow {
    static func split(_ line: Substring, format: PipelineConfig.EventFormat) throws(EventRejection) -> [String] {
        if format == .tsv { return line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        var cells: [String] = []
        var cell = ""
        var inQuotes = false
        var atCellStart = true
        var index = line.startIndex
        while index < line.endIndex {
            let c = line[index]
            line.formIndex(after: &index)
            if inQuotes {
                if c == "\"" {
                    if index < line.endIndex, line[index] == "\"" {
                        cell.append("\"")
                        line.formIndex(after: &index)
                    } else {
                        inQuotes = false
                    }
                } else {
                    cell.append(c)
                }
            } else if c == "," {
                cells.append(cell)
                cell = ""
                atCellStart = true
                continue
            } else if c == "\"" && atCellStart {
                inQuotes = true
            } else if c == "\"" {
                throw .badRow("stray quote in an unquoted cell")
            } else {
                cell.append(c)
            }
            atCellStart = false
        }
        if inQuotes { throw .badRow("unterminated quoted cell") }
        cells.append(cell)
        return cells
    }
}

/// The column index of each mapped field in a CSV/TSV header.
struct DelimitedHeader {
    /// Column index per slot (see ``EventFieldMapping``'s slot order); nil when absent.
    let columns: [Int?]
    let columnCount: Int

    init(cells: [String], mapping: EventFieldMapping) {
        let names = cells.map { $0.trimmingSpaces }
        columnCount = names.count
        columns = mapping.slotFields.map { names.firstIndex(of: $0) }
    }

    /// Mapped fields missing from the header.
    func missingFields(_ mapping: EventFieldMapping) -> [String] {
        zip(mapping.slotFields, columns).filter { $0.1 == nil }.map(\.0)
    }
}
