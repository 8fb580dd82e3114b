/// Relevance and diversity of top-K item lists retrieved in different ways (`m2grl eval
/// --diversity`; docs/results.md, "Diversity"). For each test query item `a`:
///
/// - `item`: the K items nearest to `a` by cosine of the item embeddings (`a` excluded),
///   the list `eval` scores;
/// - `via <view>`, one per aligned attribute view: the K items nearest to `a` by cosine in
///   that alignment's shared space, `f(E_item W)` (the space `similar --via` searches), so
///   the list follows what the alignment with that view learned;
/// - `mixed`: the lists interleaved, round robin in that order (item list first, then the
///   via lists in pipeline order), each turn taking the list's next item not taken yet,
///   until K.
///
/// Per list, averaged over the evaluated transitions `a -> b`: HitRate@K (b in the list),
/// per attribute view the number of distinct values among the list's items (all values of a
/// multi-valued item count), and the mean pairwise cosine of the list's items in the item
/// embedding space (intra-list similarity: lower is more diverse).
public struct DiversityEvaluator: Sendable {
    /// One way of retrieving: its name and the item vectors it ranks by cosine.
    public struct Retrieval: Sendable {
        public var name: String
        public var space: EmbeddingMatrix

        public init(name: String, space: EmbeddingMatrix) {
            self.name = name
            self.space = space
        }
    }

    /// One attribute view's values per item row (an empty list: none).
    public struct AttributeValuesByItem: Sendable {
        public var view: String
        public var values: [[UInt32]]

        public init(view: String, values: [[UInt32]]) {
            self.view = view
            self.values = values
        }
    }

    public let items: EmbeddingMatrix
    public let retrievals: [Retrieval]
    public let attributes: [AttributeValuesByItem]

    /// - Parameters:
    ///   - items: the item embeddings (the `item` list, and the pairwise cosines).
    ///   - via: further retrievals (aligned spaces), each with one row per item.
    ///   - attributes: per attribute view the values of each item row, for the distinct counts.
    public init(items: EmbeddingMatrix, via: [Retrieval], attributes: [AttributeValuesByItem]) {
        self.items = items
        self.retrievals = [Retrieval(name: "item", space: items)] + via.filter { $0.space.rows == items.rows }
        self.attributes = attributes
    }

    /// Top-`k` lists of every retrieval plus `mixed`, scored on `transitions`; transitions
    /// with an id outside the table or `from == to` are skipped (as in `NextItemEvaluator`).
    public func evaluate(_ transitions: [ItemTransition], k: Int) throws -> DiversityEvaluation {
        let valid = transitions.filter { Int($0.from) < items.rows && Int($0.to) < items.rows && $0.from != $0.to }
        let searches = retrievals.map { NearestNeighbors(candidates: $0.space, similarity: .cosine) }
        let names = retrievals.map(\.name) + ["mixed"]
        var sums = names.map { _ in ListSums(views: attributes.count) }
        var lists: [UInt32: [[Int]]] = [:]  // per distinct query: one list per name
        for t in valid {
            if lists[t.from] == nil {
                let a = Int(t.from)
                var found: [[Int]] = []
                for (r, search) in searches.enumerated() {
                    let query = Array(retrievals[r].space.values[(a * retrievals[r].space.dim)..<((a + 1) * retrievals[r].space.dim)])
                    found.append(try search.nearest(to: query, k: k, excluding: [a]).map(\.row))
                }
                found.append(Self.interleave(found, k: k))
                lists[t.from] = found
            }
            guard let found = lists[t.from] else { continue }
            for (l, list) in found.enumerated() {
                sums[l].add(list: list, target: Int(t.to), attributes: attributes, items: items)
            }
        }
        let n = Double(max(valid.count, 1))
        return DiversityEvaluation(
            k: k, evaluated: valid.count, skipped: transitions.count - valid.count,
            lists: zip(names, sums).map { name, s in
                DiversityEvaluation.List(
                    name: name, hitRate: s.hits / n, meanPairwiseCosine: s.cosine / n,
                    distinctValues: attributes.enumerated().map { .init(view: $1.view, mean: s.distinct[$0] / n) })
            })
    }

    /// Round robin over `lists`, each turn the list's next entry not taken yet, until `k`
    /// entries or every list is used up.
    public static func interleave(_ lists: [[Int]], k: Int) -> [Int] {
        var out: [Int] = [], taken = Set<Int>()
        var next = lists.map { _ in 0 }
        while out.count < k {
            var progressed = false
            for l in lists.indices where out.count < k {
                while next[l] < lists[l].count, taken.contains(lists[l][next[l]]) { next[l] += 1 }
                guard next[l] < lists[l].count else { continue }
                out.append(lists[l][next[l]])
                taken.insert(lists[l][next[l]])
                next[l] += 1
                progressed = true
            }
            if !progressed { break }
        }
        return out
    }

    /// Running sums of one list's metrics.
    private struct ListSums {
        var hits = 0.0
        var cosine = 0.0
        var distinct: [Double]

        init(views: Int) { distinct = Array(repeating: 0, count: views) }

        mutating func add(list: [Int], target: Int, attributes: [AttributeValuesByItem], items: EmbeddingMatrix) {
            if list.contains(target) { hits += 1 }
            for (v, view) in attributes.enumerated() {
                var values = Set<UInt32>()
                for row in list where row < view.values.count { values.formUnion(view.values[row]) }
                distinct[v] += Double(values.count)
            }
            cosine += DiversityEvaluator.meanPairwiseCosine(list, items: items)
        }
    }

    /// Mean cosine over the unordered pairs of `rows` in `items` (0 for fewer than two rows;
    /// a zero vector has cosine 0).
    public static func meanPairwiseCosine(_ rows: [Int], items: EmbeddingMatrix) -> Double {
        guard rows.count > 1 else { return 0 }
        let d = items.dim
        let unit: [[Float]] = rows.map { r in
            let v = items.values[(r * d)..<((r + 1) * d)]
            let norm = v.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            return norm > 0 ? v.map { $0 / norm } : Array(repeating: 0, count: d)
        }
        var total = 0.0, pairs = 0
        for i in unit.indices {
            for j in (i + 1)..<unit.count {
                total += Double(zip(unit[i], unit[j]).reduce(Float(0)) { $0 + $1.0 * $1.1 })
                pairs += 1
            }
        }
        return total / Double(pairs)
    }
}

/// What `DiversityEvaluator.evaluate` reports.
public struct DiversityEvaluation: Sendable, Equatable, Codable {
    /// Mean distinct values of one attribute view in a list.
    public struct DistinctValues: Sendable, Equatable, Codable {
        public var view: String
        public var mean: Double
    }

    /// One list's metrics, averaged over the evaluated transitions.
    public struct List: Sendable, Equatable, Codable {
        public var name: String
        public var hitRate: Double
        public var meanPairwiseCosine: Double
        public var distinctValues: [DistinctValues]
    }

    public var k: Int
    public var evaluated: Int
    public var skipped: Int
    public var lists: [List]
}
