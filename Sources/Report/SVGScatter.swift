/// A scatter plot as inline SVG, points coloured by group, with a legend and a tooltip per
/// point.
public struct SVGScatter: Sendable {
    /// One plotted point.
    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
        /// Index into ``groups``; nil draws the point in ``ChartPalette/other``.
        public var group: Int?
        /// Tooltip text.
        public var label: String

        public init(x: Double, y: Double, group: Int?, label: String) {
            self.x = x
            self.y = y
            self.group = group
            self.label = label
        }
    }

    /// A legend entry; groups take the palette's colours in order.
    public struct Group: Sendable, Equatable {
        public var name: String
        public var count: Int

        public init(name: String, count: Int) {
            self.name = name
            self.count = count
        }
    }

    public var points: [Point]
    public var groups: [Group]
    /// Legend entry for points without a group (nil: no entry).
    public var otherGroup: Group?
    public var xLabel: String
    public var yLabel: String
    public var width: Double
    public var height: Double

    public init(points: [Point], groups: [Group], otherGroup: Group? = nil, xLabel: String, yLabel: String,
                width: Double = 860, height: Double = 620) {
        self.points = points
        self.groups = groups
        self.otherGroup = otherGroup
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.width = width
        self.height = height
    }

    public var hasData: Bool { points.contains { $0.x.isFinite && $0.y.isFinite } }

    /// The `<svg>` element.
    public func render() -> String {
        var legend = groups.enumerated().map { SVGCanvas.LegendEntry(label: "\($0.element.name) (\($0.element.count))", color: ChartPalette.color($0.offset)) }
        if let other = otherGroup { legend.append(.init(label: "\(other.name) (\(other.count))", color: ChartPalette.other)) }
        var canvas = SVGCanvas(width: width, height: height, legendRows: SVGCanvas.legendRows(legend.map(\.label), width: width))
        let drawable = points.filter { $0.x.isFinite && $0.y.isFinite }
        let x = ChartScale(kind: .linear, values: drawable.map(\.x), range: (canvas.left, canvas.right), tickCount: 10)
        let y = ChartScale(kind: .linear, values: drawable.map(\.y), range: (canvas.bottom, canvas.top), tickCount: 8)
        canvas.open(label: "\(yLabel) against \(xLabel)")
        canvas.axes(x: x, y: y, xLabel: xLabel, yLabel: yLabel)
        // Ungrouped points first, so the coloured ones stay visible on top.
        canvas.append("<g class=\"points\">")
        for p in drawable.filter({ $0.group == nil }) + drawable.filter({ $0.group != nil }) {
            let color = p.group.map { ChartPalette.color($0) } ?? ChartPalette.other
            canvas.append("<circle cx=\"\(svgNumber(x.position(p.x)))\" cy=\"\(svgNumber(y.position(p.y)))\" r=\"2.6\" fill=\"\(color)\">")
            canvas.append("<title>\(HTMLText.escape(p.label))</title></circle>")
        }
        canvas.append("</g>")
        canvas.legend(legend)
        return canvas.close()
    }
}
