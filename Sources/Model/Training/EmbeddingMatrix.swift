/// An immutable value copy of an embedding table: `rows x dim` floats, row-major.
/// This is what trained models, the writer, the reader and the evaluator exchange.
public struct EmbeddingMatrix: Sendable, Equatable {
    public var rows: Int
    public var dim: Int
    /// `rows * dim` values, row `i` at `values[i*dim ..< (i+1)*dim]`.
    public var values: [Float]

    public init(rows: Int, dim: Int, values: [Float]) {
        precondition(values.count == rows * dim, "EmbeddingMatrix: \(values.count) != \(rows)x\(dim)")
        self.rows = rows
        self.dim = dim
        self.values = values
    }

    /// Row `i` as a slice.
    public func row(_ i: Int) -> ArraySlice<Float> { values[(i * dim)..<((i + 1) * dim)] }
}
