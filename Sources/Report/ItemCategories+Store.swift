import Streaming
import Store

/// Reads item attributes from an ingest state store (`IngestSchema`): view names from the
/// `meta` family (`view:<index>:<name>`), item and attribute names from `vocab`, the
/// item -> attribute ids from `attrs` (a multi-valued item's first value).
public struct StoreItemCategorySource: ItemCategorySource {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// View names by index as the ingester recorded them.
    public func viewNames() throws -> [String] {
        try IngestSchema(store: store).viewNames()
    }

    public func itemCategories(view: String?) throws -> ItemCategories? {
        let names = try viewNames()
        let index: Int
        if let view {
            guard let i = names.firstIndex(of: view), i > 0 else { return nil }
            index = i
        } else {
            guard names.count > 1 else { return nil }
            index = 1
        }
        let schema = try IngestSchema(store: store)
        var itemNames: [UInt32: String] = [:]
        var attributeNames: [UInt32: String] = [:]
        try schema.vocab.scan(prefix: UInt16(0)) { key, name in
            itemNames[key.components.1] = name
            return .continue
        }
        try schema.vocab.scan(prefix: UInt16(index)) { key, name in
            attributeNames[key.components.1] = name
            return .continue
        }
        var byItem: [String: String] = [:]
        try schema.attrs.scan(prefix: UInt16(index)) { key, attribute in
            if let item = itemNames[key.components.1], let name = attributeNames[UInt32(truncatingIfNeeded: attribute)] {
                byItem[item] = name
            }
            return .continue
        }
        return ItemCategories(viewName: names[index], byItem: byItem)
    }
}
