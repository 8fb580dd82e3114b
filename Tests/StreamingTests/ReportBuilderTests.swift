import Foundation
import Model
import Streaming
import Testing

@Suite("Report page")
struct ReportBuilderTests {
    /// Charts of the page: loss, weights, HitRate@20, freshness, ingest rate, lag, nodes, projection.
    static let chartCount = 8

    @Test func everyChartWithDataIsOneSVG() {
        let input = ReportInput(records: syntheticHistory(), itemEmbeddings: syntheticItemView(count: 300),
                                categories: ItemCategories(viewName: "category", byItem: ["item1": "c1"]))
        let html = ReportBuilder().build(input)
        #expect(occurrences(of: "<svg", in: html) == Self.chartCount)
        #expect(occurrences(of: "</svg>", in: html) == Self.chartCount)
        #expect(!html.contains("no data yet"))
        #expect(nestingProblem(html) == nil)
    }

    @Test func emptyHistoryGivesNoDataSectionsAndValidHTML() {
        let html = ReportBuilder().build(ReportInput(records: []))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("</html>"))
        #expect(occurrences(of: "<svg", in: html) == 0)
        #expect(occurrences(of: "no data yet", in: html) == Self.chartCount)
        #expect(html.contains("no records yet"))
        #expect(nestingProblem(html) == nil)
    }

    @Test func onlyChartsWithDataAreDrawn() {
        // Ingest records only: rate, lag and nodes have data, the rest does not.
        let html = ReportBuilder().build(ReportInput(records: syntheticHistory().filter { $0.kind == .ingest }))
        #expect(occurrences(of: "<svg", in: html) == 3)
        #expect(occurrences(of: "no data yet", in: html) == Self.chartCount - 3)
    }

    @Test func pageLoadsNothingFromOutside() throws {
        let input = ReportInput(records: syntheticHistory(), itemEmbeddings: syntheticItemView(count: 200))
        let html = ReportBuilder().build(input)
        #expect(!html.contains("http://"))
        #expect(!html.contains("https://"))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.lowercased().contains("<link"))
        #expect(!html.lowercased().contains("@import"))
        #expect(!html.lowercased().contains("url("))
        var rest = Substring(html.lowercased())
        while let r = rest.range(of: "src=") {
            rest = rest[r.upperBound...]
            #expect(rest.hasPrefix("\"data:") || rest.hasPrefix("'data:"))
        }
    }

    @Test func textFromTheDataIsEscaped() {
        var records = syntheticHistory(views: ["item", "<b>"], tasks: ["intra:<b>", "align:item->\"x\"&y"])
        records[0].versionKind = "<script>alert(1)</script>"
        let view = syntheticItemView(count: 50)
        let input = ReportInput(title: "a <b> & 'c'", records: records, itemEmbeddings: view,
                                categories: ItemCategories(viewName: "<i>cat</i>", byItem: ["item1": "<b>"]),
                                notes: ["note <b>"])
        let html = ReportBuilder().build(input)
        #expect(!html.contains("<b>"))
        #expect(!html.contains("<i>"))
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;b&gt;"))
        #expect(html.contains("a &lt;b&gt; &amp; &#39;c&#39;"))
        #expect(html.contains("intra:&lt;b&gt;"))
        #expect(html.contains("align:item-&gt;&quot;x&quot;&amp;y"))
        #expect(nestingProblem(html) == nil)
    }

    @Test func taskWeightIsExpOfMinusLogVariance() {
        var r = HistoryRecord(kind: .train, timeMs: 0)
        r.taskLogVariances = ["intra:item": log(4.0)]
        let html = ReportBuilder().build(ReportInput(records: [r]))
        // The marker's tooltip carries the plotted value.
        #expect(html.contains("intra:item: 0.25 at 0"))
    }

    @Test func summaryShowsLatestValues() {
        let html = ReportBuilder().build(ReportInput(records: syntheticHistory(rounds: 30)))
        #expect(html.contains("Latest HitRate@20</th><td>0.245 (version 30)"))
        #expect(html.contains("<th>Versions published</th><td>30</td>"))
        #expect(html.contains("<td>category</td><td>1,500</td><td>9,000</td>"))
    }

    @Test func stringsAreEscaped() {
        #expect(HTMLText.escape("<a href='x'>\"&\"</a>") == "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;")
        #expect(HTMLText.escape("plain é") == "plain é")
    }
}
