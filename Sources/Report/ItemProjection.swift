import Model

/// Item embeddings projected on their first two principal components, each point coloured
/// by the item's attribute: the ten most frequent attributes get their own colour, the rest
/// share grey.
public struct ItemProjection: Sendable, Equatable {
    public var points: [SVGScatter.Point]
    public var groups: [SVGScatter.Group]
    /// Points whose attribute is not among ``groups`` (or unknown).
    public var other: SVGScatter.Group?
    /// Share of the total variance along each axis (0...1).
    public var explainedVariance: [Double]
    /// Items in the view, of which ``points`` is a subsample.
    public var totalItems: Int

    /// Projects `view` (at most `maxPoints` evenly spaced rows); `categories` colour it.
    public init(view: TrainedView, categories: ItemCategories?, maxPoints: Int = 3000, topCategories: Int = 10) throws {
        let matrix = view.embeddings
        let total = matrix.rows
        let take = min(total, max(1, maxPoints))
        let indices = (0..<take).map { total <= take ? $0 : Int((Double($0) * Double(total) / Double(take)).rounded(.down)) }
        var rows = [Float]()
        rows.reserveCapacity(take * matrix.dim)
        for i in indices { rows.append(contentsOf: matrix.values[(i * matrix.dim)..<((i + 1) * matrix.dim)]) }
        let pca = try PrincipalComponents(rows: rows, rowCount: indices.count, dim: matrix.dim, count: 2)
        let coordinates = pca.project(rows: rows, rowCount: indices.count)

        let labels: [String?] = indices.map { i in
            i < view.nodeNames.count ? categories?.byItem[view.nodeNames[i]] : nil
        }
        var counts: [String: Int] = [:]
        for case let label? in labels { counts[label, default: 0] += 1 }
        let top = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(max(0, topCategories))
        var groupIndex: [String: Int] = [:]
        for (k, entry) in top.enumerated() { groupIndex[entry.key] = k }

        points = zip(indices, zip(coordinates, labels)).map { i, pair in
            let (xy, label) = pair
            let name = i < view.nodeNames.count ? view.nodeNames[i] : "#\(i)"
            return SVGScatter.Point(x: xy.count > 0 ? xy[0] : 0, y: xy.count > 1 ? xy[1] : 0,
                                    group: label.flatMap { groupIndex[$0] },
                                    label: label.map { "\(name) (\($0))" } ?? name)
        }
        groups = top.map { SVGScatter.Group(name: $0.key, count: $0.value) }
        let rest = points.filter { $0.group == nil }.count
        other = categories != nil && rest > 0 ? SVGScatter.Group(name: counts.count > top.count ? "other / unknown" : "unknown", count: rest) : nil
        explainedVariance = pca.variances.map { pca.totalVariance > 0 ? $0 / pca.totalVariance : 0 }
        totalItems = total
    }
}
