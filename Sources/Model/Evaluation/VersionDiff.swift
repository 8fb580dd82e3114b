import Foundation

/// How two versions of a model differ, per view and per alignment: what a consumer of the
/// embeddings needs to decide whether an ANN index over them can be updated in place or
/// must be rebuilt (`IndexVerdict`). `m2grl diff` prints it.
///
/// Rows are matched by node name (a name repeated within a view counts once, at its first
/// row). For nodes in both versions: the cosine of the old and the new vector, and the
/// overlap of their top-k cosine neighbour lists, each list computed exactly within its own
/// version over all of that version's rows (so new nodes entering a list count as churn,
/// as they would in the consumer's index): `|N_old ∩ N_new| / max(|N_old|, |N_new|)`, by
/// names.
public struct VersionDiff: Sendable, Equatable, Codable {
    public var views: [ViewDiff]
    public var alignments: [AlignmentDiff]
    public var verdict: IndexVerdict

    /// What to compare and how much work to spend.
    public struct Options: Sendable, Equatable {
        /// Neighbours per list.
        public var k = 20
        /// Views to compare (nil: every view of either version).
        public var views: [String]?
        /// Nodes the per-node statistics (cosine, neighbour overlap) are restricted to, e.g.
        /// a holdout of nodes that had no new events (nil: every node in both versions).
        /// Counts of added, removed and changed rows always cover the whole view.
        public var nodes: Set<String>?
        /// Neighbour lists are computed for every compared node of a view with at most this
        /// many compared nodes, else for `sampledQueries` of them drawn uniformly (seeded);
        /// the lists themselves are always exact over all rows.
        public var exactQueryLimit = 100_000
        public var sampledQueries = 10_000
        public var seed: UInt64 = 1

        public init() {}
    }

    public init(views: [ViewDiff], alignments: [AlignmentDiff]) {
        self.views = views
        self.alignments = alignments
        verdict = IndexVerdict(views: views)
    }

    /// Compares `old` with `new`. Throws when a view has different dims in the two.
    public init(old: TrainedModel, new: TrainedModel, options: Options = Options()) throws {
        var names = old.views.map(\.name)
        for v in new.views.map(\.name) where !names.contains(v) { names.append(v) }
        if let wanted = options.views {
            if let unknown = wanted.first(where: { !names.contains($0) }) {
                throw VersionDiffError.unknownView(unknown, known: names)
            }
            names = names.filter(wanted.contains)
        }
        let views = try names.map { name in
            try ViewDiff(view: name, old: old.view(named: name), new: new.view(named: name), options: options)
        }
        self.init(views: views, alignments: AlignmentDiff.compare(old: old.alignments, new: new.alignments))
    }
}

/// Why two versions cannot be compared.
public enum VersionDiffError: Error, Equatable, CustomStringConvertible {
    case dimensionMismatch(view: String, old: Int, new: Int)
    case unknownView(String, known: [String])

    public var description: String {
        switch self {
        case let .dimensionMismatch(view, old, new):
            return "view '\(view)' has dim \(old) in the old version and \(new) in the new one: the spaces cannot be compared"
        case let .unknownView(view, known):
            return "no view '\(view)' in either version; views: \(known.joined(separator: ", "))"
        }
    }
}

/// One view of a `VersionDiff`.
public struct ViewDiff: Sendable, Equatable, Codable {
    public var view: String
    public var oldRows: Int
    public var newRows: Int
    /// Nodes only in the new version.
    public var added: Int
    /// Nodes only in the old version.
    public var removed: Int
    /// Nodes in both whose vector differs in any bit.
    public var changed: Int
    /// Nodes in both.
    public var common: Int
    /// Nodes in both that the per-node statistics cover (`Options.nodes`).
    public var compared: Int
    /// Cosine of each compared node's old and new vector (1 when both are zero, 0 when one is).
    public var cosine: DistributionSummary?
    public var neighbours: NeighbourOverlap?

    /// Overlap of the top-k neighbour lists.
    public struct NeighbourOverlap: Sendable, Equatable, Codable {
        public var k: Int
        /// Compared nodes whose lists were computed (all of them, or a sample).
        public var queries: Int
        public var sampled: Bool
        public var overlap: DistributionSummary?
    }

    public init(view: String, oldRows: Int, newRows: Int, added: Int, removed: Int, changed: Int, common: Int,
                compared: Int, cosine: DistributionSummary? = nil, neighbours: NeighbourOverlap? = nil) {
        self.view = view
        self.oldRows = oldRows
        self.newRows = newRows
        self.added = added
        self.removed = removed
        self.changed = changed
        self.common = common
        self.compared = compared
        self.cosine = cosine
        self.neighbours = neighbours
    }

    /// Rows an index over the old version must change to hold the new one.
    public var touchedRows: Int { added + removed + changed }

