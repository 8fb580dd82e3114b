/// The attribute (e.g. category) of each item, used to colour the embedding projection.
public struct ItemCategories: Sendable, Equatable {
    /// The attribute view the labels come from (e.g. `category`).
    public var viewName: String
    /// Attribute node name by item node name.
    public var byItem: [String: String]

    public init(viewName: String, byItem: [String: String]) {
        self.viewName = viewName
        self.byItem = byItem
    }
}

/// Anything that can tell the attribute of items: the ingest state, a read-only copy of it,
/// a test fixture.
public protocol ItemCategorySource {
    /// The item -> attribute map of attribute view `view` (nil: the first attribute view the
    /// source knows); nil when the source has no such view.
    func itemCategories(view: String?) throws -> ItemCategories?
}
