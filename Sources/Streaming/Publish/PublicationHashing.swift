/// The FNV-1a hashes of publication: 32-bit for partitioning, 64-bit for checksums.
/// Both are simple to reimplement in any language (see docs/formats.md).
public enum PublicationHashing {
    /// FNV-1a 32-bit of `bytes`.
    public static func fnv1a32<C: Collection<UInt8>>(_ bytes: C) -> UInt32 {
        var h: UInt32 = 0x811C_9DC5
        for b in bytes {
            h ^= UInt32(b)
            h = h &* 0x0100_0193
        }
        return h
    }

    /// FNV-1a 64-bit of `first` followed by `second`.
    public static func fnv1a64(_ first: [UInt8], _ second: [UInt8] = []) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in first {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        for b in second {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    /// The partition of a record key: `fnv1a32(key) % partitionCount`.
    public static func partition(key: [UInt8], partitionCount: Int) -> Int32 {
        precondition(partitionCount > 0, "partitionCount must be positive")
        return Int32(fnv1a32(key) % UInt32(partitionCount))
    }

    /// The checksum contribution of one record (the version's checksum is the wrapping
    /// sum of these over its records, so it does not depend on order).
    public static func recordChecksum(key: [UInt8], value: [UInt8]) -> UInt64 {
        fnv1a64(key, value)
    }
}
