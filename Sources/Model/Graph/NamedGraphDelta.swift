/// Graph changes by node names, independent of any vocabulary's ids: what a scale-out cutter
/// sends to every replica (docs/scale-out.md). Names are listed once per view in a table
/// local to the delta; attributes and edges refer to the table's indices.
public struct NamedGraphDelta: Sendable, Equatable {
    /// Item `item` has attribute node `attribute` at `position` of its value set in view `view`;
    /// here indices into `names`.
    public typealias Attribute = GraphUpdate.AttributeAssignment

    /// `count` more observations of `from -> to` in view `view`; here `from` and `to` are
    /// indices into `names[view]`, not ids.
    public typealias Edge = GraphUpdate.EdgeIncrement

    /// The time (ms) of the event completing the first `from -> to` item transition of the
    /// delta (freshness measurement).
    public struct EdgeTime: Sendable, Equatable {
        public var from: UInt32
        public var to: UInt32
        public var millis: Int64

        public init(from: UInt32, to: UInt32, millis: Int64) {
            self.from = from
            self.to = to
            self.millis = millis
        }
    }

    /// Per view, the item view first, the names the delta refers to.
    public var names: [[String]]
    public var attributes: [Attribute]
    /// Summed per (view, from, to), ascending.
    public var edges: [Edge]
    /// Item transitions with the time of their first occurrence (only when tracked).
    public var itemEdgeTimes: [EdgeTime]

    public init(names: [[String]], attributes: [Attribute] = [], edges: [Edge] = [], itemEdgeTimes: [EdgeTime] = []) {
        self.names = names
        self.attributes = attributes
        self.edges = edges
        self.itemEdgeTimes = itemEdgeTimes
    }

    public var isEmpty: Bool { attributes.isEmpty && edges.isEmpty && names.allSatisfy(\.isEmpty) }
}

/// Cuts a `NamedGraphDelta` from the released parts of sessions, with the same transitions
/// `GraphBuilder.extend` would add to a global builder, without touching it: a builder
/// local to the delta interns the names, and items whose attribute node the caller already
/// knows (from the global state) keep that one, as they would in the global builder.
public struct NamedGraphDeltaBuilder: Sendable {
    private var local: GraphBuilder
    /// view << 96 | from << 64 | to << 32 | count, summed in `finish`.
    private var increments: [UInt128] = []
    private var attributes: [NamedGraphDelta.Attribute] = []
    private var edgeTimes: [NamedGraphDelta.EdgeTime] = []
    private var timedEdges = Set<UInt64>()
    public let tracksItemEdgeTimes: Bool

    public init(viewNames: [String], tracksItemEdgeTimes: Bool = false) {
        var local = GraphBuilder(viewNames: viewNames)
        local.keepsEdges = false
        self.local = local
        self.tracksItemEdgeTimes = tracksItemEdgeTimes
    }

    /// Adds the next kept events of a session whose earlier events were added already (in
    /// this delta or an earlier one: `cursor` names where it stands). `knownAttributes(item,
    /// view)` is the value set (node names, in order) the global state records for an item in
    /// an attribute view, if any.
    public mutating func extend(session events: [Event], cursor: inout SessionCursor,
                                knownAttributes: (String, Int) -> [String]?) {
        if let item = cursor.item { _ = local.internQuietly(item, view: 0) }
        for (viewName, nodes) in cursor.attributes {
            if let v = local.viewIndex(viewName) { for node in nodes { _ = local.internQuietly(node, view: v) } }
        }
        for event in events {
            for v in 1..<max(local.views.count, 1) {
                guard let known = knownAttributes(event.item, v) else { continue }
                let item = local.internQuietly(event.item, view: 0)
                guard local.attribute(ofItem: item, view: v) == nil else { continue }
                for (position, name) in known.enumerated() {
                    _ = local.recordAttribute(local.internQuietly(name, view: v), item: item, view: v, position: UInt32(position))
                }
            }
        }
        let previous = cursor.item
        let update = local.extend(session: events, cursor: &cursor)
        attributes += update.attributes
        for e in update.edges { increments.append(PackedEdgeIncrement.pack(e)) }
        guard tracksItemEdgeTimes else { return }
        let vocabulary = local.views[0].vocabulary
        var from = previous.flatMap { vocabulary.id(of: $0) }
        for event in events {
            guard let to = vocabulary.id(of: event.item) else { continue }
            if let f = from, f != to, timedEdges.insert(UInt64(f) << 32 | UInt64(to)).inserted {
                edgeTimes.append(.init(from: f, to: to, millis: event.timestampMillis))
            }
            from = to
        }
    }

