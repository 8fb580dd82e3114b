extension ModelParameters {
    /// Replaces the tables of the view named `name` (adding the view if missing) with
    /// checkpointed values. `input` and `context` must have the same shape, `dim` columns.
    public func restore(view name: String, input: EmbeddingMatrix, context: EmbeddingMatrix) throws {
        guard input.dim == dim, context.dim == dim, input.rows == context.rows else {
            throw TrainerError.checkpointShape(
                "view \(name): input \(input.rows)x\(input.dim), context \(context.rows)x\(context.dim), dim \(dim)")
        }
        let restored = View(
            name: name, input: EmbeddingTable(rows: input.rows, dim: dim, values: input.values),
            context: EmbeddingTable(rows: context.rows, dim: dim, values: context.values))
        replaceView(restored)
    }

    /// Replaces (or adds) the alignment matrix from `source` to `target`.
    public func restore(alignmentFrom source: String, to target: String, matrix: EmbeddingMatrix) throws {
        guard matrix.rows == dim, matrix.dim == dim else {
            throw TrainerError.checkpointShape("alignment \(source)->\(target): \(matrix.rows)x\(matrix.dim), dim \(dim)")
        }
        replaceAlignment(Alignment(
            sourceView: source, targetView: target,
            matrix: EmbeddingTable(rows: dim, dim: dim, values: matrix.values)))
    }
}
