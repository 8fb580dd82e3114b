/// Builds one vocabulary and one ``ViewGraph`` per view from closed sessions, incrementally.
///
/// View 0 is the item view; the others are attribute views. An item's node in an attribute
/// view is the first value seen for that item (later different values are ignored), and an
/// event's attribute-view node is always resolved through its item, so the attribute
/// sequences and the alignment pairs agree. Events whose item has no value for a view are
/// skipped in that view's sequence. Each view sequence has consecutive repeats collapsed;
/// every consecutive pair adds 1 to the edge weight.
public struct GraphBuilder: Sendable, Equatable {
    /// One view's vocabulary and graph.
    public struct View: Sendable, Equatable {
        public var name: String
        public var vocabulary = Vocabulary()
        public var graph = ViewGraph()
    }

    public internal(set) var views: [View]
    /// Whether `apply` adds the transitions to the views' graphs (true) or only reports them
    /// in its ``GraphUpdate`` (false: the streaming ingester keeps adjacency in a bounded
    /// cache over RocksDB instead). `replay` always adds them.
    public var keepsEdges = true
    /// `itemAttributes[v][item]`: the item's node id in view `v`, or `noAttribute`
    /// (`itemAttributes[0]` stays empty).
    private var itemAttributes: [[UInt32]]
    private static let noAttribute = UInt32.max

    /// `viewNames[0]` is the item view (an empty list means just `item`).
    public init(viewNames: [String]) {
        views = (viewNames.isEmpty ? [PipelineConfig.itemViewName] : viewNames).map { View(name: $0) }
        itemAttributes = Array(repeating: [], count: views.count)
    }

    public init(config: PipelineConfig) {
        self.init(viewNames: config.viewNames)
    }

    /// Index of the named view.
    public func viewIndex(_ name: String) -> Int? { views.firstIndex { $0.name == name } }

    /// The attribute node of `item` in view `view`, if recorded.
    public func attribute(ofItem item: UInt32, view: Int) -> UInt32? {
        guard view > 0, view < views.count, Int(item) < itemAttributes[view].count else { return nil }
        let value = itemAttributes[view][Int(item)]
        return value == Self.noAttribute ? nil : value
    }

    /// Applies one closed session to every view; returns what changed.
    @discardableResult
    public mutating func apply(_ session: Session) -> GraphUpdate {
        var cursor = SessionCursor()
        return extend(session: session.events, cursor: &cursor)
    }

    /// Adds the next kept events of a session whose earlier events were added already
    /// (the streaming ingester releases open sessions in parts): every event's item and
    /// attributes are interned first, then each view's sequence continues from `cursor`,
    /// which moves to the new end. Adding a session in parts this way gives the same
    /// transitions as adding it whole with ``apply(_:)`` (given the items' attributes are
    /// known when their events are added).
    @discardableResult
    public mutating func extend(session events: [Event], cursor: inout SessionCursor) -> GraphUpdate {
        var update = GraphUpdate()
        var itemIds: [UInt32] = []
        itemIds.reserveCapacity(events.count)
        for event in events {
            let item = intern(event.item, view: 0, update: &update)
            itemIds.append(item)
            for v in 1..<max(views.count, 1) {
                guard attribute(ofItem: item, view: v) == nil, let name = event.attributes[views[v].name] else { continue }
                let attribute = intern(name, view: v, update: &update)
                recordAttribute(attribute, item: item, view: v)
                update.attributes.append(.init(view: v, item: item, attribute: attribute))
            }
        }
        var items = cursor.item.flatMap { views[0].vocabulary.id(of: $0) }.map { [$0] } ?? []
        items += itemIds
        addTransitions(collapseRepeats(items), view: 0, update: &update)
        if let last = events.last { cursor.item = last.item }
        for v in 1..<max(views.count, 1) {
            let name = views[v].name
            var sequence = cursor.attributes[name].flatMap { views[v].vocabulary.id(of: $0) }.map { [$0] } ?? []
            sequence += itemIds.compactMap { attribute(ofItem: $0, view: v) }
            if let last = sequence.last { cursor.attributes[name] = views[v].vocabulary.name(of: last) }
            addTransitions(collapseRepeats(sequence), view: v, update: &update)
        }
        return update
    }

    /// Applies sessions in order.
    public mutating func apply<S: Sequence>(_ sessions: S) where S.Element == Session {
        for session in sessions { apply(session) }
    }

    /// Records `attribute` as the node of `item` in view `view` unless one is recorded.
    mutating func recordAttribute(_ attribute: UInt32, item: UInt32, view: Int) {
        if itemAttributes[view].count <= Int(item) {
            itemAttributes[view].append(
                contentsOf: repeatElement(Self.noAttribute, count: Int(item) + 1 - itemAttributes[view].count))
        }
        if itemAttributes[view][Int(item)] == Self.noAttribute { itemAttributes[view][Int(item)] = attribute }
    }

    private mutating func intern(_ name: String, view: Int, update: inout GraphUpdate) -> UInt32 {
        let before = views[view].vocabulary.count
        let id = views[view].vocabulary.intern(name)
        if views[view].vocabulary.count > before {
            views[view].graph.ensureNodeCount(views[view].vocabulary.count)
            update.newNodes.append(.init(view: view, id: id, name: name))
        }
        return id
    }

    private mutating func addTransitions(_ sequence: [UInt32], view: Int, update: inout GraphUpdate) {
        guard sequence.count > 1 else { return }
        // Distinct transitions with their counts, in order of first occurrence (sessions are
        // short: a linear scan beats hashing).
        var pairs: [(from: UInt32, to: UInt32, count: UInt32)] = []
        pairs.reserveCapacity(sequence.count - 1)
        var index: [UInt64: Int] = [:]  // used instead of the scan for long sessions
        let useIndex = sequence.count > 64
        for (a, b) in zip(sequence, sequence.dropFirst()) {
            let key = UInt64(a) << 32 | UInt64(b)
            let found = useIndex ? index[key] : pairs.firstIndex { $0.from == a && $0.to == b }
            if let k = found {
                pairs[k].count += 1
            } else {
                if useIndex { index[key] = pairs.count }
                pairs.append((a, b, 1))
            }
        }
        for pair in pairs {
            if keepsEdges { views[view].graph.addTransition(from: pair.from, to: pair.to, count: pair.count) }
            update.edges.append(.init(view: view, from: pair.from, to: pair.to, count: pair.count))
        }
    }

    /// Item -> attribute pairs for the named attribute view, in item id order
    /// (items without a value for that view are absent). Nil for an unknown view.
    public func alignmentPairs(to viewName: String) -> AlignmentPairs? {
        guard let v = viewIndex(viewName), v > 0 else { return nil }
        var pairs = AlignmentPairs(sourceView: views[0].name, targetView: viewName)
        for (item, attribute) in itemAttributes[v].enumerated() where attribute != Self.noAttribute {
            pairs.source.append(UInt32(item))
            pairs.target.append(attribute)
        }
        return pairs
    }
}
