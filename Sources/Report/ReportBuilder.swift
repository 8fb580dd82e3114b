/// Builds the report page: one self-contained HTML document (inline CSS and SVG, no
/// scripts, no external resources) with a summary table and the charts of the history and
/// of the latest embeddings. Sections without data say "no data yet".
public struct ReportBuilder: Sendable {
    public init() {}

    /// The HTML document for `input`.
    public func build(_ input: ReportInput) -> String {
        let series = HistorySeries(records: input.records)
        let time = series.timeLabel
        var body = "<h1>\(HTMLText.escape(input.title))</h1>"
        if !input.generatedAt.isEmpty { body += "<p class=\"meta\">generated \(HTMLText.escape(input.generatedAt))</p>" }
        var notes = input.notes
        var projection: ItemProjection?
        if let view = input.itemEmbeddings {
            do { projection = try ItemProjection(view: view, categories: input.categories) } catch {
                notes.append("embedding projection failed: \(error)")
            }
        }
        if !notes.isEmpty { body += "<div class=\"notes\">" + notes.map { "<p>\(HTMLText.escape($0))</p>" }.joined() + "</div>" }
        body += "<h2>Summary</h2>" + ReportSummary(series: series, skippedLines: input.skippedLines).html()

        body += "<h2>Training</h2><div class=\"row\">"
        body += figure("Loss per task (mean of each round)", SVGLineChart(series: series.losses, xLabel: time, yLabel: "loss"))
        body += figure("Task weights exp(−s_t)", SVGLineChart(series: series.taskWeights, xLabel: time, yLabel: "weight"))
        body += "</div>"

        body += "<h2>Published versions</h2><div class=\"row\">"
        body += figure("HitRate@20 by version", SVGLineChart(series: series.hitRate, xLabel: "version", yLabel: "HitRate@20", markers: true, xIntegers: true))
        let freshness = VersionFreshness(publish: series.of(.publish))
        let (values, unit) = freshness.scaled()
        let labels = freshness.chartLabels(unit: unit)
        body += figure(labels.caption, SVGHistogram(values: values, xLabel: labels.xLabel, yLabel: "versions"))
        body += "</div>"

        body += "<h2>Ingest</h2><div class=\"row\">"
        body += figure("Ingest rate", SVGLineChart(series: series.ingestRate, xLabel: time, yLabel: "events/s", yIncludesZero: true))
        body += figure("Lag behind the high watermarks", SVGLineChart(series: series.lag, xLabel: time, yLabel: "messages", yIncludesZero: true))
        body += figure("Nodes per view (log scale)", SVGLineChart(series: series.nodes, xLabel: time, yLabel: "nodes", yScale: .log))
        body += "</div>"

        body += "<h2>Item embeddings</h2>"
        body += projectionFigure(projection, categories: input.categories)
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + "<title>\(HTMLText.escape(input.title))</title><style>\(ReportStyle.css)</style></head>"
            + "<body>\(body)</body></html>\n"
    }

    private func figure(_ caption: String, _ chart: SVGLineChart) -> String {
        figure(caption, hasData: chart.hasData, chart.render)
    }

    private func figure(_ caption: String, _ chart: SVGHistogram) -> String {
        figure(caption, hasData: chart.hasData, chart.render)
    }

    private func figure(_ caption: String, hasData: Bool, _ render: () -> String) -> String {
        "<figure><figcaption>\(HTMLText.escape(caption))</figcaption>"
            + (hasData ? render() : "<p class=\"empty\">no data yet</p>") + "</figure>"
    }

    private func projectionFigure(_ projection: ItemProjection?, categories: ItemCategories?) -> String {
        guard let p = projection else {
            return figure("2-D projection (PCA) of item embeddings", hasData: false) { "" }
        }
        func axis(_ k: Int) -> String {
            let share = k < p.explainedVariance.count ? p.explainedVariance[k] : 0
            return "PC\(k + 1) (\(ChartNumber.percent(share)) of variance)"
        }
        var caption = "2-D projection (PCA) of item embeddings: \(ChartNumber.count(p.points.count)) of \(ChartNumber.count(p.totalItems)) items"
        if let c = categories { caption += ", coloured by \(c.viewName)" }
        let chart = SVGScatter(points: p.points, groups: p.groups, otherGroup: p.other, xLabel: axis(0), yLabel: axis(1))
        return figure(caption, hasData: chart.hasData, chart.render)
    }
}
