import Model

/// A view's graph described by node names only, so graphs whose ids were assigned in a
/// different order (sessions closed in a different order) compare equal when they hold
/// the same nodes, the same weighted edges and the same item attributes.
struct NamedViewGraph: Equatable {
    struct Edge: Hashable, CustomStringConvertible {
        var from: String
        var to: String
        var description: String { "\(from)->\(to)" }
    }

    var names: Set<String>
    var edges: [Edge: UInt64]
    /// Item name -> attribute node names in order (attribute views only).
    var itemAttributes: [String: [String]]
}

struct NamedGraphs: Equatable {
    var views: [String: NamedViewGraph]

    init(_ builder: GraphBuilder) {
        var views: [String: NamedViewGraph] = [:]
        let items = builder.views.first?.vocabulary
        for (v, view) in builder.views.enumerated() {
            var edges: [NamedViewGraph.Edge: UInt64] = [:]
            for from in 0..<view.graph.nodeCount {
                for (k, to) in view.graph.targets[from].enumerated() {
                    let edge = NamedViewGraph.Edge(from: view.vocabulary.name(of: UInt32(from)), to: view.vocabulary.name(of: to))
                    edges[edge, default: 0] += UInt64(view.graph.weights[from][k])
                }
            }
            var attributes: [String: [String]] = [:]
            if v > 0, let items, let pairs = builder.alignmentPairs(to: view.name) {
                for (item, attribute) in zip(pairs.source, pairs.target) {
                    attributes[items.name(of: item), default: []].append(view.vocabulary.name(of: attribute))
                }
            }
            views[view.name] = NamedViewGraph(names: Set(view.vocabulary.names), edges: edges, itemAttributes: attributes)
        }
        self.views = views
    }

    /// Total edge weight over all views (a sanity check that something was built).
    var totalWeight: UInt64 { views.values.reduce(0) { $0 + $1.edges.values.reduce(0, +) } }

    /// Human-readable differences (at most `limit` per kind), empty when equal.
    func differences(from other: NamedGraphs, limit: Int = 5) -> [String] {
        var out: [String] = []
        let allViews = Set(views.keys).union(other.views.keys).sorted()
        for name in allViews {
            guard let a = views[name], let b = other.views[name] else {
                out.append("view \(name) present on one side only")
                continue
            }
            let onlyA = a.names.subtracting(b.names).sorted(), onlyB = b.names.subtracting(a.names).sorted()
            if !onlyA.isEmpty { out.append("view \(name): \(onlyA.count) nodes only in streaming, e.g. \(onlyA.prefix(limit))") }
            if !onlyB.isEmpty { out.append("view \(name): \(onlyB.count) nodes only offline, e.g. \(onlyB.prefix(limit))") }
            let edgeKeys = Set(a.edges.keys).union(b.edges.keys)
            let differing = edgeKeys.filter { a.edges[$0] != b.edges[$0] }.sorted { $0.description < $1.description }
            if !differing.isEmpty {
                let sample = differing.prefix(limit).map { "\($0): \(a.edges[$0] ?? 0) vs \(b.edges[$0] ?? 0)" }
                out.append("view \(name): \(differing.count) edges differ (streaming vs offline), e.g. \(sample)")
            }
            let attrKeys = Set(a.itemAttributes.keys).union(b.itemAttributes.keys)
            let attrDiff = attrKeys.filter { a.itemAttributes[$0] != b.itemAttributes[$0] }.sorted()
            if !attrDiff.isEmpty {
                out.append("view \(name): \(attrDiff.count) item attributes differ, e.g. \(attrDiff.prefix(limit))")
            }
        }
        return out
    }
}

/// The graphs of a builder by id (for the restore path, where ids must be stable):
/// vocabulary in id order, edge weights by (from id, to id), item attribute ids.
struct IdGraphs: Equatable {
    struct Edge: Hashable { var view: Int; var from: UInt32; var to: UInt32 }
    var vocabularies: [[String]]
    var edges: [Edge: UInt32]
    var alignments: [[UInt32]]

    init(_ builder: GraphBuilder) {
        vocabularies = builder.views.map(\.vocabulary.names)
        var edges: [Edge: UInt32] = [:]
        for (v, view) in builder.views.enumerated() {
            for from in 0..<view.graph.nodeCount {
                for (k, to) in view.graph.targets[from].enumerated() {
                    edges[Edge(view: v, from: UInt32(from), to: to)] = view.graph.weights[from][k]
                }
            }
        }
        self.edges = edges
        alignments = builder.views.dropFirst().map { view in
            guard let pairs = builder.alignmentPairs(to: view.name) else { return [] }
            return zip(pairs.source, pairs.target).flatMap { [$0, $1] }
        }
    }
}

/// The offline graphs of `events` (batch session cut, fresh builder).
func offlineGraphs(_ events: [Event], config: PipelineConfig) -> NamedGraphs {
    NamedGraphs(TrainingDataBuilder(config: config, logger: quietLogger).buildGraphs(events: events).builder)
}
