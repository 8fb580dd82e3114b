/// The page's inline stylesheet.
enum ReportStyle {
    static let css = """
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
               color: #222; margin: 24px auto; max-width: 1180px; padding: 0 12px; }
        h1 { font-size: 24px; margin: 0 0 4px; }
        h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
        .meta { color: #666; margin: 0 0 16px; }
        .notes { background: #fff8e1; border: 1px solid #f0d98c; padding: 8px 12px; margin: 12px 0; }
        .notes p { margin: 2px 0; }
        table.summary { border-collapse: collapse; }
        table.summary th { text-align: left; font-weight: 600; padding: 3px 18px 3px 0; vertical-align: top; color: #444; }
        table.summary td { padding: 3px 0; }
        table.views { border-collapse: collapse; }
        table.views th, table.views td { padding: 1px 14px 1px 0; text-align: right; }
        table.views th:first-child, table.views td:first-child { text-align: left; }
        .row { display: flex; flex-wrap: wrap; gap: 20px; }
        figure { margin: 0; }
        figcaption { font-weight: 600; margin: 6px 0 2px; }
        .empty { color: #888; font-style: italic; width: 560px; height: 60px; margin: 6px 0; }
        svg.chart text { font-size: 11px; fill: #444; }
        svg.chart text.title { font-size: 12px; fill: #222; }
        svg.chart .grid line { stroke: #eee; }
        svg.chart .axis line { stroke: #888; }
        svg.chart .points circle { fill-opacity: 0.75; }
        svg.chart .series:hover polyline { stroke-width: 3; }
        svg.chart rect.bar:hover, svg.chart circle:hover { fill-opacity: 1; stroke: #222; }
        """
}
