/// The learnable state of an M2GRL model: per view an input table `E` and a context table
/// `C`, per aligned pair of views a `dim x dim` matrix `W`, and per task its uncertainty
/// parameter `s_t`. Kept across `Trainer.train` calls so a streaming trainer can continue
/// from where it was; `prepare(for:)` grows the tables as vocabularies grow.
///
/// `@unchecked Sendable`: the tables are shared by training threads without locks
/// (intentional Hogwild, see `EmbeddingTable`). `prepare(for:)` and model copies must not run
/// while a training pass is in progress.
public final class ModelParameters: @unchecked Sendable {
    /// One view's tables.
    public struct View: Sendable {
        public let name: String
        public let input: EmbeddingTable
        public let context: EmbeddingTable
    }

    /// One aligned pair's matrix.
    public struct Alignment: Sendable {
        public let sourceView: String
        public let targetView: String
        public let matrix: EmbeddingTable
    }

    public let dim: Int
    public let seed: UInt64
    public private(set) var views: [View] = []
    public private(set) var alignments: [Alignment] = []
    /// `s_t = log σ_t²` by task name (`TaskIdentity.name`).
    public var logVariances: [String: Double] = [:]
    /// Completed `Trainer.train` calls on these parameters (varies the random streams).
    public internal(set) var rounds: UInt64 = 0

    public init(dim: Int, seed: UInt64) {
        precondition(dim > 0)
        self.dim = dim
        self.seed = seed
    }

    /// Index of the view named `name`.
    public func viewIndex(named name: String) -> Int? { views.firstIndex { $0.name == name } }

    /// Index of the alignment from `source` to `target`.
    public func alignmentIndex(source: String, target: String) -> Int? {
        alignments.firstIndex { $0.sourceView == source && $0.targetView == target }
    }

    /// Adds missing views and alignment matrices and grows every view's tables to at least
    /// `rows[view]` rows. New input rows are uniform in ±0.5/dim, new context rows zero, new
    /// alignment matrices the identity (so training starts from the views' own geometry).
    public func prepare(rows: [(view: String, rows: Int)], alignments pairs: [(source: String, target: String)]) {
        for (name, count) in rows {
            let index: Int
            if let existing = viewIndex(named: name) {
                index = existing
            } else {
                var rng = TrainingRNG(seed: seed, stream: 0x5EED_0000 &+ UInt64(views.count))
                views.append(View(
                    name: name,
                    input: EmbeddingTable(rows: 0, dim: dim, initialization: .uniform, rng: &rng),
                    context: EmbeddingTable(rows: 0, dim: dim, initialization: .zeros, rng: &rng)))
                index = views.count - 1
            }
            let view = views[index]
            if view.input.rows < count {
                var rng = TrainingRNG(
                    seed: seed, stream: 0x6120_0000 &+ UInt64(index) << 32 &+ UInt64(view.input.rows))
                let extra = count - view.input.rows
                view.input.appendRows(extra, initialization: .uniform, rng: &rng)
                view.context.appendRows(extra, initialization: .zeros, rng: &rng)
            }
        }
        for (source, target) in pairs where alignmentIndex(source: source, target: target) == nil {
            var rng = TrainingRNG(seed: seed, stream: 0)
            alignments.append(Alignment(
                sourceView: source, targetView: target,
                matrix: EmbeddingTable(rows: dim, dim: dim, initialization: .identity, rng: &rng)))
        }
    }

    func replaceView(_ view: View) {
        if let i = viewIndex(named: view.name) { views[i] = view } else { views.append(view) }
    }

    func replaceAlignment(_ alignment: Alignment) {
        if let i = alignmentIndex(source: alignment.sourceView, target: alignment.targetView) {
            alignments[i] = alignment
        } else {
            alignments.append(alignment)
        }
    }

    /// Grows the parameters to cover `data` (see `prepare(rows:alignments:)`).
    public func prepare(for data: TrainingData) {
        prepare(
            rows: data.views.map { ($0.name, max($0.nodeNames.count, $0.corpus.nodeCount)) },
            alignments: data.alignments.map { ($0.sourceView, $0.targetView) })
    }
}
