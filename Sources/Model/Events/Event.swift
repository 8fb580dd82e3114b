/// One user interaction: `user` touched `item` at `timestampMillis`.
public struct Event: Sendable, Equatable, Hashable {
    public var user: String
    public var item: String
    /// Milliseconds since the Unix epoch.
    public var timestampMillis: Int64
    public var action: String?
    /// The item's nodes in each attribute view, keyed by view name (not by input field
    /// name): one value for a single-valued field, several for a multi-valued one (a JSON
    /// array, or a string split at the view's delimiter), in input order without duplicates.
    /// Views with no value for this event are absent; a present view has at least one value.
    public var attributes: [String: [String]]

    /// An event with at most one value per attribute view (`["category": "c1"]`).
    public init(
        user: String, item: String, timestampMillis: Int64, action: String? = nil,
        attributes: [String: String] = [:]
    ) {
        self.init(user: user, item: item, timestampMillis: timestampMillis, action: action,
                  attributeValues: attributes.mapValues { [$0] })
    }

    /// An event with any number of values per attribute view (`["genre": ["Comedy",
    /// "Romance"]]`). Empty lists are dropped and duplicates removed (the first stays).
    public init(
        user: String, item: String, timestampMillis: Int64, action: String? = nil,
        attributeValues: [String: [String]]
    ) {
        self.user = user
        self.item = item
        self.timestampMillis = timestampMillis
        self.action = action
        self.attributes = attributeValues.compactMapValues { values in
            values.isEmpty ? nil : Self.distinct(values)
        }
    }

    /// The first value of the view, if any (the only one of a single-valued field).
    public func attribute(_ view: String) -> String? { attributes[view]?.first }

    /// `values` with later duplicates removed, order kept.
    static func distinct(_ values: [String]) -> [String] {
        guard values.count > 1 else { return values }
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
