/// The attribute nodes of every item in one attribute view: per item an ordered list without
/// duplicates (the item's value set, fixed by the first event that carries values for the
/// view, docs/ingestion.md "Multi-valued attributes"). The first value is kept in a flat
/// array and further values aside, so a single-valued view costs 4 bytes an item.
struct ItemAttributeTable: Sendable, Equatable {
    private var first: [UInt32] = []
    private var further: [UInt32: [UInt32]] = [:]
    private static let none = UInt32.max

    /// The item's values, nil when it has none.
    func values(ofItem item: UInt32) -> AttributeValues? {
        guard Int(item) < first.count, first[Int(item)] != Self.none else { return nil }
        return AttributeValues(head: first[Int(item)], tail: further.isEmpty ? [] : further[item] ?? [])
    }

    /// How many values the item has (0: none yet).
    func count(ofItem item: UInt32) -> Int {
        guard Int(item) < first.count, first[Int(item)] != Self.none else { return 0 }
        return further.isEmpty ? 1 : 1 + (further[item]?.count ?? 0)
    }

    /// Appends `attribute` to the item's values (nothing if it is one of them already).
    mutating func append(_ attribute: UInt32, item: UInt32) {
        if first.count <= Int(item) {
            first.append(contentsOf: repeatElement(Self.none, count: Int(item) + 1 - first.count))
        }
        if first[Int(item)] == Self.none {
            first[Int(item)] = attribute
        } else if first[Int(item)] != attribute, further[item]?.contains(attribute) != true {
            further[item, default: []].append(attribute)
        }
    }

    /// Calls `body` with every (item, attribute) pair, in item id order and each item's
    /// values in order.
    func forEachPair(_ body: (UInt32, UInt32) -> Void) {
        for (item, value) in first.enumerated() where value != Self.none {
            body(UInt32(item), value)
            if !further.isEmpty { for extra in further[UInt32(item)] ?? [] { body(UInt32(item), extra) } }
        }
    }
}

/// One item's values in an attribute view, in order (at least one).
public struct AttributeValues: Sendable, Equatable, RandomAccessCollection {
    public var head: UInt32
    public var tail: [UInt32]

    public init(head: UInt32, tail: [UInt32] = []) {
        self.head = head
        self.tail = tail
    }

    /// The values of a non-empty list; nil for an empty one.
    public init?(_ values: [UInt32]) {
        guard let head = values.first else { return nil }
        self.init(head: head, tail: Array(values.dropFirst()))
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { 1 + tail.count }
    public subscript(position: Int) -> UInt32 { position == 0 ? head : tail[position - 1] }

    /// Whether both hold the same values, in whatever order.
    public func isSameSet(as other: AttributeValues) -> Bool {
        if tail.isEmpty && other.tail.isEmpty { return head == other.head }
        return count == other.count && allSatisfy { other.contains($0) }
    }
}