    /// The delta: every name interned, the attribute assignments, the summed increments.
    public func finish() -> NamedGraphDelta {
        var edges: [NamedGraphDelta.Edge] = []
        PackedEdgeIncrement.forEachSum(increments) { view, from, to, sum in
            edges.append(.init(view: view, from: from, to: to, count: UInt32(clamping: sum)))
        }
        return NamedGraphDelta(names: local.views.map(\.vocabulary.names), attributes: attributes, edges: edges,
                               itemEdgeTimes: edgeTimes)
    }
}

/// A `NamedGraphDelta` that does not fit the builder it is applied to.
public struct NamedGraphDeltaError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

extension GraphBuilder {
    /// Applies a delta cut elsewhere: interns its names in order (new nodes get the next ids),
    /// records its attribute assignments for items that had no values in that view before the
    /// delta (the first value set wins, positions in order), and
    /// returns the update by this builder's ids (edges added too when `keepsEdges`). The
    /// delta is checked completely before anything changes: one that does not fit (another
    /// view count, an index out of range) throws and leaves the builder as it was.
    public mutating func apply(_ delta: NamedGraphDelta) throws(NamedGraphDeltaError) -> GraphUpdate {
        guard delta.names.count == views.count else {
            throw NamedGraphDeltaError(description: "\(delta.names.count) views in the delta, \(views.count) in the pipeline")
        }
        for a in delta.attributes {
            guard a.view > 0, a.view < views.count, Int(a.item) < delta.names[0].count,
                  Int(a.attribute) < delta.names[a.view].count
            else { throw NamedGraphDeltaError(description: "attribute assignment out of range: \(a)") }
        }
        for e in delta.edges {
            guard e.view >= 0, e.view < views.count, Int(e.from) < delta.names[e.view].count,
                  Int(e.to) < delta.names[e.view].count
            else { throw NamedGraphDeltaError(description: "edge out of range: \(e)") }
        }
        var update = GraphUpdate()
        var ids: [[UInt32]] = []
        for (v, names) in delta.names.enumerated() {
            ids.append(names.map { name in
                let before = views[v].vocabulary.count
                let id = internQuietly(name, view: v)
                if views[v].vocabulary.count > before { update.newNodes.append(.init(view: v, id: id, name: name)) }
                return id
            })
        }
        // (view, item) whose values this delta sets: those without values before it.
        var settable = Set<UInt64>()
        for a in delta.attributes where a.position == 0 {
            let item = ids[0][Int(a.item)]
            if self.attribute(ofItem: item, view: a.view) == nil { settable.insert(UInt64(a.view) << 32 | UInt64(item)) }
        }
        for a in delta.attributes {
            let item = ids[0][Int(a.item)], attribute = ids[a.view][Int(a.attribute)]
            guard settable.contains(UInt64(a.view) << 32 | UInt64(item)),
                  recordAttribute(attribute, item: item, view: a.view, position: a.position) else { continue }
            update.attributes.append(.init(view: a.view, item: item, attribute: attribute, position: a.position))
        }
        for e in delta.edges {
            let from = ids[e.view][Int(e.from)], to = ids[e.view][Int(e.to)]
            if keepsEdges { views[e.view].graph.addTransition(from: from, to: to, count: e.count) }
            update.edges.append(.init(view: e.view, from: from, to: to, count: e.count))
        }
        return update
    }

    /// Interns `name` in view `view` without reporting it in an update.
    mutating func internQuietly(_ name: String, view: Int) -> UInt32 {
        let id = views[view].vocabulary.intern(name)
        views[view].graph.ensureNodeCount(views[view].vocabulary.count)
        return id
    }
}
