/// The plot area of a chart: its pixel frame, axes with ticks and labels, a legend, and the
/// SVG text being assembled. The chart types draw their marks between ``open(...)`` and
/// ``close()``.
struct SVGCanvas {
    struct LegendEntry {
        var label: String
        var color: String
    }

    let width: Double
    let height: Double
    let left: Double
    let right: Double
    let top: Double
    let bottom: Double
    private(set) var svg = ""

    /// A canvas of `width x height` pixels whose plot area leaves room for axis labels and
    /// `legendRows` legend lines under the x axis.
    init(width: Double, height: Double, legendRows: Int) {
        self.width = width
        self.height = height + Double(legendRows) * 18
        left = 64
        right = width - 16
        top = 12
        bottom = height - 44
    }

    /// Legend lines needed for `labels` in a chart `width` pixels wide.
    static func legendRows(_ labels: [String], width: Double) -> Int {
        layoutLegend(labels, width: width).last.map { $0.row + 1 } ?? 0
    }

    private static func layoutLegend(_ labels: [String], width: Double) -> [(row: Int, x: Double)] {
        var result: [(row: Int, x: Double)] = []
        var row = 0, x = 64.0
        for label in labels {
            let w = 22 + Double(min(label.count, 40)) * 6.6 + 14
            if x + w > width - 8, x > 64 { row += 1; x = 64 }
            result.append((row, x))
            x += w
        }
        return result
    }

    /// Starts the `<svg>` element; `label` becomes its accessible name.
    mutating func open(label: String) {
        svg += "<svg class=\"chart\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
        svg += "viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTMLText.escape(label))\">"
    }

    /// Grid lines, ticks, tick labels and axis titles.
    mutating func axes(x: ChartScale, y: ChartScale, xLabel: String, yLabel: String,
                       xTickLabel: ((Double) -> String)? = nil) {
        svg += "<g class=\"grid\">"
        for t in y.ticks {
            let py = svgNumber(y.position(t))
            svg += "<line x1=\"\(svgNumber(left))\" y1=\"\(py)\" x2=\"\(svgNumber(right))\" y2=\"\(py)\"/>"
        }
        svg += "</g><g class=\"axis\">"
        svg += "<line x1=\"\(svgNumber(left))\" y1=\"\(svgNumber(bottom))\" x2=\"\(svgNumber(right))\" y2=\"\(svgNumber(bottom))\"/>"
        svg += "<line x1=\"\(svgNumber(left))\" y1=\"\(svgNumber(top))\" x2=\"\(svgNumber(left))\" y2=\"\(svgNumber(bottom))\"/>"
        for t in y.ticks {
            let py = y.position(t)
            svg += "<text x=\"\(svgNumber(left - 6))\" y=\"\(svgNumber(py + 4))\" text-anchor=\"end\">\(HTMLText.escape(y.label(t)))</text>"
        }
        for t in x.ticks {
            let px = svgNumber(x.position(t))
            svg += "<line x1=\"\(px)\" y1=\"\(svgNumber(bottom))\" x2=\"\(px)\" y2=\"\(svgNumber(bottom + 5))\"/>"
            let text = xTickLabel?(t) ?? x.label(t)
            svg += "<text x=\"\(px)\" y=\"\(svgNumber(bottom + 18))\" text-anchor=\"middle\">\(HTMLText.escape(text))</text>"
        }
        svg += "<text class=\"title\" x=\"\(svgNumber((left + right) / 2))\" y=\"\(svgNumber(bottom + 36))\" text-anchor=\"middle\">\(HTMLText.escape(xLabel))</text>"
        let cy = svgNumber((top + bottom) / 2)
        svg += "<text class=\"title\" x=\"14\" y=\"\(cy)\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(cy))\">\(HTMLText.escape(yLabel))</text>"
        svg += "</g>"
    }

    /// A legend under the x axis.
    mutating func legend(_ entries: [LegendEntry]) {
        guard !entries.isEmpty else { return }
        let layout = Self.layoutLegend(entries.map(\.label), width: width)
        svg += "<g class=\"legend\">"
        for (entry, place) in zip(entries, layout) {
            let y = bottom + 56 + Double(place.row) * 18
            let label = entry.label.count > 40 ? String(entry.label.prefix(39)) + "…" : entry.label
            svg += "<rect x=\"\(svgNumber(place.x))\" y=\"\(svgNumber(y - 9))\" width=\"14\" height=\"10\" fill=\"\(entry.color)\"/>"
            svg += "<text x=\"\(svgNumber(place.x + 19))\" y=\"\(svgNumber(y))\">\(HTMLText.escape(label))</text>"
        }
        svg += "</g>"
    }

    /// Appends raw SVG markup (callers escape any text in it).
    mutating func append(_ markup: String) { svg += markup }

    /// Ends the `<svg>` element and returns the markup.
    mutating func close() -> String {
        svg += "</svg>"
        return svg
    }
}

/// A coordinate with at most one decimal, as SVG attribute text.
func svgNumber(_ v: Double) -> String {
    guard v.isFinite else { return "0" }
    let r = (v * 10).rounded() / 10
    return r == r.rounded() ? String(Int(r)) : String(r)
}
