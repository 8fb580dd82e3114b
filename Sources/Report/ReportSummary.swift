import Streaming
import Foundation

/// The summary table at the top of the report: counts and the latest values of the history.
struct ReportSummary {
    let series: HistorySeries
    let skippedLines: Int

    /// The `<table>` element.
    func html() -> String {
        var rows: [(String, String)] = []
        let records = series.records
        let ingest = series.of(.ingest), train = series.of(.train), publish = series.of(.publish)
        let checkpoints = series.of(.checkpoint)
        if let first = records.first, let last = records.last {
            let checkpointCount = checkpoints.isEmpty ? "" : ", \(checkpoints.count) checkpoint"
            rows.append(("History", "\(ChartNumber.count(records.count)) records (\(ingest.count) ingest, \(train.count) train, \(publish.count) publish\(checkpointCount)), "
                + "\(Self.time(first.timeMs)) to \(Self.time(last.timeMs)) (\(ChartNumber.duration(ms: Double(last.timeMs - first.timeMs))))"))
        } else {
            rows.append(("History", "no records yet"))
        }
        if skippedLines > 0 { rows.append(("Unreadable history lines", ChartNumber.count(skippedLines))) }
        if let events = ingest.last(where: { $0.events != nil })?.events { rows.append(("Events applied", ChartNumber.count(events))) }
        if let rate = ingest.last(where: { $0.eventsPerSecond != nil })?.eventsPerSecond { rows.append(("Ingest rate (latest)", ChartNumber.value(rate) + " events/s")) }
        if let lag = ingest.last(where: { $0.lag != nil })?.lag { rows.append(("Lag (latest)", ChartNumber.count(lag) + " messages")) }
        if let dead = ingest.last(where: { $0.deadLetters != nil })?.deadLetters { rows.append(("Dead letters", ChartNumber.count(dead))) }
        if let open = ingest.last(where: { $0.openSessions != nil })?.openSessions { rows.append(("Open sessions", ChartNumber.count(open))) }
        if !train.isEmpty {
            var text = "\(ChartNumber.count(train.count)) rounds"
            if let tokens = train.last(where: { $0.tokens != nil })?.tokens { text += ", \(ChartNumber.count(tokens)) tokens" }
            rows.append(("Training", text))
        }
        let versions = publish.compactMap(\.version)
        rows.append(("Versions published", ChartNumber.count(versions.count)))
        if let last = publish.last(where: { $0.version != nil }), let v = last.version {
            var text = "\(v)"
            var details: [String] = []
            if let kind = last.versionKind { details.append(kind) }
            if let rows = last.rows { details.append("\(ChartNumber.count(rows)) rows") }
            details.append("at \(Self.time(last.timeMs))")
            text += " (" + details.joined(separator: ", ") + ")"
            rows.append(("Last version", text))
            if let fresh = VersionFreshness(publish: publish).summaryRow() { rows.append(fresh) }
        }
        if let hr = publish.last(where: { $0.hitRate20 != nil }), let value = hr.hitRate20 {
            rows.append(("Latest HitRate@20", ChartNumber.value(value) + (hr.version.map { " (version \($0))" } ?? "")))
        }
        rows += checkpointRows(checkpoints)
        var html = "<table class=\"summary\">"
        for (k, v) in rows { html += "<tr><th>\(HTMLText.escape(k))</th><td>\(HTMLText.escape(v))</td></tr>" }
        if let views = viewTable() { html += "<tr><th>Nodes / edges per view</th><td>\(views)</td></tr>" }
        return html + "</table>"
    }

    /// Checkpoints written and failed, the last one written and the last failure with its reason.
    private func checkpointRows(_ checkpoints: [HistoryRecord]) -> [(String, String)] {
        guard !checkpoints.isEmpty else { return [] }
        let failed = checkpoints.filter { $0.ok == false }
        var rows = [("Checkpoints", "\(ChartNumber.count(checkpoints.count - failed.count)) written, \(ChartNumber.count(failed.count)) failed")]
        if let last = checkpoints.last(where: { $0.ok != false }) {
            rows.append(("Last checkpoint", "at \(Self.time(last.timeMs))" + (last.version.map { " (version \($0))" } ?? "")))
        }
        if let last = failed.last {
            let since = checkpoints.last?.ok == false ? "; no checkpoint written since" : ""
            rows.append(("Last checkpoint failure", "at \(Self.time(last.timeMs)): \(last.reason ?? "no reason recorded")\(since)"))
        }
        return rows
    }

    /// Nodes and edges of each view at the last ingest record that has them.
    private func viewTable() -> String? {
        guard let last = series.of(.ingest).last(where: { $0.nodes != nil || $0.edges != nil }) else { return nil }
        let nodes = last.nodes ?? [:], edges = last.edges ?? [:]
        let names = Set(nodes.keys).union(edges.keys).sorted()
        var html = "<table class=\"views\"><tr><th>view</th><th>nodes</th><th>edges</th></tr>"
        for n in names {
            html += "<tr><td>\(HTMLText.escape(n))</td><td>\(nodes[n].map(ChartNumber.count) ?? "–")</td><td>\(edges[n].map(ChartNumber.count) ?? "–")</td></tr>"
        }
        return html + "</table>"
    }

    /// A wall-clock time as ISO 8601 UTC.
    static func time(_ ms: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}
