import Foundation
import Testing
import Model

@Suite struct NpyWriterTests {
    /// Parses the `.npy` v1.0 preamble the way numpy's `read_array_header_1_0` does:
    /// returns the header text and the data offset.
    static func parseHeader(_ bytes: [UInt8]) throws -> (text: String, dataOffset: Int) {
        try #require(bytes.count >= 10)
        #expect(bytes[0] == 0x93 && Array(bytes[1..<6]) == Array("NUMPY".utf8))
        #expect(bytes[6] == 1 && bytes[7] == 0, "format version 1.0")
        let length = Int(bytes[8]) | Int(bytes[9]) << 8
        try #require(bytes.count >= 10 + length)
        return (String(decoding: bytes[10..<(10 + length)], as: UTF8.self), 10 + length)
    }

    @Test func headerDeclaresLittleEndianFloat32CShapeAndIsAligned() throws {
        for (rows, dim) in [(3, 2), (0, 64), (123_456, 128), (1, 1)] {
            let header = try NpyWriter.header(rows: rows, dim: dim)
            let (text, offset) = try Self.parseHeader(header)
            #expect(offset == header.count)
            #expect(offset % 64 == 0, "data must start 64-byte aligned, got \(offset)")
            #expect(text.hasSuffix("\n"))
            let dict = text.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(dict == "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(dim)), }")
            #expect(text.utf8.allSatisfy { $0 < 0x80 }, "header must be ASCII")
        }
    }

    @Test func dataRoundTripsBitExactly() throws {
        let values: [Float] = [0.5, -1.25, 3e-8, .greatestFiniteMagnitude, -0.0, 1, .leastNonzeroMagnitude, -7]
        let matrix = EmbeddingMatrix(rows: 4, dim: 2, values: values)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("m2grl-npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("item.npy")
        try NpyWriter.write(matrix, to: url)
        let bytes = [UInt8](try Data(contentsOf: url))
        let (_, offset) = try Self.parseHeader(bytes)
        #expect(bytes.count == offset + values.count * 4)
        var decoded: [Float] = []
        for i in 0..<values.count {
            let b = bytes[(offset + 4 * i)..<(offset + 4 * i + 4)].map(UInt32.init)
            decoded.append(Float(bitPattern: b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24))
        }
        #expect(decoded.map(\.bitPattern) == values.map(\.bitPattern))
    }
}
