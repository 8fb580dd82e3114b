/// A multi-series line chart as inline SVG: axes with ticks, axis titles, a legend, and a
/// native tooltip (`<title>`) per series and per marker.
public struct SVGLineChart: Sendable {
    public var series: [ChartSeries]
    public var xLabel: String
    public var yLabel: String
    public var yScale: ChartScaleKind
    /// Start the y axis at 0 (linear scale only).
    public var yIncludesZero: Bool
    /// Draw a dot at every point (always done for series of at most 40 points).
    public var markers: Bool
    /// Keep x ticks on whole numbers (e.g. version numbers).
    public var xIntegers: Bool
    public var width: Double
    public var height: Double

    public init(series: [ChartSeries], xLabel: String, yLabel: String, yScale: ChartScaleKind = .linear,
                yIncludesZero: Bool = false, markers: Bool = false, xIntegers: Bool = false, width: Double = 560, height: Double = 300) {
        self.series = series
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.yScale = yScale
        self.yIncludesZero = yIncludesZero
        self.markers = markers
        self.xIntegers = xIntegers
        self.width = width
        self.height = height
    }

    /// Whether any series has a point the chart can draw.
    public var hasData: Bool {
        series.contains { $0.points.contains { $0.x.isFinite && $0.y.isFinite && (yScale == .linear || $0.y > 0) } }
    }

    /// The `<svg>` element.
    public func render() -> String {
        let legendRows = series.count > 1 ? SVGCanvas.legendRows(series.map(\.name), width: width) : 0
        var canvas = SVGCanvas(width: width, height: height, legendRows: legendRows)
        let all = series.flatMap(\.points)
        let x = ChartScale(kind: .linear, values: all.map(\.x), range: (canvas.left, canvas.right), integerTicks: xIntegers)
        let y = ChartScale(kind: yScale, values: all.map(\.y), range: (canvas.bottom, canvas.top),
                           includeZero: yIncludesZero)
        canvas.open(label: "\(yLabel) by \(xLabel)")
        canvas.axes(x: x, y: y, xLabel: xLabel, yLabel: yLabel)
        for (i, s) in series.enumerated() {
            let color = ChartPalette.color(i)
            let drawable = s.points.filter { $0.x.isFinite && y.accepts($0.y) }.sorted { $0.x < $1.x }
            guard !drawable.isEmpty else { continue }
            let path = drawable.map { "\(svgNumber(x.position($0.x))),\(svgNumber(y.position($0.y)))" }.joined(separator: " ")
            canvas.append("<g class=\"series\"><title>\(HTMLText.escape(s.name))</title>")
            canvas.append("<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\" points=\"\(path)\"/>")
            if markers || drawable.count <= 40 {
                for p in drawable {
                    canvas.append("<circle cx=\"\(svgNumber(x.position(p.x)))\" cy=\"\(svgNumber(y.position(p.y)))\" r=\"3\" fill=\"\(color)\">")
                    canvas.append("<title>\(HTMLText.escape("\(s.name): \(ChartNumber.value(p.y)) at \(ChartNumber.value(p.x))"))</title></circle>")
                }
            }
            canvas.append("</g>")
        }
        if series.count > 1 {
            canvas.legend(series.enumerated().map { .init(label: $0.element.name, color: ChartPalette.color($0.offset)) })
        }
        return canvas.close()
    }
}
