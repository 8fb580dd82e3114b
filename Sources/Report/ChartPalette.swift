/// Colours of chart series and categories (colour-blind friendly, Tableau 10 order).
public enum ChartPalette {
    /// Ten distinct colours.
    public static let colors = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
        "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#17becf",
    ]
    /// Colour of everything outside the named categories.
    public static let other = "#b8b8b8"

    /// The colour of series `index` (cycles after ten).
    public static func color(_ index: Int) -> String { colors[((index % colors.count) + colors.count) % colors.count] }
}
