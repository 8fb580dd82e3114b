/// Byte strings packed as `length u16 (little-endian) + bytes`, the layout of the inputs
/// that hold several values (`FuzzedTopics`, `ModelDirectoryTarget`): libFuzzer's
/// mutations mostly keep the fields apart.
struct LengthPrefixedFields {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The next single byte, nil at the end.
    mutating func byte() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    /// The next field, nil at the end or when its length runs past it.
    mutating func field() -> [UInt8]? {
        guard position + 2 <= bytes.count else { return nil }
        let length = Int(bytes[position]) | Int(bytes[position + 1]) << 8
        position += 2
        guard length <= bytes.count - position else { return nil }
        defer { position += length }
        return Array(bytes[position..<(position + length)])
    }

    /// Appends `field` in this layout (at most 65535 bytes are kept).
    static func append(_ field: [UInt8], to out: inout [UInt8]) {
        let kept = field.prefix(Int(UInt16.max))
        out += [UInt8(kept.count & 0xFF), UInt8(kept.count >> 8)]
        out += kept
    }
}
