import Foundation

/// A histogram of values as inline SVG: equal-width bins, counts on the y axis, a tooltip
/// per bar.
public struct SVGHistogram: Sendable {
    public var values: [Double]
    public var bins: Int
    public var xLabel: String
    public var yLabel: String
    public var width: Double
    public var height: Double

    public init(values: [Double], bins: Int = 20, xLabel: String, yLabel: String = "count",
                width: Double = 560, height: Double = 300) {
        self.values = values
        self.bins = bins
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.width = width
        self.height = height
    }

    public var hasData: Bool { values.contains(where: \.isFinite) }

    /// Bin edges (`bins + 1` values, round numbers) and the count of each bin.
    func binned() -> (edges: [Double], counts: [Int]) {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return ([], []) }
        let wanted = max(1, bins)
        let step = hi > lo ? ChartScale.niceStep((hi - lo) / Double(wanted)) : max(1, ChartScale.niceStep(abs(lo) / 10))
        let start = floor(lo / step) * step
        let count = max(1, Int(floor((hi - start) / step)) + 1)
        var counts = [Int](repeating: 0, count: count)
        for v in finite { counts[min(count - 1, max(0, Int(floor((v - start) / step))))] += 1 }
        return ((0...count).map { start + Double($0) * step }, counts)
    }

    /// The `<svg>` element.
    public func render() -> String {
        var canvas = SVGCanvas(width: width, height: height, legendRows: 0)
        let (edges, counts) = binned()
        let x = ChartScale(kind: .linear, values: edges, range: (canvas.left, canvas.right))
        let y = ChartScale(kind: .linear, values: counts.map(Double.init), range: (canvas.bottom, canvas.top),
                           tickCount: 5, includeZero: true)
        canvas.open(label: "histogram of \(xLabel)")
        canvas.axes(x: x, y: y, xLabel: xLabel, yLabel: yLabel)
        for (i, n) in counts.enumerated() where n > 0 {
            let x0 = x.position(edges[i]), x1 = x.position(edges[i + 1])
            let top = y.position(Double(n)), base = y.position(0)
            let tip = "\(ChartNumber.value(edges[i]))–\(ChartNumber.value(edges[i + 1])): \(n)"
            canvas.append("<rect class=\"bar\" x=\"\(svgNumber(x0 + 0.5))\" y=\"\(svgNumber(top))\" width=\"\(svgNumber(max(1, x1 - x0 - 1)))\" height=\"\(svgNumber(base - top))\" fill=\"\(ChartPalette.color(0))\">")
            canvas.append("<title>\(HTMLText.escape(tip))</title></rect>")
        }
        return canvas.close()
    }
}
