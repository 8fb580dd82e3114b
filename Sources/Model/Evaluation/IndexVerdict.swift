/// A rule of thumb for a consumer that keeps an ANN index (or cached neighbour lists) over
/// the published vectors, from a `VersionDiff`:
///
/// - **keep** when no row was added, removed or changed;
/// - **update in place** (upsert the added and changed rows, delete the removed ones) when
///   at most `maxUpdateFraction` (20%) of the view's rows are touched and the mean top-k
///   neighbour overlap is at least `minUpdateOverlap` (0.9): few points moved, and the
///   neighbourhoods an index such as HNSW linked them into still hold;
/// - **rebuild** otherwise: most rows moved (an upsert of nearly every row costs about a
///   rebuild and leaves the graph links of the old geometry), or the neighbourhoods moved.
///
/// The model's verdict is the strongest of its views'. The thresholds are a starting point
/// for a consumer to tune against its own recall measurements, not a guarantee.
public struct IndexVerdict: Sendable, Equatable, Codable {
    public enum Action: String, Sendable, Equatable, Codable, Comparable {
        case keep
        case update = "update-in-place"
        case rebuild

        private var rank: Int { self == .keep ? 0 : self == .update ? 1 : 2 }
        public static func < (a: Action, b: Action) -> Bool { a.rank < b.rank }
    }

    public static let maxUpdateFraction = 0.2
    public static let minUpdateOverlap = 0.9

    public var action: Action
    /// The view that decided (the first with the strongest action), nil when there is none.
    public var view: String?
    /// One line: the action, why, and the rule.
    public var summary: String

    public init(views: [ViewDiff]) {
        // `max(by:)` keeps the first of equal elements: the first view with the strongest action.
        guard let (view, action) = views.map({ ($0, Self.action(for: $0)) }).max(by: { $0.1 < $1.1 }) else {
            self.init(action: .keep, view: nil, summary: "keep the index: no views to compare")
            return
        }
        self.init(action: action, view: action == .keep ? nil : view.view, summary: Self.describe(view, action))
    }

    public init(action: Action, view: String?, summary: String) {
        self.action = action
        self.view = view
        self.summary = summary
    }

    /// The action for one view.
    public static func action(for view: ViewDiff) -> Action {
        guard view.touchedRows > 0 else { return .keep }
        let fraction = Double(view.touchedRows) / Double(max(1, max(view.oldRows, view.newRows)))
        let overlap = view.neighbours?.overlap?.mean ?? 1
        return fraction <= maxUpdateFraction && overlap >= minUpdateOverlap ? .update : .rebuild
    }

    static func describe(_ v: ViewDiff, _ action: Action) -> String {
        let rows = max(v.oldRows, v.newRows)
        var facts = "\(v.view): \(v.touchedRows) of \(rows) rows touched (\(v.added) added, \(v.removed) removed, \(v.changed) changed)"
        if let o = v.neighbours?.overlap { facts += ", mean top-\(v.neighbours?.k ?? 0) overlap \(format(o.mean))" }
        let rule = "rule of thumb: update in place when at most \(Int(maxUpdateFraction * 100))% of a view's rows are touched and its mean top-k overlap is at least \(format(minUpdateOverlap)), else rebuild"
        switch action {
        case .keep: return "keep the index: no row changed in any view"
        case .update: return "update the index in place (\(facts); \(rule))"
        case .rebuild: return "rebuild the index (\(facts); \(rule))"
        }
    }

    static func format(_ x: Double) -> String {
        let scaled = (x * 1000).rounded() / 1000
        return "\(scaled)"
    }
}
