/// 128-bit FNV-1a (offset basis `0x6c62272e07bb014262b821756295c58d`, prime
/// `2^88 + 2^8 + 0x3b`): for every byte `h = (h ^ byte) * prime mod 2^128`.
/// Not cryptographic: a stable fingerprint for equality checks of state.
public struct FNV1a128: Sendable, Equatable {
    public static let offsetBasis: UInt128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d
    public static let prime: UInt128 = (1 << 88) | 0x13b

    public private(set) var value: UInt128 = offsetBasis

    public init() {}

    /// Feeds `bytes`.
    public mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        for b in bytes { h = (h ^ UInt128(b)) &* Self.prime }
        value = h
    }

    /// Feeds `bytes`.
    public mutating func combine(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { combine($0) }
    }

    /// Feeds the 4 little-endian bytes of `v`.
    public mutating func combine(uint32LittleEndian v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { combine($0) }
    }

    /// The 16 bytes of the value, most significant first.
    public var bigEndianBytes: [UInt8] { (0..<16).map { UInt8(truncatingIfNeeded: value >> (8 * (15 - $0))) } }

    /// 32 lowercase hex digits, most significant first.
    public var hex: String {
        bigEndianBytes.map { b in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }
}