    init(view name: String, old: TrainedView?, new: TrainedView?, options: VersionDiff.Options) throws {
        let empty = TrainedView(name: name, nodeNames: [], embeddings: EmbeddingMatrix(rows: 0, dim: 1, values: []))
        let old = old ?? empty, new = new ?? empty
        let oldIndex = Self.firstRows(old.nodeNames), newIndex = Self.firstRows(new.nodeNames)
        // Pairs (old row, new row) of the nodes in both, in new-row order.
        var pairs: [(old: Int, new: Int)] = []
        for (row, nodeName) in new.nodeNames.enumerated() where newIndex[nodeName] == row {
            if let o = oldIndex[nodeName] { pairs.append((o, row)) }
        }
        if !pairs.isEmpty, old.embeddings.dim != new.embeddings.dim {
            throw VersionDiffError.dimensionMismatch(view: name, old: old.embeddings.dim, new: new.embeddings.dim)
        }
        let dim = new.embeddings.dim
        var changed = 0
        for (o, n) in pairs where !Self.sameBits(old.embeddings.values, o, new.embeddings.values, n, dim: dim) { changed += 1 }
        let compared = options.nodes.map { nodes in pairs.filter { nodes.contains(new.nodeNames[$0.new]) } } ?? pairs
        self.init(view: name, oldRows: old.embeddings.rows, newRows: new.embeddings.rows,
                  added: newIndex.count - pairs.count, removed: oldIndex.count - pairs.count, changed: changed,
                  common: pairs.count, compared: compared.count)
        cosine = DistributionSummary(compared.map {
            Self.cosine(old.embeddings.values, $0.old, new.embeddings.values, $0.new, dim: dim)
        })
        if !compared.isEmpty, options.k > 0 {
            neighbours = Self.overlap(old: old, new: new, pairs: compared, options: options)
        }
    }

    /// Name -> first row holding it.
    static func firstRows(_ names: [String]) -> [String: Int] {
        var index: [String: Int] = [:]
        index.reserveCapacity(names.count)
        for (row, name) in names.enumerated() where index[name] == nil { index[name] = row }
        return index
    }

    static func sameBits(_ a: [Float], _ i: Int, _ b: [Float], _ j: Int, dim: Int) -> Bool {
        for d in 0..<dim where a[i * dim + d].bitPattern != b[j * dim + d].bitPattern { return false }
        return true
    }

    static func cosine(_ a: [Float], _ i: Int, _ b: [Float], _ j: Int, dim: Int) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for d in 0..<dim {
            let x = Double(a[i * dim + d]), y = Double(b[j * dim + d])
            dot += x * y
            na += x * x
            nb += y * y
        }
        if na == 0 && nb == 0 { return 1 }
        if na == 0 || nb == 0 { return 0 }
        // sqrt of the product: equal vectors give exactly 1 (sqrt(fl(x²)) = |x|).
        let c = dot / (na * nb).squareRoot()
        return c.isNaN ? c : Swift.min(1, Swift.max(-1, c))
    }

    static func overlap(old: TrainedView, new: TrainedView, pairs: [(old: Int, new: Int)],
                        options: VersionDiff.Options) -> NeighbourOverlap {
        var queries = pairs
        let sampled = pairs.count > options.exactQueryLimit
        if sampled {
            var rng = Xoshiro256StarStar(seed: options.seed)
            queries.shuffle(using: &rng)
            queries = Array(queries.prefix(max(1, options.sampledQueries)))
        }
        let oldLists = NeighbourLists(table: old.embeddings).lists(of: queries.map(\.old), k: options.k)
        let newLists = NeighbourLists(table: new.embeddings).lists(of: queries.map(\.new), k: options.k)
        var overlaps: [Double] = []
        overlaps.reserveCapacity(queries.count)
        for (a, b) in zip(oldLists, newLists) {
            let size = max(a.count, b.count)
            guard size > 0 else { continue }
            let oldNames = Set(a.map { old.nodeNames[$0] })
            let shared = b.reduce(0) { $0 + (oldNames.contains(new.nodeNames[$1]) ? 1 : 0) }
            overlaps.append(Double(shared) / Double(size))
        }
        return NeighbourOverlap(k: options.k, queries: queries.count, sampled: sampled, overlap: DistributionSummary(overlaps))
    }
}

/// One alignment matrix of a `VersionDiff`.
public struct AlignmentDiff: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Equatable, Codable { case unchanged, changed, added, removed }

    public var sourceView: String
    public var targetView: String
    public var status: Status
    /// `|W_new - W_old|_F / |W_old|_F` for a matrix in both versions (of the same shape).
    public var relativeChange: Double?

    public init(sourceView: String, targetView: String, status: Status, relativeChange: Double? = nil) {
        self.sourceView = sourceView
        self.targetView = targetView
        self.status = status
        self.relativeChange = relativeChange
    }

    static func compare(old: [TrainedAlignment], new: [TrainedAlignment]) -> [AlignmentDiff] {
        func key(_ a: TrainedAlignment) -> String { "\(a.sourceView)->\(a.targetView)" }
        var out: [AlignmentDiff] = []
        for a in old {
            guard let b = new.first(where: { key($0) == key(a) }) else {
                out.append(AlignmentDiff(sourceView: a.sourceView, targetView: a.targetView, status: .removed))
                continue
            }
            guard a.matrix.values.count == b.matrix.values.count else {
                out.append(AlignmentDiff(sourceView: a.sourceView, targetView: a.targetView, status: .changed))
                continue
            }
            var diff = 0.0, norm = 0.0, same = a.activation == b.activation
            for (x, y) in zip(a.matrix.values, b.matrix.values) {
                if x.bitPattern != y.bitPattern { same = false }
                diff += (Double(y) - Double(x)) * (Double(y) - Double(x))
                norm += Double(x) * Double(x)
            }
            out.append(AlignmentDiff(sourceView: a.sourceView, targetView: a.targetView, status: same ? .unchanged : .changed,
                                     relativeChange: norm > 0 ? diff.squareRoot() / norm.squareRoot() : nil))
        }
        for b in new where !old.contains(where: { key($0) == key(b) }) {
            out.append(AlignmentDiff(sourceView: b.sourceView, targetView: b.targetView, status: .added))
        }
        return out
    }
}
