/// Builds order-preserving keys: the byte-wise order of encoded keys equals the order of
/// the component tuples they encode.
///
/// - Unsigned integers: fixed-width big-endian.
/// - Signed integers: two's complement with the sign bit flipped, then big-endian
///   (so `Int32.min` encodes as `00 00 00 00`, `-1` as `7F FF FF FF`, `0` as `80 00 00 00`).
/// - Strings (UTF-8) and byte strings: each `0x00` is escaped as `00 FF` and the component
///   ends with the terminator `00 01`. Any byte of a longer string (>= `01`, or `00 FF`) sorts
///   after the terminator, so a string sorts before its extensions and composite keys
///   compare component by component. Strings order by UTF-8 bytes (= Unicode scalar order).
public struct KeyEncoder {
    /// The encoded bytes so far.
    public private(set) var bytes: [UInt8]

    public init(prefix: [UInt8] = []) { bytes = prefix }

    public mutating func append<T: FixedWidthInteger & UnsignedInteger>(unsigned value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func append<T: FixedWidthInteger & SignedInteger>(signed value: T) {
        let flipped = value ^ T.min  // T.min is the sign bit alone
        withUnsafeBytes(of: flipped.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends an escaped, terminated byte string.
    public mutating func append<C: Collection>(escaped value: C) where C.Element == UInt8 {
        for byte in value {
            bytes.append(byte)
            if byte == 0 { bytes.append(0xFF) }
        }
        bytes.append(0x00)
        bytes.append(0x01)
    }

    /// Appends `value`'s encoding.
    public mutating func append(_ value: some KeyCodable) {
        value.encode(to: &self)
    }
}

/// Reads components written by ``KeyEncoder`` in the same order; malformed or truncated
/// input throws ``StoreError/decoding(_:)``.
public struct KeyDecoder {
    private let bytes: UnsafeRawBufferPointer
    /// Bytes consumed so far.
    public private(set) var offset = 0

    /// Decodes from `bytes`, which must stay valid while the decoder is used.
    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Whether every byte was consumed.
    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func readUnsigned<T: FixedWidthInteger & UnsignedInteger>(_: T.Type = T.self) throws -> T {
        let size = MemoryLayout<T>.size
        guard offset + size <= bytes.count else { throw StoreError.decoding("key truncated reading \(T.self) at byte \(offset)") }
        defer { offset += size }
        return T(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    public mutating func readSigned<T: FixedWidthInteger & SignedInteger>(_: T.Type = T.self) throws -> T {
        let size = MemoryLayout<T>.size
        guard offset + size <= bytes.count else { throw StoreError.decoding("key truncated reading \(T.self) at byte \(offset)") }
        defer { offset += size }
        return T(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self)) ^ T.min
    }

    /// Reads an escaped, terminated byte string.
    public mutating func readEscaped() throws -> [UInt8] {
        var result: [UInt8] = []
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            guard byte == 0 else {
                result.append(byte)
                continue
            }
            guard offset < bytes.count else { break }
            let marker = bytes[offset]
            offset += 1
            switch marker {
            case 0x01: return result
            case 0xFF: result.append(0)
            default: throw StoreError.decoding("bad escape 00 \(marker) in key at byte \(offset - 1)")
            }
        }
        throw StoreError.decoding("unterminated string in key")
    }

    /// Reads one `T`.
    public mutating func read<T: KeyCodable>(_: T.Type = T.self) throws -> T {
        try T.decode(from: &self)
    }
}
