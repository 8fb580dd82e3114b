import Linalg

/// The shared space of an alignment task (method.md task 2): a view's embedding `e` maps to
/// `f(e W)`, with `W` the learned `dim x dim` matrix of the aligned pair and `f` its
/// activation. Both views of the pair use the same `W`, so an item and a category can be
/// compared there; the alignment task trains `f(e_item W) · f(e_attr W)` as the score of the
/// pair (its sigmoid is the model's probability that the attribute belongs to the item).
public enum AlignedSpace {
    /// The alignment between views `a` and `b` in either direction, if the model has one.
    public static func alignment(between a: String, and b: String, in model: TrainedModel) -> TrainedAlignment? {
        model.alignments.first { ($0.sourceView == a && $0.targetView == b) || ($0.sourceView == b && $0.targetView == a) }
    }

    /// `f(E W)` for every row of `embeddings`.
    public static func project(_ embeddings: EmbeddingMatrix, through alignment: TrainedAlignment) throws -> EmbeddingMatrix {
        let w = alignment.matrix
        guard w.rows == embeddings.dim, w.dim > 0 else {
            throw NearestNeighborsError.alignmentShape(rows: w.rows, cols: w.dim, embeddingDim: embeddings.dim)
        }
        var out = [Float](repeating: 0, count: embeddings.rows * w.dim)
        embeddings.values.withUnsafeBufferPointer { e in
            w.values.withUnsafeBufferPointer { wb in
                out.withUnsafeMutableBufferPointer { o in
                    BLAS.gemm(.none, .none, m: embeddings.rows, n: w.dim, k: embeddings.dim, alpha: 1, e, wb, beta: 0, o)
                }
            }
        }
        if alignment.activation == .sigmoid {
            for i in out.indices { out[i] = Logistic.sigmoid(out[i]) }
        }
        return EmbeddingMatrix(rows: embeddings.rows, dim: w.dim, values: out)
    }
}
