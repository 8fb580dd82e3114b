/// Turns values of one type into stored bytes and back.
///
/// Decoding gets RocksDB's buffer (valid only during the call) and must copy what it keeps;
/// malformed bytes throw ``StoreError/decoding(_:)``, never crash.
public protocol ValueCodec: Sendable {
    associatedtype Value
    func encode(_ value: Value) -> [UInt8]
    func decode(_ bytes: UnsafeRawBufferPointer) throws -> Value
}

/// Bytes stored as they are.
public struct RawBytesCodec: ValueCodec {
    public init() {}
    public func encode(_ value: [UInt8]) -> [UInt8] { value }
    public func decode(_ bytes: UnsafeRawBufferPointer) throws -> [UInt8] { Array(bytes) }
}

/// A UInt64 as 8 bytes, **little-endian** — the layout of RocksDB's UInt64-add merge
/// operator, so counters written with `add` read back with this codec. (Values are not
/// order-preserving; use big-endian key encoding for ordered numbers in keys.)
public struct UInt64LittleEndianCodec: ValueCodec {
    public init() {}
    public func encode(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
    public func decode(_ bytes: UnsafeRawBufferPointer) throws -> UInt64 {
        guard bytes.count == 8 else { throw StoreError.decoding("UInt64 needs 8 bytes, got \(bytes.count)") }
        return UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
    }
}

/// UTF-8 text (vocabulary names). Invalid UTF-8 throws.
public struct StringCodec: ValueCodec {
    public init() {}
    public func encode(_ value: String) -> [UInt8] { Array(value.utf8) }
    public func decode(_ bytes: UnsafeRawBufferPointer) throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw StoreError.decoding("value is not valid UTF-8")
        }
        return text
    }
}

/// A `[Float]` as contiguous little-endian IEEE-754 binary32 values (embedding rows).
/// With `count` set, decoding checks the element count.
public struct FloatArrayCodec: ValueCodec {
    /// Required number of floats, or nil for any length.
    public let count: Int?

    public init(count: Int? = nil) { self.count = count }

    public func encode(_ value: [Float]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: value.count * 4)
        bytes.withUnsafeMutableBytes { out in
            for (index, element) in value.enumerated() {
                out.storeBytes(of: element.bitPattern.littleEndian, toByteOffset: index * 4, as: UInt32.self)
            }
        }
        return bytes
    }

    public func decode(_ bytes: UnsafeRawBufferPointer) throws -> [Float] {
        guard bytes.count % 4 == 0 else { throw StoreError.decoding("float array of \(bytes.count) bytes is not a multiple of 4") }
        let elements = bytes.count / 4
        if let count, count != elements {
            throw StoreError.decoding("expected \(count) floats, got \(elements)")
        }
        return [Float](unsafeUninitializedCapacity: elements) { out, initialized in
            for index in 0..<elements {
                let bits = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
                out[index] = Float(bitPattern: bits)
            }
            initialized = elements
        }
    }
}
