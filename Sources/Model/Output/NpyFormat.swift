import Foundation

/// Writes a matrix as a NumPy `.npy` file, format version 1.0: `float32` little-endian
/// (`'<f4'`), shape `(rows, dim)`, C order, readable with `numpy.load`.
///
/// Layout: the magic `\x93NUMPY`, the version bytes `1 0`, the header length as a
/// little-endian `UInt16`, then the header — the ASCII text
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (rows, dim), }` padded with spaces and
/// ended by `\n` so that the data starts at a multiple of 64 bytes — then `rows * dim`
/// little-endian `Float32`, row-major.
public enum NpyWriter {
    public static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    /// Data offset alignment (NumPy itself pads to 64 since 1.x; 16 is the minimum).
    public static let alignment = 64

    /// The bytes before the data: magic, version, header length and padded header.
    public static func header(rows: Int, dim: Int) throws -> [UInt8] {
        guard rows >= 0, dim >= 0 else { throw EmbeddingFileError.invalidShape(file: "npy", rows: rows, dim: dim) }
        var text = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(dim)), }"
        let preamble = magic.count + 2 + 2
        let unpadded = preamble + text.utf8.count + 1  // + "\n"
        let padding = (alignment - unpadded % alignment) % alignment
        text += String(repeating: " ", count: padding) + "\n"
        let length = text.utf8.count
        guard length <= Int(UInt16.max) else { throw EmbeddingFileError.tooLarge(rows: rows, dim: dim) }
        var out = magic + [1, 0]
        out.append(UInt8(length & 0xFF))
        out.append(UInt8(length >> 8))
        out.append(contentsOf: text.utf8)
        return out
    }

    /// The whole `.npy` file for `matrix`.
    public static func encode(_ matrix: EmbeddingMatrix) throws -> Data {
        let head = try header(rows: matrix.rows, dim: matrix.dim)
        var data = Data(capacity: head.count + matrix.values.count * 4)
        data.append(contentsOf: head)
        if 1.littleEndian == 1 {
            matrix.values.withUnsafeBytes { data.append(contentsOf: $0) }
        } else {
            for v in matrix.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        }
        return data
    }
}
