import Testing
@testable import Store

@Suite("Key encoding")
struct KeyEncodingTests {
    @Test func integerEncodingsAreBigEndianWithFlippedSignBit() {
        #expect(UInt16(0x0102).encodedKey == [0x01, 0x02])
        #expect(UInt32(1).encodedKey == [0, 0, 0, 1])
        #expect(Int32(0).encodedKey == [0x80, 0, 0, 0])
        #expect(Int32(-1).encodedKey == [0x7F, 0xFF, 0xFF, 0xFF])
        #expect(Int32.min.encodedKey == [0, 0, 0, 0])
        #expect(Int8.max.encodedKey == [0xFF])
    }

    @Test func stringsEscapeZeroAndTerminate() {
        #expect("ab".encodedKey == [0x61, 0x62, 0x00, 0x01])
        #expect("a\u{0}b".encodedKey == [0x61, 0x00, 0xFF, 0x62, 0x00, 0x01])
        #expect(KeyBytes([]).encodedKey == [0x00, 0x01])
    }

    @Test func signedIntegersSortLikeNumbers() throws {
        var rng = SplitMix64(seed: 7)
        var values: [Int64] = [.min, .max, -1, 0, 1, -256, 255]
        for _ in 0..<200 { values.append(Int64(bitPattern: rng.next())) }
        let byEncoding = values.sorted { $0.encodedKey.lexicographicallyPrecedes($1.encodedKey) }
        #expect(byEncoding == values.sorted())
        for value in values {
            #expect(try value.encodedKey.withUnsafeBytes { try Int64.decodeKey($0) } == value)
        }
        for value: Int16 in [.min, -2, -1, 0, 1, .max] {
            #expect(try value.encodedKey.withUnsafeBytes { try Int16.decodeKey($0) } == value)
        }
    }

    @Test func compositeKeysRoundTrip() throws {
        let key = CompositeKey(UInt16(3), "user\u{0}name\u{0}", Int64(-5), KeyBytes([0, 0xFF, 0]), UInt8(9))
        let decoded = try key.encodedKey.withUnsafeBytes {
            try CompositeKey<UInt16, String, Int64, KeyBytes, UInt8>.decodeKey($0)
        }
        #expect(decoded.components.0 == 3)
        #expect(decoded.components.1 == "user\u{0}name\u{0}")
        #expect(decoded.components.2 == -5)
        #expect(decoded.components.3 == KeyBytes([0, 0xFF, 0]))
        #expect(decoded.components.4 == 9)
    }

    @Test func malformedKeysThrowInsteadOfCrashing() {
        let cases: [[UInt8]] = [
            [0x61, 0x62],  // unterminated
            [0x61, 0x00],  // escape cut off
            [0x61, 0x00, 0x05],  // bad escape
            [0x61, 0x00, 0x01, 0x07],  // trailing bytes
            [0xC3, 0x28, 0x00, 0x01],  // invalid UTF-8
        ]
        for bytes in cases {
            #expect(throws: StoreError.self) { try bytes.withUnsafeBytes { try String.decodeKey($0) } }
        }
        #expect(throws: StoreError.self) { try [UInt8]([1, 2, 3]).withUnsafeBytes { try UInt32.decodeKey($0) } }
    }

    @Test func prefixSuccessor() {
        #expect(KeyRange.successor(ofPrefix: [1, 2]) == [1, 3])
        #expect(KeyRange.successor(ofPrefix: [1, 0xFF, 0xFF]) == [2])
        #expect(KeyRange.successor(ofPrefix: [0xFF]) == nil)
        #expect(KeyRange.successor(ofPrefix: []) == nil)
    }
}
