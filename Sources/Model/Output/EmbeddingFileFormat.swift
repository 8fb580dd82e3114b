import Foundation

/// The binary matrix file (`.emb`) shared by view embeddings and alignment matrices, see
/// docs/formats.md: magic `M2GE`, then version, rows and dim as little-endian `UInt32`, then
/// `rows * dim` little-endian `Float32`, row-major.
public enum EmbeddingFileFormat {
    public static let magic: [UInt8] = Array("M2GE".utf8)
    public static let version: UInt32 = 1
    public static let headerSize = 16
    /// Version of the model directory layout written (`manifest.json`'s `formatVersion`):
    /// 2 escapes node names in `.nodes` and `.tsv` (`NodeNameEscaping`); 1 wrote them
    /// verbatim and refused names with a tab or line break.
    public static let directoryFormatVersion = 2
    /// Layout versions `EmbeddingReader` reads.
    public static let readableDirectoryFormatVersions = 1...2

    /// Encodes a matrix as an `.emb` file.
    public static func encode(_ matrix: EmbeddingMatrix) throws -> Data {
        guard matrix.rows <= Int(UInt32.max), matrix.dim <= Int(UInt32.max) else {
            throw EmbeddingFileError.tooLarge(rows: matrix.rows, dim: matrix.dim)
        }
        var data = Data(capacity: headerSize + matrix.values.count * 4)
        data.append(contentsOf: magic)
        for field in [version, UInt32(matrix.rows), UInt32(matrix.dim)] {
            withUnsafeBytes(of: field.littleEndian) { data.append(contentsOf: $0) }
        }
        if 1.littleEndian == 1 {
            matrix.values.withUnsafeBytes { data.append(contentsOf: $0) }
        } else {
            for v in matrix.values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        }
        return data
    }

    /// Decodes an `.emb` file; `name` labels errors.
    public static func decode(_ data: Data, name: String) throws -> EmbeddingMatrix {
        guard data.count >= headerSize else {
            throw EmbeddingFileError.truncated(file: name, expectedBytes: headerSize, actualBytes: data.count)
        }
        let header = [UInt8](data.prefix(headerSize))
        guard Array(header[0..<4]) == magic else { throw EmbeddingFileError.badMagic(file: name) }
        func u32(_ offset: Int) -> UInt32 {
            UInt32(header[offset]) | UInt32(header[offset + 1]) << 8
                | UInt32(header[offset + 2]) << 16 | UInt32(header[offset + 3]) << 24
        }
        let fileVersion = u32(4)
        guard fileVersion == version else {
            throw EmbeddingFileError.unsupportedVersion(file: name, version: Int(fileVersion))
        }
        let rows = Int(u32(8)), dim = Int(u32(12))
        // The shape comes from the file: checked before any arithmetic trusts it.
        let (values, valuesOverflow) = rows.multipliedReportingOverflow(by: dim)
        let (bytes, bytesOverflow) = values.multipliedReportingOverflow(by: 4)
        guard !valuesOverflow, !bytesOverflow, bytes <= Int.max - headerSize else {
            throw EmbeddingFileError.invalidShape(file: name, rows: rows, dim: dim)
        }
        let expected = headerSize + bytes
        guard data.count == expected else {
            throw EmbeddingFileError.truncated(file: name, expectedBytes: expected, actualBytes: data.count)
        }
        guard dim > 0 || rows == 0 else { throw EmbeddingFileError.invalidShape(file: name, rows: rows, dim: dim) }
        var floats = [Float](repeating: 0, count: values)
        floats.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { raw in
                let body = UnsafeRawBufferPointer(rebasing: raw[(raw.startIndex + headerSize)...])
                out.copyMemory(from: body)
            }
        }
        if 1.littleEndian != 1 {
            for i in floats.indices { floats[i] = Float(bitPattern: UInt32(littleEndian: floats[i].bitPattern)) }
        }
        return EmbeddingMatrix(rows: rows, dim: dim, values: floats)
    }
}

/// Why a model directory could not be written or read.
public enum EmbeddingFileError: Error, Equatable, CustomStringConvertible {
    case badMagic(file: String)
    case unsupportedVersion(file: String, version: Int)
    case truncated(file: String, expectedBytes: Int, actualBytes: Int)
    case invalidShape(file: String, rows: Int, dim: Int)
    case tooLarge(rows: Int, dim: Int)
    case invalidViewName(String)
    case nodeCountMismatch(view: String, nodes: Int, rows: Int)
    case unsupportedDirectoryVersion(Int)
    /// A file that could not be read or decoded (missing, not JSON, not UTF-8, ...).
    case unreadable(file: String, reason: String)
    /// A line of a `.nodes` file that is not an escaped name (1-based line number).
    case invalidNodeLine(file: String, line: Int)
    /// `manifest.json` disagrees with the files it names, or names a file outside the directory.
    case invalidManifest(String)

    public var description: String {
        switch self {
        case .badMagic(let f): return "\(f): not an M2GE embedding file (bad magic)"
        case let .unsupportedVersion(f, v): return "\(f): unsupported embedding file version \(v)"
        case let .truncated(f, e, a): return "\(f): expected \(e) bytes, found \(a)"
        case let .invalidShape(f, r, d): return "\(f): invalid shape \(r)x\(d)"
        case let .tooLarge(r, d): return "matrix \(r)x\(d) does not fit the file format"
        case .invalidViewName(let n): return "view name '\(n)' cannot be used as a file name"
        case let .nodeCountMismatch(v, n, r): return "view '\(v)': \(n) node names for \(r) embedding rows"
        case .unsupportedDirectoryVersion(let v): return "unsupported model directory format version \(v)"
        case let .unreadable(f, why): return "\(f): \(why)"
        case let .invalidNodeLine(f, l): return "\(f): line \(l) is not an escaped node name (a backslash must be followed by \\, n, r or t)"
        case .invalidManifest(let why): return "manifest.json: \(why)"
        }
    }
}
