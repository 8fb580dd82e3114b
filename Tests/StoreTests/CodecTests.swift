import Testing
@testable import Store

private struct WalkCursor: FixedLayout, Equatable {
    var offset: UInt64
    var epoch: UInt32
    var temperature: Float
    static let byteCount = 16

    init(offset: UInt64, epoch: UInt32, temperature: Float) {
        (self.offset, self.epoch, self.temperature) = (offset, epoch, temperature)
    }

    func write(to writer: inout LayoutWriter) {
        writer.write(offset)
        writer.write(epoch)
        writer.write(temperature)
    }

    init(from reader: inout LayoutReader) throws {
        offset = try reader.read()
        epoch = try reader.read()
        temperature = try reader.read()
    }
}

@Suite("Value codecs")
struct CodecTests {
    @Test func floatArraysAreContiguousLittleEndian() throws {
        let codec = FloatArrayCodec()
        let bytes = codec.encode([1.0, -2.5])
        // 1.0 = 0x3F800000, -2.5 = 0xC0200000, each little-endian.
        #expect(bytes == [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0])
        #expect(try bytes.withUnsafeBytes { try codec.decode($0) } == [1.0, -2.5])
        #expect(throws: StoreError.self) { try [UInt8]([1, 2, 3]).withUnsafeBytes { try codec.decode($0) } }
        #expect(throws: StoreError.self) { try bytes.withUnsafeBytes { try FloatArrayCodec(count: 3).decode($0) } }
    }

    @Test func uint64IsLittleEndian() throws {
        let codec = UInt64LittleEndianCodec()
        #expect(codec.encode(0x0102) == [0x02, 0x01, 0, 0, 0, 0, 0, 0])
        #expect(throws: StoreError.self) { try [UInt8]([1]).withUnsafeBytes { try codec.decode($0) } }
    }

    @Test func fixedLayoutRoundTripsThroughStore() throws {
        try withTemporaryDirectory { dir in
            let store = try Store(path: dir + "/db", options: testOptions())
            defer { store.close() }
            let cursors = Keyspace(try store.columnFamily(), prefix: [0x04], key: String.self, codec: FixedLayoutCodec<WalkCursor>())
            let cursor = WalkCursor(offset: 1 << 40, epoch: 7, temperature: 0.25)
            try cursors.put("view-a", cursor)
            #expect(try cursors.get("view-a") == cursor)
            // Wrong-size bytes under a keyspace key throw a decoding error.
            try store.columnFamily().put(cursors.storedKey("bad"), [1, 2, 3])
            #expect(throws: StoreError.self) { try cursors.get("bad") }
            let offsets = Keyspace(try store.columnFamily(), prefix: [0x05], key: UnitKey.self, codec: UInt64LittleEndianCodec())
            try offsets.put(UnitKey(), 99)
            #expect(try offsets.get(UnitKey()) == 99)
            let names = Keyspace(try store.columnFamily(), prefix: [0x06], key: UInt32.self, codec: StringCodec())
            try names.put(5, "user-5 ü")
            #expect(try names.get(5) == "user-5 ü")
        }
    }
}
