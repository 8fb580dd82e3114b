/// Which trained tables make a node's published vector (`training.embedding`). Training is
/// the same either way; only what `train --out`, `eval`, `similar`, `export` and published
/// versions carry differs.
public enum EmbeddingVectors: String, Sendable, Equatable, Codable, CaseIterable {
    /// The input table `E` (word2vec's `syn0`; what gensim and the M2GRL demo return).
    case input
    /// `E + C`, the input plus the context (output) table of the view's skip-gram, as GloVe
    /// publishes `W + W~` and Levy, Goldberg and Dagan (TACL 2015) add context vectors to
    /// SGNS. The context row of a node holds what precedes and follows it in the walks; the
    /// input vectors alone share one strong common direction (mean pairwise cosine about
    /// 0.7 on MovieLens 100K, 0.05 for `E + C`). docs/results.md 1.
    case inputPlusContext = "input_plus_context"

    /// Row-major published values from `input` and, for `inputPlusContext`, `context` (same
    /// layout; a context shorter than the input adds nothing to the rows it lacks).
    public func combine(input: UnsafeBufferPointer<Float>, context: UnsafeBufferPointer<Float>) -> [Float] {
        var values = Array(input)
        if self == .inputPlusContext { values.withUnsafeMutableBufferPointer { Self.add(context, into: $0) } }
        return values
    }

    /// Adds `context` element-wise into `values`, as far as both reach (in place: the
    /// offline trainer sums into its input tables before freeing the context tables).
    public static func add(_ context: UnsafeBufferPointer<Float>, into values: UnsafeMutableBufferPointer<Float>) {
        for i in 0..<min(values.count, context.count) { values[i] += context[i] }
    }
}
