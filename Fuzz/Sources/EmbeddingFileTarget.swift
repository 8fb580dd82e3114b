import Foundation
import Model

/// An `.emb` matrix file of a model directory (`EmbeddingFileFormat`).
enum EmbeddingFileTarget {
    static let target = FuzzTarget(name: "emb-file", run: { bytes in
        guard let matrix = try? EmbeddingFileFormat.decode(Data(bytes), name: "fuzz.emb") else { return false }
        FuzzCheck.require(matrix.values.count == matrix.rows * matrix.dim, "\(matrix.rows)x\(matrix.dim) with \(matrix.values.count) values")
        // The layout is canonical: encode(decode(x)) == x, bit for bit (NaNs included).
        let encoded = try? EmbeddingFileFormat.encode(matrix)
        FuzzCheck.require(encoded.map { Array($0) } == bytes, "\(matrix.rows)x\(matrix.dim) re-encodes differently")
        return true
    }, seeds: {
        [
            "empty": Array(try EmbeddingFileFormat.encode(EmbeddingMatrix(rows: 0, dim: 0, values: []))),
            "2x3": Array(try EmbeddingFileFormat.encode(EmbeddingMatrix(rows: 2, dim: 3, values: [0, 1, -1, 0.5, .infinity, -0.0]))),
        ]
    })
}
