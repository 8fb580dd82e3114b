import Model

/// Next-item HitRate@20 of the item embeddings on held-out transitions (method.md's
/// protocol, `m2grl eval`), computed for every published version when `serve` is given an
/// evaluation split, so the report can draw quality across versions.
public struct HoldoutEvaluation: Sendable {
    public let transitions: [TemporalSplit.Transition]

    public init(transitions: [TemporalSplit.Transition]) {
        self.transitions = transitions
    }

    /// HitRate@20 over the transitions whose two items have rows (nil when none has).
    public func hitRate20(names: [String], embeddings: EmbeddingMatrix) -> Double? {
        var ids: [String: UInt32] = [:]
        for (i, name) in names.prefix(embeddings.rows).enumerated() { ids[name] = UInt32(i) }
        let known = transitions.compactMap { t -> ItemTransition? in
            guard let a = ids[t.from], let b = ids[t.to] else { return nil }
            return ItemTransition(from: a, to: b)
        }
        guard !known.isEmpty else { return nil }
        return NextItemEvaluator(embeddings: embeddings).evaluate(known, ks: [20]).hitRate(at: 20)
    }
}
