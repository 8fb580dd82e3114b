/// A value with a fixed little-endian binary layout, written field by field (no Codable).
///
/// ```swift
/// struct WalkCursor: FixedLayout {
///     var offset: UInt64, epoch: UInt32
///     static let byteCount = 12
///     func write(to writer: inout LayoutWriter) { writer.write(offset); writer.write(epoch) }
///     init(from reader: inout LayoutReader) throws { offset = try reader.read(); epoch = try reader.read() }
/// }
/// let cursors = Keyspace(family, prefix: [0x03], key: UInt16.self, codec: FixedLayoutCodec<WalkCursor>())
/// ```
public protocol FixedLayout {
    /// Exact encoded size in bytes; decoding checks it.
    static var byteCount: Int { get }
    func write(to writer: inout LayoutWriter)
    init(from reader: inout LayoutReader) throws
}

/// Appends little-endian fields.
public struct LayoutWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
    public mutating func write(_ value: Float) { write(value.bitPattern) }
    public mutating func write(_ value: Double) { write(value.bitPattern) }
}

/// Reads little-endian fields in order; running past the end throws.
public struct LayoutReader {
    private let bytes: UnsafeRawBufferPointer
    public private(set) var offset = 0

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public mutating func read<T: FixedWidthInteger>(_: T.Type = T.self) throws -> T {
        let size = MemoryLayout<T>.size
        guard offset + size <= bytes.count else { throw StoreError.decoding("layout truncated at byte \(offset)") }
        defer { offset += size }
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
    public mutating func read(_: Float.Type = Float.self) throws -> Float { Float(bitPattern: try read(UInt32.self)) }
    public mutating func read(_: Double.Type = Double.self) throws -> Double { Double(bitPattern: try read(UInt64.self)) }
}

/// Codec for any ``FixedLayout`` value; sizes are checked both ways.
public struct FixedLayoutCodec<Value: FixedLayout>: ValueCodec {
    public init() {}

    public func encode(_ value: Value) -> [UInt8] {
        var writer = LayoutWriter(capacity: Value.byteCount)
        value.write(to: &writer)
        precondition(writer.bytes.count == Value.byteCount, "\(Value.self).write produced \(writer.bytes.count) bytes, byteCount is \(Value.byteCount)")
        return writer.bytes
    }

    public func decode(_ bytes: UnsafeRawBufferPointer) throws -> Value {
        guard bytes.count == Value.byteCount else {
            throw StoreError.decoding("\(Value.self) needs \(Value.byteCount) bytes, got \(bytes.count)")
        }
        var reader = LayoutReader(bytes)
        return try Value(from: &reader)
    }
}
