/// A growable `rows x dim` matrix of `Float`, stored contiguously row-major, used for the
/// input (`E`) and context (`C`) tables of a view and for alignment matrices.
///
/// Concurrency: this is a reference type marked `@unchecked Sendable` on purpose. Training
/// threads read and write rows concurrently without locks ("Hogwild", as in word2vec and
/// fastText): two threads may update the same row at once and one update may partly
/// overwrite the other. That data race is intentional; sparse updates make collisions rare
/// and SGD tolerates them. Growing (`appendRows`) reallocates the storage and must never run
/// while a training pass uses the table.
public final class EmbeddingTable: @unchecked Sendable {
    /// How new rows are filled.
    public enum Initialization: Sendable, Equatable {
        /// All zeros (word2vec context table).
        case zeros
        /// Uniform in `[-0.5/dim, 0.5/dim)` (word2vec input table).
        case uniform
        /// The identity in the leading square block, zeros elsewhere (alignment matrices).
        case identity
    }

    /// Number of rows in use.
    public private(set) var rows: Int
    /// Row length.
    public let dim: Int
    private var capacity: Int
    private var storage: UnsafeMutablePointer<Float>

    /// Creates a table of `rows` rows filled per `initialization`, drawing uniform values
    /// from `rng` (seeded, so tables are reproducible).
    public init(rows: Int, dim: Int, initialization: Initialization, rng: inout TrainingRNG) {
        precondition(rows >= 0 && dim > 0, "EmbeddingTable: invalid shape \(rows)x\(dim)")
        self.rows = 0
        self.dim = dim
        self.capacity = max(rows, 1)
        self.storage = .allocate(capacity: capacity * dim)
        appendRows(rows, initialization: initialization, rng: &rng)
    }

    /// Creates a table holding a copy of `values` (`rows * dim` floats, row-major).
    public init(rows: Int, dim: Int, values: [Float]) {
        precondition(dim > 0 && values.count == rows * dim, "EmbeddingTable: size mismatch")
        self.rows = rows
        self.dim = dim
        self.capacity = max(rows, 1)
        self.storage = .allocate(capacity: capacity * dim)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { storage.update(from: base, count: values.count) }
        }
    }

    deinit { storage.deallocate() }

    /// Appends `count` rows filled per `initialization`. Capacity grows geometrically, so
    /// appending one row at a time is amortised O(dim).
    public func appendRows(_ count: Int, initialization: Initialization, rng: inout TrainingRNG) {
        precondition(count >= 0)
        reserve(rows + count)
        let start = rows
        rows += count
        let fresh = UnsafeMutableBufferPointer(start: storage + start * dim, count: count * dim)
        switch initialization {
        case .zeros:
            fresh.update(repeating: 0)
        case .uniform:
            let scale = 1 / Float(dim)
            for i in fresh.indices { fresh[i] = (rng.nextUnitFloat() - 0.5) * scale }
        case .identity:
            fresh.update(repeating: 0)
            for r in start..<rows where r < dim { storage[r * dim + r] = 1 }
        }
    }

    /// Ensures room for `minimumRows` rows without reallocating.
    public func reserve(_ minimumRows: Int) {
        guard minimumRows > capacity else { return }
        let newCapacity = max(minimumRows, capacity * 2)
        let newStorage = UnsafeMutablePointer<Float>.allocate(capacity: newCapacity * dim)
        newStorage.update(from: storage, count: rows * dim)
        storage.deallocate()
        storage = newStorage
        capacity = newCapacity
    }

    /// Frees the rows (the table becomes empty): lets a caller that is done with a table
    /// give its memory back before the table object itself goes away.
    public func release() {
        storage.deallocate()
        rows = 0
        capacity = 1
        storage = .allocate(capacity: dim)
    }

    /// Row `i` as a mutable buffer into the table's storage (valid until the next growth).
    @inline(__always)
    public func row(_ i: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: storage + i * dim, count: dim)
    }

    /// Pointer to the first float of row `i` (valid until the next growth). Hot loops use
    /// this to avoid optional unwrapping.
    @inline(__always)
    public func rowPointer(_ i: Int) -> UnsafeMutablePointer<Float> { storage + i * dim }

    /// The whole table, `rows * dim` floats row-major (valid until the next growth).
    public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: storage, count: rows * dim)
    }

    /// A copy of the table's values, row-major.
    public func matrixCopy() -> EmbeddingMatrix {
        EmbeddingMatrix(rows: rows, dim: dim, values: Array(UnsafeBufferPointer(buffer)))
    }

    /// A deep copy of the table.
    public func copy() -> EmbeddingTable {
        EmbeddingTable(rows: rows, dim: dim, values: Array(UnsafeBufferPointer(buffer)))
    }
}
