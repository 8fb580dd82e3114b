import Foundation
import Model
import Report
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

// MARK: - Fixtures shared by the Report*Tests suites


/// A history with every record kind: `rounds` ingest, train and publish records a second apart.
func syntheticHistory(rounds: Int = 30, views: [String] = ["item", "category"], tasks: [String] = ["intra:item", "align:item->category"]) -> [HistoryRecord] {
    var out: [HistoryRecord] = []
    let start: Int64 = 1_700_000_000_000
    for i in 0..<rounds {
        var ingest = HistoryRecord(kind: .ingest, timeMs: start + Int64(i) * 1000)
        ingest.events = UInt64(i * 500)
        ingest.eventsPerSecond = 500 + Double(i % 5) * 10
        ingest.lag = Int64(1000 - i * 10)
        ingest.deadLetters = 2
        ingest.openSessions = 40
        ingest.nodes = Dictionary(uniqueKeysWithValues: views.enumerated().map { ($0.element, (i + 1) * 100 / ($0.offset + 1)) })
        ingest.edges = Dictionary(uniqueKeysWithValues: views.map { ($0, (i + 1) * 300) })
        var train = HistoryRecord(kind: .train, timeMs: ingest.timeMs + 300)
        train.tokens = UInt64(i * 10_000)
        train.losses = Dictionary(uniqueKeysWithValues: tasks.enumerated().map { ($0.element, 3.0 / Double(i + 1) + Double($0.offset)) })
        train.taskLogVariances = Dictionary(uniqueKeysWithValues: tasks.enumerated().map { ($0.element, -0.01 * Double(i) * Double($0.offset + 1)) })
        var publish = HistoryRecord(kind: .publish, timeMs: ingest.timeMs + 600)
        publish.version = UInt64(i + 1)
        publish.versionKind = i % 10 == 0 ? "snapshot" : "delta"
        publish.rows = 100
        publish.eventTimeWatermarkMs = publish.timeMs - 2000 - Int64(i * 37 % 500)
        publish.freshnessMs = publish.timeMs - (publish.eventTimeWatermarkMs ?? 0)
        publish.hitRate20 = 0.1 + 0.005 * Double(i)
        out += [ingest, train, publish]
    }
    return out
}

/// An item view of `count` items in `dim` dimensions, item `i` named `item<i>`; item `i`'s
/// embedding is `(i % clusters)` times a cluster offset plus a little deterministic noise.
func syntheticItemView(count: Int, dim: Int = 8, clusters: Int = 3) -> TrainedView {
    var values: [Float] = []
    for i in 0..<count {
        for d in 0..<dim {
            let center: Float = d == (i % clusters) % dim ? 5 : 0
            values.append(center + 0.1 * Float(sin(Double(i * 31 + d * 7))))
        }
    }
    return TrainedView(name: "item", nodeNames: (0..<count).map { "item\($0)" },
                       embeddings: EmbeddingMatrix(rows: count, dim: dim, values: values))
}

/// Occurrences of `needle` in `haystack`.
func occurrences(of needle: String, in haystack: String) -> Int {
    haystack.components(separatedBy: needle).count - 1
}

/// Checks that every element opened in `html` is closed in order (void elements and
/// `/>`-closed ones excepted); returns the first problem found, nil if well nested.
func nestingProblem(_ html: String) -> String? {
    let void: Set<String> = ["meta", "br", "img", "input", "link", "hr", "!doctype"]
    var stack: [String] = []
    var rest = Substring(html)
    while let open = rest.firstIndex(of: "<") {
        guard let close = rest[open...].firstIndex(of: ">") else { return "unterminated tag" }
        let tag = rest[rest.index(after: open)..<close]
        rest = rest[rest.index(after: close)...]
        let name = tag.prefix { !$0.isWhitespace && $0 != "/" && $0 != ">" }.lowercased()
        if tag.hasPrefix("/") {
            let closing = tag.dropFirst().lowercased()
            guard let top = stack.popLast() else { return "closing </\(closing)> with nothing open" }
            if top != closing { return "</\(closing)> closes <\(top)>" }
        } else if tag.hasSuffix("/") || void.contains(name) {
            continue
        } else {
            stack.append(name)
        }
    }
    return stack.isEmpty ? nil : "unclosed <\(stack.joined(separator: "><"))>"
}
