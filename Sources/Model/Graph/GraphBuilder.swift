/// Builds one vocabulary and one ``ViewGraph`` per view from closed sessions, incrementally.
///
/// View 0 is the item view; the others are attribute views. An item's nodes in an attribute
/// view (its value set: one value, or several for a multi-valued field) are those of the
/// first event that carries values for that item and view (later events' values are
/// ignored), and an event's attribute-view nodes are always resolved through its item, so
/// the attribute sequences and the alignment pairs agree. Events whose item has no value
/// for a view are skipped in that view's sequence. The item sequence has consecutive
/// repeats collapsed and every consecutive pair adds 1 to the edge weight. An attribute
/// view's sequence is the sequence of value sets with consecutive equal sets collapsed; a
/// step from set A to set B adds 1 to the edge a -> b for every a in A and b in B with
/// a != b (with one value per item, exactly the item view's rule).
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
    /// cache over RocksDB instead). `restore` always adds them.
    public var keepsEdges = true
    /// `itemAttributes[v]`: the items' nodes in view `v` (`itemAttributes[0]` stays empty).
    private var itemAttributes: [ItemAttributeTable]

    /// `viewNames[0]` is the item view (an empty list means just `item`).
    public init(viewNames: [String]) {
        views = (viewNames.isEmpty ? [PipelineConfig.itemViewName] : viewNames).map { View(name: $0) }
        itemAttributes = Array(repeating: ItemAttributeTable(), count: views.count)
    }

    public init(config: PipelineConfig) {
        self.init(viewNames: config.viewNames)
    }

    /// Index of the named view.
    public func viewIndex(_ name: String) -> Int? { views.firstIndex { $0.name == name } }

    /// The first attribute node of `item` in view `view`, if recorded (its only one in a
    /// single-valued view).
    public func attribute(ofItem item: UInt32, view: Int) -> UInt32? {
        attributes(ofItem: item, view: view)?.head
    }

    /// The attribute nodes of `item` in view `view`, in order; nil if none are recorded.
    public func attributes(ofItem item: UInt32, view: Int) -> AttributeValues? {
        guard view > 0, view < views.count else { return nil }
        return itemAttributes[view].values(ofItem: item)
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
                guard itemAttributes[v].count(ofItem: item) == 0, let names = event.attributes[views[v].name] else { continue }
                for name in names {
                    let attribute = intern(name, view: v, update: &update)
                    let position = itemAttributes[v].count(ofItem: item)
                    itemAttributes[v].append(attribute, item: item)
                    guard itemAttributes[v].count(ofItem: item) > position else { continue }  // a repeated value
                    update.attributes.append(.init(view: v, item: item, attribute: attribute, position: UInt32(position)))
                }
            }
        }
        var items = cursor.item.flatMap { views[0].vocabulary.id(of: $0) }.map { [$0] } ?? []
        items += itemIds
        let collapsed = collapseRepeats(items)
        addTransitions(Array(zip(collapsed, collapsed.dropFirst())), view: 0, update: &update)
        if let last = events.last { cursor.item = last.item }
        for v in 1..<max(views.count, 1) {
            let name = views[v].name
            let vocabulary = views[v].vocabulary
            let start = cursor.attributes[name].flatMap { AttributeValues($0.compactMap { vocabulary.id(of: $0) }) }
            var previous = start
            var transitions: [(UInt32, UInt32)] = []
            for item in itemIds {
                guard let current = itemAttributes[v].values(ofItem: item) else { continue }
                if let p = previous {
                    if p.isSameSet(as: current) { continue }
                    for a in p { for b in current where a != b { transitions.append((a, b)) } }
                }
                previous = current
            }
            if let last = previous, last != start { cursor.attributes[name] = last.map { vocabulary.name(of: $0) } }
            addTransitions(transitions, view: v, update: &update)
        }
        return update
    }

    /// Applies sessions in order.
    public mutating func apply<S: Sequence>(_ sessions: S) where S.Element == Session {
        for session in sessions { apply(session) }
    }

    /// Records `attribute` as the next node of `item` in view `view`, at `position` (the
    /// count of its nodes so far); false if the position is not that.
    mutating func recordAttribute(_ attribute: UInt32, item: UInt32, view: Int, position: UInt32) -> Bool {
        let count = itemAttributes[view].count(ofItem: item)
        guard Int(position) == count, itemAttributes[view].values(ofItem: item)?.contains(attribute) != true else { return false }
        itemAttributes[view].append(attribute, item: item)
        return true
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

    /// Adds observed transitions (in order; repeated ones summed) to the view's graph.
    private mutating func addTransitions(_ transitions: [(UInt32, UInt32)], view: Int, update: inout GraphUpdate) {
        guard !transitions.isEmpty else { return }
        // Distinct transitions with their counts, in order of first occurrence (sessions are
        // short: a linear scan beats hashing).
        var pairs: [(from: UInt32, to: UInt32, count: UInt32)] = []
        pairs.reserveCapacity(transitions.count)
        var index: [UInt64: Int] = [:]  // used instead of the scan for long sessions
        let useIndex = transitions.count > 63
        for (a, b) in transitions {
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

    /// Item -> attribute pairs for the named attribute view, in item id order and each
    /// item's values in order (items without a value for that view are absent). Nil for an
    /// unknown view.
    public func alignmentPairs(to viewName: String) -> AlignmentPairs? {
        guard let v = viewIndex(viewName), v > 0 else { return nil }
        var pairs = AlignmentPairs(sourceView: views[0].name, targetView: viewName)
        itemAttributes[v].forEachPair { item, attribute in
            pairs.source.append(item)
            pairs.target.append(attribute)
        }
        return pairs
    }
}
