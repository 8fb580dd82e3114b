import Foundation
import Model

extension NpyWriter {
    /// Writes `matrix` to `url` atomically.
    public static func write(_ matrix: EmbeddingMatrix, to url: URL) throws {
        try encode(matrix).write(to: url, options: .atomic)
    }
}
