/// A key (or key component) with an order-preserving byte encoding (see ``KeyEncoder``).
///
/// Conform your composite key structs by encoding/decoding their fields in order:
/// ```swift
/// struct EdgeKey: KeyCodable {
///     var view: UInt16, source: UInt32, target: UInt32
///     func encode(to e: inout KeyEncoder) { e.append(view); e.append(source); e.append(target) }
///     static func decode(from d: inout KeyDecoder) throws -> EdgeKey {
///         EdgeKey(view: try d.read(), source: try d.read(), target: try d.read())
///     }
/// }
/// ```
/// or use ``CompositeKey`` for ad-hoc tuples. Because encodings concatenate, any leading
/// subset of the components is a valid scan prefix.
public protocol KeyCodable {
    func encode(to encoder: inout KeyEncoder)
    static func decode(from decoder: inout KeyDecoder) throws -> Self
}

extension KeyCodable {
    /// The standalone encoding of this key.
    public var encodedKey: [UInt8] {
        var encoder = KeyEncoder()
        encode(to: &encoder)
        return encoder.bytes
    }

    /// Decodes a whole key; trailing bytes are an error.
    public static func decodeKey(_ bytes: UnsafeRawBufferPointer) throws -> Self {
        var decoder = KeyDecoder(bytes)
        let value = try decode(from: &decoder)
        guard decoder.isAtEnd else { throw StoreError.decoding("\(bytes.count - decoder.offset) trailing bytes after \(Self.self) key") }
        return value
    }
}

extension UInt8: KeyCodable {
    public func encode(to encoder: inout KeyEncoder) { encoder.append(unsigned: self) }
    public static func decode(from decoder: inout KeyDecoder) throws -> UInt8 { try decoder.readUnsigned() }
}

extension UInt16: KeyCodable {
    public func encode(to encoder: inout KeyEncoder) { encoder.append(unsigned: self) }
    public static func decode(from decoder: inout KeyDecoder) throws -> UInt16 { try decoder.readUnsigned() }
}

extension UInt32: KeyCodable {
    public func encode(to encoder: inout KeyEncoder) { encoder.append(unsigned: self) }
    public static func decode(from decoder: inout KeyDecoder) throws -> UInt32 { try decoder.readUnsigned() }
}

extension UInt64: KeyCodable {
    public func encode(to encoder: inout KeyEncoder) { encoder.append(unsigned: self) }
    public static func decode(from decoder: inout KeyDecoder) throws -> UInt64 { try decoder.readUnsigned() }
}

extension Int8: KeyCodable {
    public func encode(to encoder: inout KeyEncoder) { encoder.append(signed: self) }
    public static func decode(from decoder: inout KeyDecoder) throws -> Int8 { try decoder.readSigned() }
}

extension Int16: KeyCodable {
    public func encode(to encoder: inout KeyEncoder) { encoder.append(signed: self) }
    public static func decode(from decoder: inout KeyDecoder) throws -> Int16 { try decoder.readSigned() }
}

extension Int32: KeyCodable {
    public func encode(to encoder: inout KeyEncoder) { encoder.append(signed: self) }
    public static func decode(from decoder: inout KeyDecoder) throws -> Int32 { try decoder.readSigned() }
}

extension Int64: KeyCodable {
    public func encode(to encoder: inout KeyEncoder) { encoder.append(signed: self) }
    public static func decode(from decoder: inout KeyDecoder) throws -> Int64 { try decoder.readSigned() }
}

extension String: KeyCodable {
    public func encode(to encoder: inout KeyEncoder) { encoder.append(escaped: utf8) }
    public static func decode(from decoder: inout KeyDecoder) throws -> String {
        let bytes = try decoder.readEscaped()
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw StoreError.decoding("string key component is not valid UTF-8")
        }
        return text
    }
}

/// A byte-string key component (escaped and terminated like strings).
public struct KeyBytes: KeyCodable, Hashable, Sendable {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public func encode(to encoder: inout KeyEncoder) { encoder.append(escaped: bytes) }
    public static func decode(from decoder: inout KeyDecoder) throws -> KeyBytes { KeyBytes(try decoder.readEscaped()) }
}

/// The empty key: a keyspace holding a single value under its prefix (e.g. a Kafka offset).
public struct UnitKey: KeyCodable, Hashable, Sendable {
    public init() {}
    public func encode(to encoder: inout KeyEncoder) {}
    public static func decode(from decoder: inout KeyDecoder) throws -> UnitKey { UnitKey() }
}
