import Foundation
import Report
import Testing

@Suite("Report charts")
struct ReportChartTests {
    @Test func lineChartDrawsOnePolylinePerSeriesWithLegend() {
        let chart = SVGLineChart(series: [
            ChartSeries(name: "alpha", points: (0..<50).map { ChartPoint(x: Double($0), y: Double($0 * $0)) }),
            ChartSeries(name: "beta", points: (0..<50).map { ChartPoint(x: Double($0), y: 3) }),
        ], xLabel: "time", yLabel: "value")
        let svg = chart.render()
        #expect(occurrences(of: "<polyline", in: svg) == 2)
        #expect(svg.contains(">alpha</text>") && svg.contains(">beta</text>"))
        #expect(svg.contains(">time</text>") && svg.contains(">value</text>"))
        #expect(nestingProblem(svg) == nil)
    }

    @Test func logScaleSkipsNonPositiveValues() {
        let chart = SVGLineChart(series: [ChartSeries(name: "n", points: [ChartPoint(x: 0, y: 0), ChartPoint(x: 1, y: 10), ChartPoint(x: 2, y: 1000)])],
                                 xLabel: "t", yLabel: "nodes", yScale: .log)
        #expect(chart.hasData)
        let svg = chart.render()
        #expect(occurrences(of: "<circle", in: svg) == 2)
        #expect(svg.contains(">1k</text>"))
        let zeros = SVGLineChart(series: [ChartSeries(name: "n", points: [ChartPoint(x: 0, y: 0)])], xLabel: "t", yLabel: "n", yScale: .log)
        #expect(!zeros.hasData)
    }

    @Test func integerAxisHasWholeTicks() {
        let points = [ChartPoint(x: 1, y: 0.1), ChartPoint(x: 2, y: 0.2), ChartPoint(x: 3, y: 0.15)]
        let whole = SVGLineChart(series: [ChartSeries(name: "hr", points: points)], xLabel: "version", yLabel: "hr", xIntegers: true).render()
        #expect(whole.contains(">2</text>"))
        #expect(!whole.contains(">1.5</text>"))
        let fractional = SVGLineChart(series: [ChartSeries(name: "hr", points: points)], xLabel: "version", yLabel: "hr").render()
        #expect(fractional.contains(">1.5</text>"))
    }

    @Test func histogramCountsEveryValueOnce() {
        let values = (0..<200).map { Double($0 % 37) * 0.7 }
        let svg = SVGHistogram(values: values, bins: 10, xLabel: "freshness").render()
        // Each bar's tooltip ends with its count.
        var total = 0
        var rest = Substring(svg)
        while let r = rest.range(of: "<title>") {
            let end = rest[r.upperBound...].firstIndex(of: "<") ?? rest.endIndex
            let text = rest[r.upperBound..<end]
            if let colon = text.lastIndex(of: ":"), let n = Int(text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)) { total += n }
            rest = rest[end...]
        }
        #expect(total == values.count)
    }

    @Test func constantValuesStillDraw() {
        let svg = SVGHistogram(values: [5, 5, 5], xLabel: "x").render()
        #expect(svg.contains("<rect class=\"bar\""))
        let line = SVGLineChart(series: [ChartSeries(name: "s", points: [ChartPoint(x: 1, y: 2)])], xLabel: "x", yLabel: "y").render()
        #expect(line.contains("<circle"))
        #expect(!line.contains("nan") && !line.contains("inf"))
    }

    @Test func scatterColoursGroupsAndGreysTheRest() {
        let points = [
            SVGScatter.Point(x: 0, y: 0, group: 0, label: "a"),
            SVGScatter.Point(x: 1, y: 1, group: 1, label: "b"),
            SVGScatter.Point(x: 2, y: 0, group: nil, label: "c"),
        ]
        let svg = SVGScatter(points: points, groups: [.init(name: "g0", count: 1), .init(name: "g1", count: 1)],
                             otherGroup: .init(name: "other", count: 1), xLabel: "PC1", yLabel: "PC2").render()
        #expect(svg.contains("fill=\"\(ChartPalette.color(0))\""))
        #expect(svg.contains("fill=\"\(ChartPalette.color(1))\""))
        #expect(occurrences(of: "fill=\"\(ChartPalette.other)\"", in: svg) == 2)  // point and legend swatch
        #expect(svg.contains(">other (1)</text>"))
    }
}
